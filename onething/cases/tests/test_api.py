"""The API contract: paths, status codes, idempotency, errors as {code, message, fields}, scoping."""

import json

import pytest

from onething.accounts import services as accounts
from onething.cases.models import Case, IdempotencyKey
from onething.common.validators import make_credit_code

from .conftest import PDF, body

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, client, user):
        self.client, self.auth = (
            client,
            {"HTTP_AUTHORIZATION": f"Bearer {accounts.token_create(user=user)}"},
        )

    def get(self, path):
        return self.client.get(f"/api{path}", **self.auth)

    def post(self, path, data=None, **headers):
        return self.client.post(
            f"/api{path}",
            json.dumps(data or {}),
            content_type="application/json",
            **self.auth,
            **headers,
        )

    def upload(self, content=PDF, name="a.pdf"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return self.client.post(
            "/api/files",
            {"file": SimpleUploadedFile(name, content, "application/pdf")},
            **self.auth,
        )


def file_id(api):
    res = api.upload()
    assert res.status_code == 201, res.content
    return res.json()["id"]


def payload(api, **extra):
    data = body({}, **extra)
    data["materials"] = [{"material": "application_form", "file_id": file_id(api)}]
    return data


def test_the_whole_flow_over_the_api(client, alice, carol, mark):
    me, window, reviewer = Api(client, alice), Api(client, carol), Api(client, mark)
    res = me.post("/cases", payload(me), HTTP_IDEMPOTENCY_KEY="k-1")
    assert res.status_code == 201, res.content
    number = res.json()["number"]
    assert res.json()["status"] == "submitted"
    assert {m["material"]: m["state"] for m in res.json()["materials"]}["id_card"] == "exempt"

    assert (
        window.post(
            f"/cases/{number}/acceptance", {"decision": "accept_with_tolerance"}
        ).status_code
        == 200
    )
    again = window.post(f"/cases/{number}/acceptance", {"decision": "accept"})
    assert again.status_code == 409 and again.json()["code"] == "conflict"

    task = reviewer.get("/tasks").json()[0]
    code = make_credit_code("420102", "32345678")
    res = reviewer.post(
        f"/tasks/{task['id']}/decision", {"decision": "approve", "result": {"credit_code": code}}
    )
    assert res.status_code == 200 and res.json()["result"]["license"]
    food = reviewer.get("/tasks").json()[0]
    assert food["data"]["from"]["mini-registration"]["credit_code"] == code
    assert (
        reviewer.post(f"/tasks/{food['id']}/decision", {"decision": "approve"}).status_code == 200
    )
    assert (
        reviewer.post(f"/tasks/{food['id']}/decision", {"decision": "approve"}).status_code == 409
    )

    case = me.get(f"/cases/{number}").json()
    assert case["status"] == "completed" and len(case["documents"]) == 3
    verbs = [e["verb"] for e in me.get(f"/cases/{number}/timeline").json()]
    assert verbs[0] == "case.submitted" and verbs[-1] == "case.completed"
    doc = case["documents"][0]
    assert me.get(doc["url"].removeprefix("/api"))["Content-Type"] == "application/pdf"
    assert me.get(f"/cases/{number}/documents/{doc['id']}/verify").json()["valid"] is True
    commitment = case["commitments"][0]
    res = me.post(f"/commitments/{commitment['id']}/fulfil", {"file_id": file_id(me)})
    assert res.status_code == 200 and res.json()["status"] == "fulfilled"
    assert [c["number"] for c in me.get("/cases?status=completed").json()] == [number]


def test_idempotency_key_same_body_same_case_other_body_422_running_409(client, alice):
    me = Api(client, alice)
    data = payload(me)
    first = me.post("/cases", data, HTTP_IDEMPOTENCY_KEY="abc")
    second = me.post("/cases", data, HTTP_IDEMPOTENCY_KEY="abc")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["number"] == second.json()["number"] and Case.objects.count() == 1
    other = me.post(
        "/cases",
        {**data, "form": {"business_name": "别的店", "area": 1}},
        HTTP_IDEMPOTENCY_KEY="abc",
    )
    assert other.status_code == 422 and other.json()["fields"]
    IdempotencyKey.objects.filter(key="abc").update(status="running")
    assert me.post("/cases", data, HTTP_IDEMPOTENCY_KEY="abc").status_code == 409
    assert Case.objects.count() == 1


def test_a_failed_request_frees_its_key(client, alice):
    me = Api(client, alice)
    bad = me.post("/cases", {**payload(me), "form": {}}, HTTP_IDEMPOTENCY_KEY="k")
    assert bad.status_code == 422 and "form.business_name" in bad.json()["fields"]
    assert me.post("/cases", payload(me), HTTP_IDEMPOTENCY_KEY="k").status_code == 201


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"onething": "nope"},
        {"onething": "mini-restaurant", "answers": {"big": "maybe"}},
        {
            "onething": "mini-restaurant",
            "materials": [{"material": "x", "file_id": "../../etc/passwd"}],
        },
        {
            "onething": "mini-restaurant",
            "commitments": [{"material": "lease_contract", "due_date": "soon"}],
        },
        {"onething": "mini-restaurant", "form": "not an object"},
        {"onething": "mini-restaurant", "channel": "fax"},
    ],
)
def test_bad_input_is_a_chinese_error_never_a_500(client, alice, data):
    res = Api(client, alice).post("/cases", data)
    assert res.status_code in (404, 422), res.content
    assert set(res.json()) == {"code", "message", "fields"}
    assert any("\u4e00" <= ch <= "\u9fff" for ch in res.json()["message"])


