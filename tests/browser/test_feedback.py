"""好差评 and 12345 in Chromium: a 差评 goes round the rectification loop; a late sign escalates."""

from datetime import timedelta

import pytest

from onething.feedback.tests.conftest import make_completed_case, noise_rule  # noqa: F401
from onething.testing import PASSWORD
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _close_contexts(browser):
    # Close every context as_user opened: the session-wide browser would otherwise keep their
    # keep-alive sockets to the live server open, and each live-server request thread on them
    # keeps its persistent (CONN_MAX_AGE) database connection until the socket closes, which
    # on PostgreSQL blocks dropping the test database at the end of the run.
    yield
    for context in browser.contexts:
        context.close()


def as_user(browser, live_server, username, width=1280):
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(20000)
    login(page, username, PASSWORD)
    return page


def test_a_bad_rating_is_rectified_checked_and_rated_again(browser, live_server, alice, mark, sam):
    from onething.feedback import services

    case = make_completed_case(alice)
    services.rating_invite(case=case)

    me = as_user(browser, live_server, "alice", width=390)
    me.goto("/feedback/")
    me.click(f"#rateable [data-case='{case.number}'] a")
    me.check("#levels input[value='2']")
    me.check("#tags input[value='多次跑动']")
    me.fill("#comment", "<b>跑了三次</b>才办完")
    me.click("#rate-form button[type=submit]")
    me.wait_for_selector("text=感谢您的评价")
    assert me.locator("#rating-level").inner_text() == "不满意"
    assert me.locator("#rect-status").inner_text() == "待整改"
    assert "<b>跑了三次</b>" in me.locator(".comment").inner_text()  # shown as text, not markup

    dept = as_user(browser, live_server, "mark")
    dept.goto("/feedback/rectifications/")
    dept.click("#rect-queue tbody tr a")
    dept.fill("#verification", "经核实，窗口未一次性告知所需材料")
    dept.fill("#measures", "对窗口人员开展培训，材料清单上墙公示")
    dept.fill("#reply", "给您带来不便深表歉意，已整改")
    dept.click("#reply-form button[type=submit]")
    dept.wait_for_selector("#rect-status:has-text('已答复待审核')")

    boss = as_user(browser, live_server, "sam")
    boss.goto("/feedback/rectifications/")
    boss.click("#rect-queue tbody tr a")
    boss.click("#check-form button[value=approve]")
    boss.wait_for_selector("#rect-status:has-text('审核通过待回访')")

    me.goto(f"/feedback/rate/{case.number}/")
    assert "已整改" in me.locator("#rect-reply").inner_text()
    me.check("#rerate #levels input[value='4']")
    me.click("#rerate button[type=submit]")
    me.wait_for_selector("#rating-level:has-text('满意')")
    assert "首次评价：不满意" in me.locator("#my-rating").inner_text()
    assert me.locator("#rect-status").inner_text() == "已回访办结"
    width = me.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"rating page overflows a phone: {width}px"


@pytest.mark.usefixtures("olga", "noise_rule")
def test_a_call_is_routed_dispatched_signed_late_and_escalated(browser, live_server, mark):
    from onething.feedback.models import Ticket

    op = as_user(browser, live_server, "olga")
    op.goto("/feedback/tickets/")
    op.fill("#contact_name", "李先生")
    op.fill("#contact_phone", "13900000000")
    op.select_option("#region", "420102")
    op.select_option("#kind", "生态环境/噪声污染")
    op.fill("#content", "楼下餐馆夜间噪音扰民，凌晨还在营业，希望尽快处理")
    op.wait_for_selector(f"#suggested:has-text('{mark.department.name}')")
    op.click("#intake button[type=submit]")
    op.wait_for_selector("text=已受理")
    assert op.locator("#ticket-status").inner_text() == "已受理"
    op.click("form[data-action=dispatch] button")
    op.wait_for_selector("#ticket-status:has-text('已派单')")

    ticket = Ticket.objects.get()
    back = timedelta(hours=1)  # the department let the 30 minutes to sign pass
    Ticket.objects.filter(pk=ticket.pk).update(
        dispatched_at=ticket.dispatched_at - back, sign_due=ticket.sign_due - back
    )

    dept = as_user(browser, live_server, "mark")
    dept.goto("/feedback/tickets/")
    dept.click(f"#dept-queue [data-ticket='{ticket.number}'] a")
    dept.click("form[data-action=sign] button")
    dept.wait_for_selector("#ticket-status:has-text('已签收')")
    assert dept.locator("#escalation").inner_text() == "督办 1 次"
    timeline = dept.locator("#timeline").inner_text()
    assert "自动督办" in timeline and "超时" in timeline

    op.goto("/feedback/tickets/")
    assert ticket.number in op.locator("#escalated").inner_text()
