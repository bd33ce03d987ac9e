import pytest

from onething.testing import PASSWORD
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_citizen_logs_in_answers_situation_questions_and_sees_materials_change(page, alice):
    login(page, "alice", PASSWORD)
    page.goto("/onethings/")
    page.click("text=开办小餐馆")
    materials = page.locator("#materials")
    assert materials.locator("[data-material=fire_plan]").count() == 0
    assert materials.locator("[data-material=lease_contract]").count() == 1

    page.check("input[name=a_big][value=yes]")
    page.wait_for_selector("#materials [data-material=fire_plan]")
    page.check("input[name=a_own_premises][value=yes]")
    page.wait_for_selector("#materials [data-material=lease_contract]", state="detached")

    assert (
        "免交：前序事项办结后自动获取"
        in materials.locator("[data-material=business_license_copy]").inner_text()
    )
    assert page.locator("#reductions").inner_text().count("%") >= 4


def test_the_catalog_is_usable_at_phone_width_in_large_font(browser, live_server, mini_catalog):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.goto("/onethings/")
    page.click("text=大字版")
    page.wait_for_selector("body.large-font")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page overflows a phone screen: {width}px"
    assert page.locator(".tile h3", has_text="开办小餐馆").is_visible()
    context.close()


def test_the_apply_button_carries_the_chosen_answers(page, alice):
    login(page, "alice", PASSWORD)
    page.goto("/onethings/mini-restaurant/")
    page.check("input[name=a_big][value=yes]")
    page.wait_for_selector("#materials [data-material=fire_plan]")
    href = page.get_attribute("#apply-link", "href")
    assert (
        href.startswith("/cases/apply/mini-restaurant?answers=") and "big" in href and "yes" in href
    )
