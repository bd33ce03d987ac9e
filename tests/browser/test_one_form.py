"""开办餐饮店 in Chromium with the demo accounts: the demo enterprise submits online (its landline
is prefilled and accepted), a citizen opening as 个体工商户 or as a company is never asked for a
credit code and finds the licences in the wallet once every department has approved."""

import re

import pytest
from django.conf import settings

from tests.browser.conftest import login
from tests.demo import world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_world(transactional_db):
    world.load_world()


def as_demo(browser, live_server, username):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20000)
    login(page, username, settings.ONETHING_DEMO_PASSWORD)
    return page


def fill_and_submit(page, body: dict) -> str:
    """Type what the registry did not fill, attach the materials, preview, consent, submit."""
    for field, value in body["form"].items():
        selector = f"#f_{field}"
        if page.locator(f"select{selector}").count():
            page.select_option(selector, str(value))
        else:
            page.fill(selector, "true" if value is True else str(value))
    for row in body["materials"]:
        page.set_input_files(
            f"input[name=file_{row['material']}]",
            {"name": f"{row['material']}.pdf", "mimeType": "application/pdf", "buffer": world.PDF},
        )
    page.click("button[value=preview]")
    page.check("#consent")
    page.click("button[value=submit]")
    page.wait_for_url(re.compile(r"/cases/420102-\d{8}-\d{6}/$"))
    return page.url.rstrip("/").split("/")[-1]


def test_demo_enterprise_submits_open_restaurant_online(browser, live_server, demo_world):
    enterprise = world.user("demo_enterprise")
    body = world.application(enterprise, "open-restaurant", {"subject_type": "company"})
    page = as_demo(browser, live_server, "demo_enterprise")
    page.goto('/cases/apply/open-restaurant?answers={"subject_type":"company"}')
    phone = page.locator("#f_contact_phone")
    assert phone.get_attribute("readonly") is not None
    assert phone.input_value() == "027-82880001"
    number = fill_and_submit(page, body)
    assert "待受理" in page.locator("#case-status").inner_text()
    assert number.startswith("420102-")
    page.context.close()


@pytest.mark.parametrize("subject_type", ["individual", "company"])
def test_a_citizen_opens_a_restaurant_without_a_credit_code(
    browser, live_server, demo_world, subject_type
):
    from onething.cases import services as cases
    from onething.cases.models import Case
    from onething.registry.models import License

    citizen, clerk = world.user("demo_citizen"), world.user("demo_clerk")
    body = world.application(citizen, "open-restaurant", {"subject_type": subject_type})
    page = as_demo(browser, live_server, "demo_citizen")
    page.goto(f'/cases/apply/open-restaurant?answers={{"subject_type":"{subject_type}"}}')
    text = page.locator("main").inner_text()
    assert "统一社会信用代码" not in text
    assert page.locator("#f_enterprise_credit_code").count() == 0
    number = fill_and_submit(page, body)

    case = Case.objects.get(number=number)
    cases.case_accept(number=number, actor=clerk, decision="accept")
    deciders = world.decide_all(case)
    assert case.status == "completed" and len(set(deciders)) >= 3

    issued = dict(
        License.objects.filter(case_number=number).values_list("license_type_id", "identifier")
    )
    assert {"business_license", "food_business_license"} <= set(issued)
    page.goto("/registry/wallet/")
    for identifier in issued.values():  # the new subject's licences, in its 经营者's wallet
        assert page.locator(f"a.tile[href*='{identifier}']").count() == 1, identifier
    page.goto(f"/cases/{number}/")
    assert "已办结" in page.locator("#case-status").inner_text()
    page.context.close()
