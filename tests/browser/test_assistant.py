import json
from urllib.parse import parse_qs, urlparse

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_describes_their_plan_and_gets_a_personalised_list(page, mini_catalog):
    page.goto("/assistant/")
    page.fill("#page-message", "我想开个面馆 <b>")
    page.press("#page-message", "Enter")  # keyboard only
    page.wait_for_selector(".bubble.candidates")
    assert (
        page.locator(".bubble.you").last.inner_text().endswith("我想开个面馆 <b>")
    )  # escaped, shown as typed
    assert page.input_value("#page-message") == ""  # cleared for the next message

    page.click(".bubble.candidates button:has-text('开办小餐馆')")
    page.wait_for_selector(".bubble.question:has-text('300平方米')")
    page.locator(".bubble.question").last.locator("button:has-text('是')").click()
    page.wait_for_selector(".bubble.question:has-text('自有房产')")
    page.locator(".bubble.question").last.locator("button:has-text('否')").click()

    sheet = page.wait_for_selector(".bubble.checklist")
    assert sheet.query_selector(".bring [data-material=fire_plan]")  # because the venue is large
    assert sheet.query_selector(".bring [data-material=lease_contract]")  # because it is rented
    assert "已通过电子证照获取" in sheet.query_selector(".not-needed").inner_text()
    link = urlparse(sheet.query_selector("a.apply").get_attribute("href"))
    assert link.path == "/cases/apply/mini-restaurant"
    assert json.loads(parse_qs(link.query)["answers"][0]) == {"big": "yes", "own_premises": "no"}


def test_the_chat_fits_a_phone(browser, live_server, mini_catalog):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.goto("/assistant/")
    page.fill("#page-message", "开饭店要多久")
    page.click("text=发送")
    page.wait_for_selector(".bubble.guide")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()


def test_the_closed_chat_panel_never_hides_the_end_of_a_page_on_a_phone(
    browser, live_server, mini_catalog
):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 740}, is_mobile=True
    )
    page = context.new_page()
    page.goto("/")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    panel = page.locator("#chat-panel").bounding_box()
    assert panel["width"] < 375 / 2  # a button in the corner, not a bar across the screen
    footer = page.locator("footer.footer")
    text = footer.evaluate(
        "f => { const r = document.createRange(); r.selectNodeContents(f);"
        " const b = r.getBoundingClientRect(); return {top: b.top, bottom: b.bottom}; }"
    )
    assert text["bottom"] <= panel["y"], (text, panel)  # the footer's words end above the button
    page.click("#chat-panel > summary")
    assert page.locator("#chat-panel").bounding_box()["width"] >= 370  # opened: a sheet
    context.close()
