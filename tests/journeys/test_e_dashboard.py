"""Journey (e): what the supervisor sees follows what people do, within a minute.

The citizen's wallet reminds him that his driving licence expires soon and offers a one-click
renewal (the worker writes the reminder); he applies; the supervisor of 武汉市 sees the new case
counted on the dashboard for 江岸区 and 驾驶证到期换证 within a minute (the worker refreshes it).
"""

import re

from . import steps


def cases_on_dashboard(page) -> int:
    page.goto("/supervision/?region=420102&onething=driving-license-renewal")
    overview = page.locator("#panel-overview").inner_text()
    found = re.search(r"([\d,]+)\s*办件量", overview)
    assert found, overview
    return int(found.group(1).replace(",", ""))


def test_supervisor_sees_a_new_case_within_a_minute(journey):
    supervisor = journey.as_user("demo_supervisor")
    supervisor.goto("/supervision/")
    supervisor.select_option("#f-onething", label="驾驶证到期换证")
    supervisor.click("#filters button[type=submit]")
    supervisor.click("#crumbs ~ * a[data-drill='420102'], a[data-drill='420102']")
    assert "江岸区" in supervisor.locator("#crumbs").inner_text()
    before = cases_on_dashboard(supervisor)

    me = journey.as_user("demo_citizen")

    def reminded():
        me.goto("/registry/wallet/")
        link = me.locator("#reminders a", has_text="驾驶证")
        return link.first if link.count() else None

    renew = steps.wait_for(
        reminded, seconds=60, every=5, what="the wallet's driving-licence reminder"
    )
    renew.click()
    me.wait_for_selector("#apply-form")
    assert "驾驶证" in me.locator("h1").inner_text()
    steps.fill_form(me)
    steps.upload_materials(me)
    number = steps.submit(me)
    assert steps.status_of(me) == "待受理"

    steps.wait_for(
        lambda: cases_on_dashboard(supervisor) >= before + 1,
        seconds=60,
        every=5,
        what=f"case {number} counted on the supervisor's dashboard",
    )
