"""Journey (f): 开办餐饮店 through two departments' own business systems, over HTTP.

The shipped demo connects fire (公众聚集场所消防安全检查) and water (排水许可) to the reference
department system: `onething run` starts two `onething dept-sim` processes beside the web server
and the worker. The demo enterprise applies; the window accepts; market regulation's reviewer
registers the company; the worker pushes the fire and water tasks to their systems (signed
CloudEvents); each system fetches the materials, decides and calls back with its licence; the case
reaches 办结 and the enterprise sees the same timeline as for an internal item, with the fire and
water licences sealed and valid.
"""

import re

import requests

from . import steps

LICENCE = re.compile(r"/registry/verify/([a-z_]+\.[0-9]{6}-[a-z_]+\.[0-9]{8}\.[0-9]{2}\.[0-9A-Z])")
EXTERNAL = ("fire-public-venue-check", "water-drainage-permit")


def test_fire_and_water_decide_in_their_own_systems_and_the_case_completes(journey, product):
    firm = journey.as_user("demo_enterprise")
    steps.open_apply(
        firm,
        "open-restaurant",
        {"subject_type": "company", "public_venue": "yes", "has_sign": "no"},
    )
    steps.fill_form(firm, {"enterprise_name_proposed": "武汉市江岸区楚韵餐饮有限公司"})
    steps.upload_materials(firm)
    number = steps.submit(firm)
    steps.accept(journey.as_user("demo_clerk"), number)

    accounts, serial, reviewers = steps.demo_accounts(product), [100], {}
    while active := steps.next_stage(firm, number, seconds=120):  # market regulation's items
        assert not set(active) & set(EXTERNAL), active  # never on a reviewer's page
        pages = {}
        for item, department in active.items():
            username = steps.reviewer_for(accounts, department)
            page = reviewers.setdefault(username, journey.as_user(username))
            pages[item] = page if page not in pages.values() else page.context.new_page()
        steps.decide_in_parallel(pages, number, serial)

    firm.goto(f"/cases/{number}/")
    assert steps.status_of(firm) == "已办结"
    rows = {item: firm.locator(f"#tasks tr[data-item={item}]").inner_text() for item in EXTERNAL}
    links = {item: firm.locator(f"#tasks tr[data-item={item}]").inner_html() for item in EXTERNAL}
    timeline = firm.locator("#timeline").inner_text()
    for row in rows.values():
        assert "准予" in row, row
        assert "已签发电子证照" in row, row  # the licence the system's approval issued
    # The same timeline as for an internal item, plus where the decision was taken.
    for step in (
        "推送至部门业务系统办理",
        "部门业务系统已接收",
        "部门业务系统作出决定",
        "部门准予",
        "办结",
    ):
        assert step in timeline, timeline
    assert timeline.count("推送至部门业务系统办理") == 2, timeline

    public = journey.as_user(None)
    for item in EXTERNAL:
        identifier = LICENCE.search(links[item]).group(1)

        def sealed(identifier=identifier):
            public.goto(f"/registry/verify/{identifier}")
            return public.locator("#verdict").get_attribute("data-valid") == "true"

        steps.wait_for(sealed, seconds=60, every=3, what=f"{identifier} sealed and valid")
        text = public.locator("main").inner_text()
        assert "电子印章验证通过" in text, text
    # The licences' faces are what the departments' systems issued (their numbering).
    api = journey.api("demo_enterprise")
    detail = api.get(f"{product.url}/api/cases/{number}", timeout=30).json()
    faces = {t["item"]: t["result"].get("license_data", {}) for t in detail["tasks"]}
    fire, water = faces["fire-public-venue-check"], faces["water-drainage-permit"]
    assert fire["certificate_number"].startswith("江岸消安检字"), fire
    assert fire["unit_name"] and fire["usage"] == "餐饮", fire
    assert water["permit_number"].startswith("江岸排水字"), water
    assert water["holder_name"] and water["discharge_volume"].endswith("立方米/日"), water


def test_the_demo_department_systems_answer_on_their_own_ports(product):
    """What `onething run` started: one reference system per department, on the ports the
    demo load recorded, holding the tasks it was sent."""
    ports = product.env.get("ONETHING_DEPT_SIM_PORTS", "8001,8002").split(",")
    for port in ports:
        state = requests.get(f"http://127.0.0.1:{port}/_state", timeout=10).json()
        assert state["control"]["decide"] == "approve"
        unsigned = requests.get(f"http://127.0.0.1:{port}/tasks?state=open", timeout=10)
        assert unsigned.status_code == 401  # only onething, signing with its key, may ask
