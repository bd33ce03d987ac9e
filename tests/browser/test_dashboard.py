"""The supervision dashboard in a real browser: charts drawn, drill-down, xlsx export."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from onething.testing import PASSWORD
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def facts(mini_catalog, alice, carol):
    from onething.common import workdays
    from onething.supervision import services
    from onething.supervision.tests.factory import make_case

    day = timezone.localdate() - timedelta(days=40)
    while not workdays.is_workday(day):
        day += timedelta(days=1)
    cases = [
        make_case(submitted_by=alice, accepted=day, elapsed=4),
        make_case(
            submitted_by=carol,
            window_actor=carol,
            channel="window",
            accepted=day,
            extra_days=2,
            accept="420106",
        ),
    ]
    for case in cases:
        services.case_fact_refresh(case=case)
    services.rollups_rebuild_all()


def test_supervisor_sees_charts_drills_down_and_exports(page, sam, facts, tmp_path):
    login(page, "sam", PASSWORD)
    page.goto("/supervision/")
    assert page.locator("h1").inner_text() == "效能监测 · 武汉市"
    page.wait_for_selector("#chart-by_region svg")
    assert page.locator("[data-chart] svg").count() >= 5
    assert page.locator("#panel-overview").inner_text().count("50.0%") >= 1

    page.click("#panel-by_region [data-drill='420102']")
    page.wait_for_url("**region=420102**")
    assert page.locator("h1").inner_text() == "效能监测 · 江岸区"
    assert "武汉市" in page.locator("#crumbs").inner_text()
    page.wait_for_selector("#chart-by_channel svg")

    with page.expect_download() as info:
        page.click("#export-all")
    path = tmp_path / "export.xlsx"
    info.value.save_as(path)
    wb = load_workbook(path)
    values = [v for row in wb["按承诺时限办结"].iter_rows(values_only=True) for v in row]
    assert 50.0 in values and "开办小餐馆" in values


OVERLAPS = """el => {
  const boxes = [...el.querySelectorAll('svg text')].filter(t => t.textContent.trim())
    .map(t => [t.textContent, t.getBoundingClientRect()]).filter(([, r]) => r.width && r.height);
  const hit = [];
  boxes.forEach(([a, r], i) => boxes.slice(i + 1).forEach(([b, s]) => {
    const x = Math.min(r.right, s.right) - Math.max(r.left, s.left);
    const y = Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top);
    if (x > 1 && y > 1) hit.push(a + ' × ' + b);
  }));
  return hit;
}"""


def test_no_chart_label_overlaps_another(page, sam, facts):
    """Every category named, none drawn over another: many bars lie sideways, the daily line
    thins its dates, the slider shows no overlapping text."""
    login(page, "sam", PASSWORD)
    page.goto("/supervision/?from=2025-01&to=2026-12")
    page.wait_for_selector("#chart-by_day svg")
    page.wait_for_timeout(500)
    for chart in page.locator("[data-chart]").all():
        assert chart.evaluate(OVERLAPS) == [], chart.get_attribute("data-chart")
    days = page.locator("#chart-by_day svg text").evaluate_all("ts => ts.map(t => t.textContent)")
    assert 0 < len([t for t in days if re.fullmatch(r"\d{4}-\d{2}-\d{2}", t)]) <= 12
