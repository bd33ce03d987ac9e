"""The catalog over HTTP and on the command line, as other systems use it."""

import io
import json
from pathlib import Path

import pytest
import SpiffWorkflow
from django.core.management import call_command
from lxml import etree

BPMN_XSD = Path(SpiffWorkflow.__file__).parent / "bpmn" / "parser" / "schema" / "BPMN20.xsd"


def test_the_list_gives_every_one_thing_with_its_reductions(client, mini_catalog):
    rows = client.get("/api/onethings").json()
    assert [r["code"] for r in rows] == ["mini-restaurant"]
    assert rows[0]["reductions"] == {"time": 0.0, "materials": 71.4, "steps": 37.5, "visits": 50.0}
    assert rows[0]["item_count"] == 3 and rows[0]["department_count"] == 2


def test_the_blueprint_follows_the_answers(client, mini_catalog):
    bp = client.get(
        "/api/onethings/mini-restaurant", {"answers": json.dumps({"big": "yes"})}
    ).json()
    assert [i["code"] for i in bp["items"]] == [
        "mini-registration",
        "mini-food-license",
        "mini-fire-check",
    ]
    assert bp["onething"]["version"] == 1


@pytest.mark.parametrize(
    ("answers", "field"),
    [("{not json", "answers"), ('["a"]', "answers"), ('{"big": "maybe"}', "big")],
)
def test_bad_answers_get_a_chinese_message_naming_the_field(client, mini_catalog, answers, field):
    response = client.get("/api/onethings/mini-restaurant", {"answers": answers})
    assert response.status_code == 400
    body = response.json()
    assert field in body["fields"] and body["message"]


def test_an_unknown_one_thing_is_404_with_a_message(client, mini_catalog):
    response = client.get("/api/onethings/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": "一件事不存在：no-such-thing",
        "fields": {},
    }


def test_the_guide_is_a_pdf(client, mini_catalog):
    response = client.get("/api/onethings/mini-restaurant/guide.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and len(response.content) > 2000


def test_the_bpmn_export_is_valid_bpmn_2_with_a_parallel_gateway_per_stage(client, mini_catalog):
    response = client.get("/api/onethings/mini-restaurant/bpmn", {"answers": '{"big": "yes"}'})
    doc = etree.fromstring(response.content)
    etree.XMLSchema(etree.parse(str(BPMN_XSD))).assertValid(doc)
    ns = {"b": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
    assert len(doc.findall(".//b:parallelGateway", ns)) == 4
    assert len(doc.findall(".//b:userTask", ns)) == 4  # acceptance + three items


def test_a_standard_engine_opens_the_bpmn(client, mini_catalog):
    from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser

    xml = client.get("/api/onethings/mini-restaurant/bpmn").content
    parser = BpmnParser()
    parser.add_bpmn_xml(etree.fromstring(xml))
    spec = parser.get_spec("proc_mini_restaurant")
    assert "task_mini_food_license" in spec.task_specs


def test_the_openapi_document_lists_the_catalog_paths(client, db):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in [
        "/api/onethings",
        "/api/onethings/{code}",
        "/api/onethings/{code}/guide.pdf",
        "/api/onethings/{code}/bpmn",
    ]:
        assert path in paths


def test_cli_list_prints_the_documented_json(mini_catalog):
    out = io.StringIO()
    call_command("catalog", "list", "--format", "json", stdout=out)
    rows = json.loads(out.getvalue())
    assert set(rows[0]) >= {
        "code",
        "name",
        "subject",
        "stage",
        "version",
        "status",
        "item_count",
        "department_count",
        "reductions",
    }
    assert set(rows[0]["reductions"]) == {"time", "materials", "steps", "visits"}


def test_cli_show_prints_the_blueprint_for_the_answers(mini_catalog):
    out = io.StringIO()
    call_command(
        "catalog",
        "show",
        "mini-restaurant",
        "--format",
        "json",
        "--answers",
        '{"big": "yes"}',
        stdout=out,
    )
    assert json.loads(out.getvalue())["process"]["promised_days"] == 11


def test_a_local_addition_is_seen_only_in_its_own_region(client, mini_catalog, alice):
    from onething.accounts.models import Region
    from onething.catalog import selectors
    from onething.catalog.models import OneThing

    OneThing.objects.filter(code="mini-restaurant").update(region_id="420500")  # 宜昌市特色事项
    assert not selectors.onethings_visible(region=Region.objects.get(code="420102")).exists()
    assert selectors.onethings_visible(
        region=Region.objects.get(code="420506")
    ).exists()  # 夷陵区, under 宜昌


def test_the_guide_follows_the_chosen_situation(client, mini_catalog, monkeypatch):
    from onething.catalog import documents, selectors

    version = selectors.version_latest("mini-restaurant")
    big = dict(documents.guide_sections(selectors.blueprint(version, {"big": "yes"})))
    assert "经营场所面积是否超过300平方米？ 是" in big["适用情形"]
    html = client.get("/onethings/mini-restaurant/situation", {"a_big": "yes"}).content.decode()
    assert "/guide.pdf?answers=" in html and "%22big%22%3A%20%22yes%22" in html
    assert "经营场所面积是否超过300平方米？ 是" in html.split('id="guide"', 1)[1]
    printed = []
    para = documents.pdf.para
    monkeypatch.setattr(
        documents.pdf, "para", lambda text, *a: printed.append(text) or para(text, *a)
    )
    pdf = client.get("/api/onethings/mini-restaurant/guide.pdf", {"answers": '{"big": "yes"}'})
    assert pdf.content.startswith(b"%PDF") and "经营场所面积是否超过300平方米？ 是" in printed
