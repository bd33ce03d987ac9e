"""The dashboard filters are declared in the API description, so clients and the fuzzer see them."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

FILTERED = [
    "/api/supervision/dashboard",
    "/api/supervision/panels/{key}",
    "/api/supervision/export",
]


def test_every_panel_operation_declares_its_filters_as_optional_documented_strings():
    paths = Client().get("/api/openapi.json").json()["paths"]
    for path in FILTERED:
        params = {p["name"]: p for p in paths[path]["get"]["parameters"] if p["in"] == "query"}
        assert {"region", "onething", "from", "to"} <= set(params), path
        for name in ("region", "onething", "from", "to"):
            assert not params[name]["required"] and params[name]["description"], (path, name)
            assert {"type": "string"} in params[name]["schema"]["anyOf"]
        assert "YYYY-MM" in params["from"]["description"]


def test_declared_filters_behave_as_before(sam):
    from onething.testing import PASSWORD

    c = Client()
    assert c.login(username=sam.username, password=PASSWORD)
    body = c.get("/api/supervision/dashboard", {"from": "2025-01", "to": "2025-03"}).json()
    assert body["filters"]["from"] == "2025-01" and body["filters"]["to"] == "2025-03"
    assert body["filters"]["region"] == "420100"
    panel = c.get("/api/supervision/panels/by_region", {"region": "420102", "onething": ""})
    assert panel.status_code == 200
    later = c.get("/api/supervision/dashboard", {"to": ["2025-01", "bad"]})  # the last one counts
    assert later.status_code == 422 and "截止月份" in later.json()["message"]
    ignored = c.get("/api/supervision/dashboard", {"month_from": "2025-13"})
    assert ignored.status_code == 200
