"""A case end to end in Chromium: apply with one form, accept with tolerance, parallel approval."""

import re
from datetime import date, timedelta

import pytest

from onething.cases.tests.conftest import PDF, alice, catalog, media  # noqa: F401
from onething.testing import PASSWORD
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def as_user(browser, live_server, username, width=1280):
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(20000)
    login(page, username, PASSWORD)
    return page


def approve(page, number, item, credit_code=""):
    page.goto(f"/cases/{number}/")
    form = page.locator(f"form.decide[data-task={item}]")
    form.locator("input[name=decision][value=approve]").check()  # nothing is chosen for them
    form.locator("input[name=opinion]").fill("符合条件，准予")
    if credit_code:
        form.locator("input[name=r_credit_code]").fill(credit_code)
    form.locator("button[type=submit]").click()
    page.wait_for_selector(f"#tasks tr[data-item={item}] .status:has-text('准予')")


@pytest.mark.usefixtures("alice", "carol", "mark", "fred")
def test_apply_accept_with_tolerance_approve_in_parallel_results_in_wallet(browser, live_server):
    from onething.accounts.models import User
    from onething.common.validators import make_credit_code
    from onething.registry import selectors as registry

    # The applicant, on a phone: situation answers come in the link (as the assistant sends them).
    me = as_user(browser, live_server, "alice", width=390)
    me.goto('/cases/apply/mini-restaurant?answers={"big":"yes","own_premises":"no"}')
    assert me.locator("#f_applicant_name").get_attribute("readonly") is not None
    assert me.locator("#f_applicant_name").input_value() == "刘爱丽"
    assert "免交" in me.locator("#apply-materials [data-material=id_card]").inner_text()
    assert (
        "前序事项"
        in me.locator("#apply-materials [data-material=business_license_copy]").inner_text()
    )
    me.fill("#f_business_name", "楚味小馆")
    me.fill("#f_area", "420")
    for material in ("application_form", "fire_plan"):
        me.set_input_files(
            f"input[name=file_{material}]",
            {"name": f"{material}.pdf", "mimeType": "application/pdf", "buffer": PDF},
        )
    me.check("input[name=commit_lease_contract]")
    me.fill("input[name=due_lease_contract]", (date.today() + timedelta(days=30)).isoformat())
    me.click("button[value=save]")  # the draft survives; the page comes back from the server
    me.wait_for_selector("text=草稿已保存")
    assert me.locator("#f_business_name").input_value() == "楚味小馆"
    assert me.locator("input[name=commit_lease_contract]").is_checked()
    width = me.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"apply page overflows a phone: {width}px"
    me.click("button[value=preview]")
    me.check("#consent")
    me.click("button[value=submit]")
    me.wait_for_url(re.compile(r"/cases/420102-\d{8}-\d{6}/$"))
    number = me.url.rstrip("/").split("/")[-1]
    assert "待受理" in me.locator("#case-status").inner_text()

    window = as_user(browser, live_server, "carol")
    window.goto("/cases/")
    window.click(f"#window-queue [data-case='{number}'] a")
    window.check("input[name=decision][value=accept_with_tolerance]")
    window.click("#acceptance button[type=submit]")
    window.wait_for_selector("#case-status:has-text('办理中')")

    market, fire = as_user(browser, live_server, "mark"), as_user(browser, live_server, "fred")
    market.goto("/cases/")
    assert number in market.locator("#task-queue").inner_text()
    approve(market, number, "mini-registration", make_credit_code("420102", "55667788"))
    # The second stage: two departments, each on its own.
    approve(fire, number, "mini-fire-check")
    approve(market, number, "mini-food-license")

    me.goto(f"/cases/{number}/")
    assert "已办结" in me.locator("#case-status").inner_text()
    verbs = me.locator("#timeline li").evaluate_all("els => els.map(e => e.dataset.verb)")
    for verb in [
        "case.submitted",
        "case.accepted_with_tolerance",
        "task.started",
        "task.approved",
        "case.completed",
    ]:
        assert verb in verbs
    assert verbs.count("task.approved") == 3
    assert me.locator("#documents li").count() == 4
    wallet = {lic.license_type_id for lic in registry.wallet(User.objects.get(username="alice"))}
    assert {"business_license", "food_license"} <= wallet
    for page in (me, window, market, fire):
        page.context.close()
