"""The product starts as `make run` starts it, and every demo account can log in and look around."""

import requests

# The README's table of demo accounts and a page each role starts from.
ACCOUNTS = {
    "demo_citizen": ("/cases/", "我的办件"),
    "demo_enterprise": ("/cases/", "我的办件"),
    "demo_clerk": ("/cases/", "综合窗口"),
    "demo_reviewer": ("/cases/", "部门审批"),
    "demo_deptadmin": ("/feedback/rectifications/", "差评整改"),
    "demo_supervisor": ("/supervision/", "效能监测"),
    "demo_hotline": ("/feedback/tickets/", "12345"),
}


def test_first_page_and_api_docs(product):
    home = requests.get(product.url + "/", timeout=30)
    assert home.status_code == 200 and "高效办成一件事" in home.text
    docs = requests.get(product.url + "/api/docs", timeout=30)
    assert docs.status_code == 200


def test_every_demo_account_logs_in_and_sees_its_work(journey):
    for username, (path, heading) in ACCOUNTS.items():
        page = journey.as_user(username)
        page.goto(path)
        assert heading in page.locator("main").inner_text(), f"{username} at {path}"
        page.context.close()


def test_a_page_that_does_not_exist_says_so_in_chinese(journey):
    page = journey.as_user(None)
    response = page.goto("/onethings/no-such-thing-here/")
    assert response.status == 404
    assert (
        "不存在" in page.locator("body").inner_text()
        or "找不到" in page.locator("body").inner_text()
    )
