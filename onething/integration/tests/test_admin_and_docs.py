"""The system administrator's pages (secrets write-only), the catalog field, the published
schemas and OpenAPI descriptions."""

import json
from pathlib import Path

import pytest

from onething.catalog import loader
from onething.integration import schemas, signing
from onething.integration.models import System
from onething.testing import MINI, _persona

pytestmark = pytest.mark.django_db
DOCS = Path(__file__).resolve().parents[3] / "docs"
TYPED = "whsec_" + "dHlwZWQtc2VjcmV0LXZhbHVlLWZvci10aGUtdGVzdA=="


@pytest.fixture
def sysop(mini_catalog):
    return _persona("sysop", "sysadmin", region="420000", kind="data_bureau")


def _form(**extra):
    return {
        "code": "market-sys",
        "name": "市场监管一体化平台",
        "department_kind": "market",
        "region": "",
        "base_url": "http://127.0.0.1:8799",
        "items": '["mini-food-license"]',
        "can_push": "on",
        "can_status": "on",
        "secret": TYPED,
        "signing_key": "",
        "token": "",
        "active": "on",
        **extra,
    }


def test_sysadmin_registers_a_system_and_its_secrets_are_never_shown_again(client, sysop):
    client.force_login(sysop)
    response = client.post("/admin/integration/system/add/", _form(), follow=True)
    assert response.status_code == 200
    system = System.objects.get(code="market-sys")
    assert system.secret == TYPED and system.signing_key.startswith("whsec_")
    shown = response.content.decode()
    assert system.signing_key in shown  # the generated key, once, in the confirmation
    page = client.get(f"/admin/integration/system/{system.pk}/change/").content.decode()
    assert TYPED not in page and system.signing_key not in page
    # Saving with the boxes empty keeps the stored secrets.
    client.post(f"/admin/integration/system/{system.pk}/change/", _form(secret="", name="新名称"))
    system.refresh_from_db()
    assert system.name == "新名称" and system.secret == TYPED


def test_a_new_system_without_a_callback_secret_is_refused_naming_the_field(client, sysop):
    client.force_login(sysop)
    response = client.post("/admin/integration/system/add/", _form(secret=""))
    assert "新建系统必须填写回调验签密钥" in response.content.decode()
    assert not System.objects.exists()


def test_the_operator_page_lists_deliveries_for_the_sysadmin_only(client, sysop, alice):
    client.force_login(sysop)
    assert client.get("/admin/integration/delivery/").status_code == 200
    client.force_login(alice)
    assert client.get("/admin/integration/delivery/").status_code == 302


def test_the_catalog_validator_refuses_a_malformed_decided_by(tmp_path):
    import shutil

    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    path = target / "items" / "fire.yaml"
    path.write_text(
        path.read_text(encoding="utf-8") + "  decided_by: 'Fire System!'\n", encoding="utf-8"
    )
    problems = loader.validate_catalog(loader.read_catalog(target), known_regions=None)
    assert any("decided_by" in p.path and "办理系统" in p.message for p in problems)


def test_the_callback_endpoint_is_described_in_the_api_docs(client):
    spec = client.get("/api/openapi.json").json()
    operation = spec["paths"]["/api/integration/{system}/events"]["post"]
    body = operation["requestBody"]["content"]["application/cloudevents+json"]["schema"]
    assert (
        body["properties"]["type"]["enum"]
        == schemas.schema("callback")["properties"]["type"]["enum"]
    )
    assert {p["name"] for p in operation["parameters"]} >= {"webhook-id", "webhook-signature"}


def test_the_vendor_openapi_file_uses_the_published_schemas():
    spec = json.loads((DOCS / "integration" / "department-system.openapi.json").read_text())
    assert spec["openapi"].startswith("3.1")
    assert set(spec["paths"]) == {"/events", "/tasks/{ref}", "/tasks"}
    assert spec["components"]["schemas"]["Dispatch"] == schemas.schema("dispatch")
    assert spec["components"]["schemas"]["Callback"] == schemas.schema("callback")
    callback = spec["webhooks"]["callback"]["post"]["requestBody"]["content"]
    assert callback["application/cloudevents+json"]["schema"] == {
        "$ref": "#/components/schemas/Callback"
    }


def test_a_dispatch_as_built_validates_against_the_published_schema():
    event = signing.cloudevent(
        type_="cn.gov.onething.task.dispatched",
        source="/api/integration",
        subject="r",
        data={
            "task": {
                "ref": "r",
                "item": "i",
                "name": "n",
                "status": "active",
                "department": {"code": "c", "name": "n"},
                "started_on": "",
                "deadline": "",
            },
            "case": {"number": "1", "onething": "o", "title": "t", "region": "420102"},
            "holder": {"kind": "entity", "name": "x"},
            "form": {},
            "inputs": {},
            "materials": [],
            "reply_to": "http://x",
        },
    )
    assert schemas.problems("dispatch", event) == {}
    assert schemas.problems("dispatch", {**event, "specversion": "0.3"}) == {
        "specversion": "取值不正确"
    }
