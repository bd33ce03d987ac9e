"""Scoping (a Wuhan supervisor cannot see Yichang), roles, and bad filters as Chinese 4xx."""

import pytest
from django.test import Client

from onething.testing import PASSWORD

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def test_wuhan_supervisor_cannot_drill_into_yichang(sam):
    c = client_for(sam)
    r = c.get("/api/supervision/panels/by_region", {"region": "420500"})
    assert r.status_code == 403
    assert "宜昌市" in r.json()["message"]
    assert c.get("/supervision/", {"region": "420500"}).status_code == 403
    assert c.get("/api/supervision/panels/by_region", {"region": "420102"}).status_code == 200


def test_wuhan_supervisor_cannot_see_the_province(sam):
    assert (
        client_for(sam).get("/api/supervision/dashboard", {"region": "420000"}).status_code == 403
    )


def test_applicants_and_reviewers_get_403(alice, mark):
    for user in (alice, mark):
        c = client_for(user)
        assert c.get("/api/supervision/dashboard").status_code == 403
        assert c.get("/supervision/").status_code == 403
        assert c.get("/supervision/export.xlsx").status_code == 403
        assert c.get("/api/supervision/rules").status_code == 403


def test_anonymous_is_asked_to_log_in(mini_catalog):
    assert Client().get("/api/supervision/dashboard").status_code == 401
    assert Client().get("/supervision/").status_code == 302


@pytest.mark.parametrize(
    "params, message",
    [
        ({"region": "999999"}, "未知的行政区划"),
        ({"region": "abc"}, "区划代码应为 6 位数字"),
        ({"onething": "no-such-thing"}, "未知的一件事"),
        ({"from": "2025-13"}, "起始月份格式应为 YYYY-MM"),
        ({"to": "yesterday"}, "截止月份格式应为 YYYY-MM"),
        ({"from": "1999-01"}, "超出范围"),
        ({"from": "2025-06", "to": "2025-01"}, "起始月份不能晚于截止月份"),
        ({"from": "2000-01", "to": "2025-01"}, "统计区间最长"),
    ],
)
def test_bad_filters_are_explained_in_chinese(sam, params, message):
    c = client_for(sam)
    r = c.get("/api/supervision/dashboard", params)
    assert r.status_code == 422
    assert message in r.json()["message"]
    page = c.get("/supervision/", params)
    assert page.status_code == 422
    assert message in page.content.decode()


def test_unknown_panel_is_422(sam):
    r = client_for(sam).get("/api/supervision/panels/nope")
    assert r.status_code == 422 and "未知的监测面板" in r.json()["message"]


def test_page_renders_charts_data_and_drill_links(sam, make_case, wuhan_base, alice):
    from onething.supervision import services

    services.case_fact_refresh(case=make_case(submitted_by=alice, accepted=wuhan_base, elapsed=3))
    services.rollups_rebuild_all()
    html = client_for(sam).get("/supervision/").content.decode()
    assert 'id="supervision-charts"' in html
    assert 'data-drill="420102"' in html
    assert "<script>" not in html  # chart code lives in a static file (CSP-ready)
