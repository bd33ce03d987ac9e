"""Planned against realised on the dashboard: catalog averages, the targets, who falls short."""

import pytest

from onething.supervision import planned, selectors, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def done(make_case, wuhan_base, alice):
    case = make_case(submitted_by=alice, accepted=wuhan_base, elapsed=5)
    services.case_fact_refresh(case=case)
    services.rollups_rebuild_all()
    return case


def test_planned_averages_sit_beside_the_targets_and_the_realised_figures(done, sam):
    got = planned.planned_vs_realised(selectors.filters_parse(sam, {}))
    rows = {r["key"]: r for r in got["figures"]}
    bp = done.blueprint
    # The mini catalog's default situation: time 0 %, materials 71.4 % (see catalog tests).
    assert (rows["time"]["planned"], rows["time"]["target"], rows["time"]["meets"]) == (
        0.0,
        50,
        False,
    )
    assert (rows["materials"]["planned"], rows["materials"]["meets"]) == (71.4, True)
    assert rows["steps"]["target"] is None and rows["steps"]["realised"] is None
    before = bp["reductions"]["before"]["time"]
    assert got["completed"] == 1
    assert rows["time"]["realised"] == round((before - 5) * 100 / before, 1)
    assert got["short"] == [
        {
            "code": "mini-restaurant",
            "name": "开办小餐馆",
            "reasons": ["办理时间仅压减 0.0%（11 → 11个工作日），低于 50% 的目标"],
        }
    ]


def test_the_dashboard_shows_the_planned_panel(done, client, sam):
    client.force_login(sam)
    page = client.get("/supervision/").content.decode()
    assert 'id="panel-planned"' in page
    assert "开办小餐馆</b>：办理时间仅压减 0.0%" in page
    assert "≥50%" in page
