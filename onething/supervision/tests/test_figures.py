"""Dashboard figures on three known cases: one late, one cross-region, one breached commitment."""

import pytest

from onething.common import workdays
from onething.supervision import selectors, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(make_case, wuhan_base, alice, carol, sam):
    on_time = make_case(submitted_by=alice, accepted=wuhan_base, elapsed=5)
    late = make_case(
        submitted_by=carol,
        window_actor=carol,
        channel="window",
        accepted=wuhan_base,
        extra_days=3,
        accept="420106",
    )
    breached = make_case(submitted_by=alice, accepted=wuhan_base, elapsed=8, commitment="breached")
    for case in (on_time, late, breached):
        services.case_fact_refresh(case=case)
    services.rollups_rebuild_all()
    return on_time, late, breached


def _panel(user, key, **params):
    return selectors.panel(selectors.filters_parse(user, params), key)


def test_overview_percentages_are_exact(three, sam):
    summary = _panel(sam, "overview")["summary"]
    assert summary["办件量"] == 3
    assert summary["已办结"] == 3
    assert summary["按期办结率"] == 66.7  # the window case finished 3 working days late
    assert summary["全程网办率"] == 66.7  # the window case needed one visit
    assert summary["跨域办件"] == 1


def test_timeliness_commitments_and_cross_region(three, sam):
    timeliness = _panel(sam, "timeliness")
    assert timeliness["summary"]["超期办结"] == 1
    assert timeliness["rows"][0] | {} == {
        "code": "mini-restaurant",
        "name": "开办小餐馆",
        "completed": 3,
        "on_time": 2,
        "late": 1,
        "rate": 66.7,
    }
    commitments = _panel(sam, "commitments")["summary"]
    assert commitments == {"容缺受理办件": 1, "承诺履行率": 0.0, "未履行率": 100.0}
    cross = _panel(sam, "cross_region")
    assert cross["summary"] == {"跨域办件": 1, "跨域占比": 33.3}
    assert [(r["name"], r["cross_region"]) for r in cross["rows"]] == [("江岸区", 1)]


def test_durations_against_promise_and_baseline(three, sam):
    _, late, _ = three
    bp = late.blueprint
    promised, baseline = bp["process"]["promised_days"], bp["reductions"]["before"]["time"]
    row = _panel(sam, "durations")["rows"][0]
    elapsed = 5 + (promised + 3) + 8
    assert row["elapsed"] == round(elapsed / 3, 1)
    assert row["promised"] == promised
    assert row["baseline"] == baseline
    assert row["vs_baseline"] == round((3 * baseline - elapsed) * 100 / (3 * baseline), 1)


def test_reductions_planned_from_catalog_and_realised_from_cases(three, sam):
    row = _panel(sam, "reductions")["rows"][0]
    bp = three[0].blueprint
    assert row["plan_time"] == bp["reductions"]["percent"]["time"]
    before_visits = bp["reductions"]["before"]["visits"]
    # One visit over three completed cases, against the items' visits done separately.
    assert row["real_visits"] == round((3 * before_visits - 1) * 100 / (3 * before_visits), 1)


def test_channel_day_and_region_drill_down(three, sam, wuhan_base):
    channels = {r["code"]: r["cases"] for r in _panel(sam, "by_channel")["rows"]}
    assert channels == {"portal": 2, "window": 1}
    regions = _panel(sam, "by_region")["rows"]
    assert [(r["code"], r["cases"], r["drill"]) for r in regions if r["cases"]] == [
        ("420102", 3, True)
    ]
    empty = [r for r in regions if not r["cases"]]  # every other district: 0, and drillable
    assert empty and all(r["drill"] and r["completed"] == 0 for r in empty)
    county = _panel(sam, "by_region", region="420102")["rows"]
    assert [(r["code"], r["drill"]) for r in county] == [("420102", False)]
    days = {r["day"]: r for r in _panel(sam, "by_day")["rows"]}
    submitted = str(wuhan_base - __import__("datetime").timedelta(days=1))
    assert days[submitted]["cases"] == 3
    finished = str(workdays.add_working_days(wuhan_base, 5))
    assert days[finished]["completed"] >= 1


def test_onething_filter_and_day_panel_from_facts(three, sam):
    filtered = _panel(sam, "by_day", onething="mini-restaurant")
    assert sum(r["cases"] for r in filtered["rows"]) == 3
    assert sum(r["completed"] for r in filtered["rows"]) == 3


def test_province_supervisor_sees_wuhan_as_one_city(three, province_supervisor):
    rows = _panel(province_supervisor, "by_region")["rows"]
    assert [(r["code"], r["name"], r["cases"]) for r in rows if r["cases"]] == [
        ("420100", "武汉市", 3)
    ]


def test_empty_panels_do_not_divide_by_zero(mini_catalog, sam):
    summary = _panel(sam, "overview")["summary"]
    assert summary["办件量"] == 0 and summary["按期办结率"] is None
    for panel in selectors.panels(selectors.filters_parse(sam, {})):
        assert panel["title"]


def test_no_ratings_draw_no_pie_and_say_so(mini_catalog, sam):
    ratings = _panel(sam, "ratings")
    assert ratings["summary"]["评价总数"] == 0 and ratings["chart"] is None
    assert ratings["note"] == "所选范围内暂无评价。"


def test_hotline_rates_carry_their_unit_and_the_count_they_rest_on(mini_catalog, sam):
    hotline = _panel(sam, "hotline")
    names = [r["name"] for r in hotline["rows"]]
    assert names == ["工单总数", "按时办结率（%）", "满意率（%）", "督办工单"]
    assert "满意率按已评价的 0 件计" in hotline["note"]


def test_the_daily_panel_ends_today_not_at_the_end_of_the_month(mini_catalog, sam):
    from django.utils import timezone

    days = [r["day"] for r in _panel(sam, "by_day")["rows"]]
    assert days[-1] == timezone.localdate().isoformat()
