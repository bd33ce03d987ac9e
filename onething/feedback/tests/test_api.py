"""The API contract: status codes, {code, message, fields} errors, scoping, transitions."""

import json

import pytest

from onething.accounts import services as accounts
from onething.feedback.models import Rating, Ticket

from .conftest import TICKET

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, client, user):
        self.client = client
        self.auth = {"HTTP_AUTHORIZATION": f"Bearer {accounts.token_create(user=user)}"}

    def get(self, path):
        return self.client.get(f"/api{path}", **self.auth)

    def post(self, path, data=None):
        return self.client.post(
            f"/api{path}", json.dumps(data or {}), content_type="application/json", **self.auth
        )


def test_rate_a_case_and_read_the_metrics(client, completed_case, alice, mark, sam):
    me = Api(client, alice)
    r = me.post(
        "/ratings",
        {
            "case_number": completed_case.number,
            "level": 1,
            "tags": ["多次跑动"],
            "comment": "<b>差</b>",
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["level_label"] == "非常不满意" and body["comment"] == "<b>差</b>"
    assert body["rectification"]["status"] == "pending"
    again = me.post("/ratings", {"case_number": completed_case.number, "level": 5})
    assert again.status_code == 409 and "一事一评" in again.json()["message"]
    bad = me.post("/ratings", {"case_number": completed_case.number, "level": 9})
    assert bad.status_code == 422 and bad.json()["fields"] == {"level": "取值 1～5"}

    rect = body["rectification"]["id"]
    dept = Api(client, mark)
    r = dept.post(
        f"/rectifications/{rect}/reply",
        {"verification": "属实", "measures": "整改", "reply": "已改"},
    )
    assert r.status_code == 200 and r.json()["status"] == "replied"
    boss = Api(client, sam)
    assert boss.post(f"/rectifications/{rect}/check", {"approve": True}).status_code == 200
    assert me.post(f"/ratings/{body['id']}/rerate", {"level": 4}).json()["level"] == 4

    m = boss.get("/ratings/metrics?region=420102")
    assert m.status_code == 200, m.content
    assert m.json()["ratings"] == 1 and m.json()["coverage_rate"] == 1.0
    assert me.get("/ratings/metrics").status_code == 403
    assert boss.get("/ratings/metrics?region=420600").status_code == 403  # 襄阳 is not Sam's


def test_ticket_flow_over_the_api(client, olga, mark, noise_rule):
    op, dept = Api(client, olga), Api(client, mark)
    r = op.post("/tickets", {**TICKET, "source": "phone"})
    assert r.status_code == 201, r.content
    t = r.json()
    assert t["suggested_department"] == mark.department.name and t["actions"] == ["dispatch"]
    tid = t["id"]
    early = dept.get(f"/tickets/{tid}")
    assert early.status_code == 404 and early.json()["code"] == "not_found"
    assert op.post(f"/tickets/{tid}/transitions", {"action": "dispatch"}).status_code == 200
    unsigned = dept.post(f"/tickets/{tid}/transitions", {"action": "close", "note": "办完了"})
    assert unsigned.status_code == 409
    assert unsigned.json()["message"] == "工单当前状态为“已派单”，不能办结（须先由承办部门签收）"
    assert Ticket.objects.get(pk=tid).status == "dispatched"
    r = dept.post(f"/tickets/{tid}/transitions", {"action": "sign"})
    assert r.json()["status"] == "signed" and "close" in r.json()["actions"]
    assert [row["id"] for row in dept.get("/tickets").json()] == [tid]
    timeline = dept.get(f"/tickets/{tid}").json()["timeline"]
    assert [e["label"] for e in timeline] == ["受理", "派单", "签收"]


def test_oversized_and_control_text_over_the_api(client, olga, alice, completed_case):
    op = Api(client, olga)
    r = op.post("/tickets", {**TICKET, "content": "字" * 2001})
    assert r.status_code == 422 and "2000" in r.json()["message"]
    r = op.post("/tickets", {**TICKET, "content": "a\u0007b"})
    assert r.status_code == 422 and r.json()["fields"] == {"content": "含控制字符"}
    r = Api(client, alice).post(
        "/ratings", {"case_number": completed_case.number, "level": 3, "comment": "x" * 501}
    )
    assert r.status_code == 422 and not Rating.objects.exists()
    assert op.post("/tickets", {"content": "x"}).status_code == 422
    assert Ticket.objects.count() == 0


def test_anonymous_is_refused(client):
    r = client.post("/api/tickets", "{}", content_type="application/json")
    assert r.status_code == 401