def test_access_is_scoped(client, alice, bob, carol, wendy, mark, fred):
    me = Api(client, alice)
    number = me.post("/cases", payload(me)).json()["number"]
    assert Api(client, bob).get(f"/cases/{number}").status_code == 404
    assert Api(client, bob).get(f"/cases/{number}/timeline").status_code == 404
    assert Api(client, wendy).get(f"/cases/{number}").status_code == 404  # another county's window
    assert (
        Api(client, wendy).post(f"/cases/{number}/acceptance", {"decision": "accept"}).status_code
        == 404
    )
    assert Api(client, mark).get(f"/cases/{number}").status_code == 404  # no task for market yet
    assert Api(client, carol).get(f"/cases/{number}").status_code == 200
    Api(client, carol).post(f"/cases/{number}/acceptance", {"decision": "accept_with_tolerance"})
    assert Api(client, mark).get(f"/cases/{number}").status_code == 200
    assert Api(client, fred).get(f"/cases/{number}").status_code == 404
    assert Api(client, fred).get("/tasks").json() == []
    assert Api(client, bob).get("/cases").json() == []
    assert client.get(f"/api/cases/{number}").status_code == 401
    assert (
        Api(client, mark).get(f"/cases/{number}").json()["applicant"]["id_number"]
        != alice.id_number
    )


def test_cross_region_window_accepts_and_the_home_departments_process(
    client, alice, carol, wendy, mark
):
    me = Api(client, alice)
    data = payload(me, accept_region="420106")
    res = me.post("/cases", data)
    assert res.status_code == 201, res.content
    case = res.json()
    assert (case["accept_region"], case["process_region"]) == ("420106", "420102")
    number = case["number"]
    assert (
        Api(client, carol).post(f"/cases/{number}/acceptance", {"decision": "accept"}).status_code
        == 404
    )
    assert (
        Api(client, wendy)
        .post(f"/cases/{number}/acceptance", {"decision": "accept_with_tolerance"})
        .status_code
        == 200
    )
    tasks = Api(client, mark).get("/tasks").json()
    assert [t["case"] for t in tasks] == [number] and "江岸区" in tasks[0]["department"]
    assert number.startswith("420106-")


def test_an_item_without_cross_region_handling_is_refused_elsewhere(client, alice):
    me = Api(client, alice)
    res = me.post(
        "/cases", payload(me, accept_region="420106", answers={"big": "yes", "own_premises": "no"})
    )
    assert res.status_code == 422 and "跨域" in res.json()["message"]


def test_a_window_clerk_cannot_accept_for_another_region(client, carol, catalog):
    from datetime import date

    from onething.common.validators import make_id_number

    api = Api(client, carol)
    who = {"name": "王五", "id_number": make_id_number("420102", date(1980, 1, 2), 7)}
    res = api.post("/cases", payload(api, accept_region="420106", applicant=who))
    assert res.status_code == 403 and res.json()["fields"] == {"accept_region": "不在本窗口辖区"}


def test_uploads_are_sniffed_and_limited(client, alice, settings):
    me = Api(client, alice)
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 32
    res = me.upload(png, name="../../evil.pdf")
    assert res.status_code == 201 and res.json()["content_type"] == "image/png"
    assert len(res.json()["sha256"]) == 64
    exe = me.upload(b"MZ\x90\x00" + b"0" * 32, name="x.pdf")
    assert exe.status_code == 422 and exe.json()["code"] == "unprocessable"
    root = settings.MEDIA_ROOT / "cases"
    assert not [p for p in root.rglob("*") if p.name.startswith(".part")]
    assert not list(settings.MEDIA_ROOT.parent.glob("evil*"))
