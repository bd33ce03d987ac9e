"""Journey (d): closing the loop on what people say.

A 差评 on a completed case opens a rectification (整改) for the department that handled it; that
department's demo account verifies and answers, the supervisor checks the answer, the rater reads
it and rates again, and the rectification is 已回访办结. A 12345 call becomes a ticket that goes
from dispatch to closure, visit and rating.
"""

import re

from . import steps


def test_a_bad_rating_is_rectified_by_its_department(journey, product):
    me = journey.as_user("demo_citizen")
    me.goto("/feedback/")
    # A case handled where the demo's departments are (江岸区, the demo region).
    rateable = me.locator("li[data-case^='420102-'] a")
    assert rateable.count() > 0, me.locator("main").inner_text()[:600]
    rateable.first.click()
    me.check("#levels input[name=level][value='2']")
    me.locator("#tags input[name=tags]").last.check()
    me.fill("#comment", "窗口让我来回跑了两次才办完，希望改进。")
    me.click("#rate-form button[type=submit]")
    me.wait_for_selector("#my-rating")
    assert "不满意" in me.locator("#rating-level").inner_text()
    where = me.locator("#my-rating").inner_text()
    assert "待整改" in where, where
    department = re.search(r"待整改（(\S+?)，期限", where).group(1)
    rating_url = me.url

    accounts = steps.demo_accounts(product)
    dept = journey.as_user(steps.reviewer_for(accounts, department, role="部门"))
    dept.goto("/feedback/rectifications/")
    dept.locator("#rect-queue tr[data-rect] a").first.click()
    assert department in dept.locator("h1").inner_text()
    dept.fill("#verification", "经核实，申请人因材料不齐两次到窗口。")
    dept.fill("#measures", "推行一次性告知，窗口人员已培训。")
    dept.fill("#reply", "感谢您的意见，我们已改进一次性告知工作。")
    dept.click("#reply-form button[type=submit]")
    dept.wait_for_selector("#rect-status:has-text('已答复待审核')")

    supervisor = journey.as_user("demo_supervisor")
    supervisor.goto(dept.url)
    supervisor.click("#check-form button[value=approve]")
    supervisor.wait_for_selector("#rect-status:has-text('审核通过待回访')")

    me.goto(rating_url)
    assert "我们已改进一次性告知工作" in me.locator("#rect-reply").inner_text()
    me.check("#rerate input[name=level][value='4']")
    me.click("#rerate button[type=submit]")
    me.wait_for_selector("#rect-status:has-text('已回访办结')")
    dept.reload()
    assert "已回访办结" in dept.locator("#rect-status").inner_text()


def test_a_12345_ticket_goes_from_dispatch_to_closure(journey, product):
    operator = journey.as_user("demo_hotline")
    operator.goto("/feedback/tickets/")
    operator.fill("#contact_name", "王女士")
    operator.fill("#contact_phone", "13871009921")
    operator.select_option("#region", "420102")
    operator.fill("#content", "解放大道一家餐馆后厨卫生差，餐具不消毒，请市场监管部门检查。")
    operator.select_option("#kind", "市场监管/食品安全")
    operator.fill("#location", "江岸区解放大道1000号")
    operator.click("#intake button[type=submit]")
    operator.wait_for_selector("#ticket-status")
    assert "已受理" in operator.locator("#ticket-status").inner_text()
    ticket_url = operator.url
    operator.click("#actions form[data-action=dispatch] button")
    operator.wait_for_selector("#ticket-status:has-text('已派单')")
    department = re.search(r"承办部门：(\S+)", operator.locator("#ticket-info").inner_text()).group(
        1
    )

    accounts = steps.demo_accounts(product)
    dept = journey.as_user(steps.reviewer_for(accounts, department, role="部门"))
    dept.goto(ticket_url)
    dept.click("#actions form[data-action=sign] button")
    dept.wait_for_selector("#ticket-status:has-text('已签收')")
    # Signed in time: no 即将超时 warning for signing is left on the ticket.
    alerts = dept.locator("#alerts")
    assert alerts.count() == 0 or "签收" not in alerts.inner_text(), alerts.inner_text()
    dept.fill("#actions form[data-action=handle] input[name=note]", "已安排执法人员现场检查。")
    dept.click("#actions form[data-action=handle] button")
    dept.wait_for_selector("#ticket-status:has-text('办理中')")
    dept.fill(
        "#actions form[data-action=close] input[name=note]", "现场检查属实，已责令整改并复查合格。"
    )
    dept.click("#actions form[data-action=close] button")
    dept.wait_for_selector("#ticket-status:has-text('已办结')")

    operator.goto(ticket_url)
    operator.fill("#actions form[data-action=visit] input[name=note]", "诉求人认可处理结果。")
    operator.click("#actions form[data-action=visit] button")
    operator.wait_for_selector("#ticket-status:has-text('已回访')")
    operator.check("#actions form[data-action=rate] input[value=satisfied]")
    operator.click("#actions form[data-action=rate] button")
    operator.wait_for_selector("#ticket-status:has-text('已评价')")
    assert "现场检查属实" in operator.locator("#ticket-info").inner_text()
