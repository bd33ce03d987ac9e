"""A case on a 390 px phone: the task table stays readable (no name squeezed to one character
per line), whatever long licence number a result carries."""

import pytest

from onething.cases.tests.conftest import alice, catalog, media, submit, upload  # noqa: F401
from onething.testing import PASSWORD
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_task_table_reads_on_a_phone(browser, live_server, request):
    from onething.cases import selectors, services
    from onething.common.validators import make_credit_code

    names = ("alice", "carol", "mark", "submit")
    applicant, clerk, reviewer, send = map(request.getfixturevalue, names)
    case = send(applicant)
    services.case_accept(number=case.number, actor=clerk, decision="accept_with_tolerance")
    reg = selectors.tasks_of(case)[0]
    services.task_decide(
        task_id=reg.pk,
        actor=reviewer,
        decision="approve",
        opinion="同意",
        result={"credit_code": make_credit_code("420102", "12345678")},
    )
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
    )
    page = context.new_page()
    login(page, "alice", PASSWORD)
    page.goto(f"/cases/{case.number}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # Columns by position (事项, 部门), so the check does not depend on the markup of the fix.
    for cell in page.locator("#tasks tbody td:nth-child(2), #tasks tbody td:nth-child(3)").all():
        box = cell.bounding_box()
        assert box["width"] > 200, (cell.inner_text(), box)
    result = page.locator("#tasks tr[data-item='mini-registration'] td:nth-child(6)")
    assert "证照" in result.inner_text() and result.bounding_box()["width"] > 200
    context.close()
