"""ID and mobile numbers reviewers type (an opinion, a supplement request, the timeline's event
data): masked on the case page and in the API, shown in full only to those who may see a case's
numbers (``selectors.may_see_full``) when they ask, each such view leaving one audit row."""

import json
from datetime import date

import pytest

from onething.cases import services
from onething.cases.models import Task
from onething.common.models import AuditRecord
from onething.common.validators import make_id_number

from .test_api import Api

pytestmark = pytest.mark.django_db

ID = make_id_number("420102", date(1979, 11, 3), 58)
ID_MASKED = ID[:4] + "*" * 10 + ID[-4:]
MOBILE, MOBILE_MASKED = "15912345678", "159****5678"
OPINION = f"请补充法定代表人（身份证{ID}）的授权书，有疑问请联系经办人{MOBILE}"


def reads(action: str):
    return AuditRecord.objects.filter(action=action)


def shows_masked(text: str) -> bool:
    return ID not in text and MOBILE not in text and ID_MASKED in text and MOBILE_MASKED in text


@pytest.fixture
def asked(alice, carol, mark, submit):
    """Mark's task asks Alice to supplement, his opinion carrying an ID and a mobile number."""
    case = submit(alice)
    services.case_accept(number=case.number, actor=carol, decision="accept_with_tolerance")
    task = Task.objects.get(case=case, department=mark.department, status="active")
    services.task_decide(task_id=task.pk, actor=mark, decision="supplement", opinion=OPINION)
    return case


def test_the_reviewer_sees_the_case_page_masked_until_asking(client, mark, asked):
    client.force_login(mark)
    url = f"/cases/{asked.number}/"
    page = client.get(url).content.decode()
    assert shows_masked(page) and 'id="show-full"' in page
    assert not reads("read.case.text").exists()
    full = client.get(url + "?full=1").content.decode()
    assert ID in full and MOBILE in full and "已记入审计日志" in full
    row = reads("read.case.text").get()
    assert row.actor_id == mark.pk and row.object_id == str(asked.pk)
    assert row.detail == {"fields": ["task.opinion"]}


def test_the_applicant_sees_the_request_masked_and_may_ask_for_it_in_full(client, alice, asked):
    client.force_login(alice)
    page = client.get(f"/cases/{asked.number}/").content.decode()
    assert ID not in page and MOBILE not in page and 'id="show-full"' in page
    full = client.get(f"/cases/{asked.number}/?full=1").content.decode()
    assert MOBILE in full
    fields = reads("read.case.text").get().detail["fields"]
    assert fields == ["task.opinion", "supplement.request"]


def test_a_supervisor_gets_the_case_page_masked_even_with_full(client, sam, asked):
    client.force_login(sam)
    page = client.get(f"/cases/{asked.number}/?full=1")
    assert page.status_code == 200
    body = page.content.decode()
    assert shows_masked(body) and 'id="show-full"' not in body
    assert not AuditRecord.objects.filter(category="read").exists()


def test_the_case_api_masks_opinions_and_full_names_them_in_its_one_row(client, mark, asked):
    api = Api(client, mark)
    task = next(t for t in api.get(f"/cases/{asked.number}").json()["tasks"] if t["opinion"])
    assert shows_masked(task["opinion"])
    assert all(ID not in t["opinion"] for t in api.get("/tasks").json())
    full = api.get(f"/cases/{asked.number}?full=true").json()
    assert any(t["opinion"] == OPINION for t in full["tasks"])
    [row] = reads("read.case.form")
    assert "task.opinion" in row.detail["fields"]
    assert not reads("read.case.text").exists()


def test_the_timeline_api_masks_event_data_until_asking(client, mark, asked):
    api = Api(client, mark)
    url = f"/cases/{asked.number}/timeline"
    masked = json.dumps(api.get(url).json(), ensure_ascii=False)
    assert shows_masked(masked) and not reads("read.case.text").exists()
    full = json.dumps(api.get(url + "?full=true").json(), ensure_ascii=False)
    assert ID in full and MOBILE in full
    row = reads("read.case.text").get()
    assert row.actor_id == mark.pk
    assert row.detail == {"fields": ["timeline.task.supplement_requested.request"]}


def test_a_supervisor_may_not_ask_for_the_timeline_in_full(client, sam, asked):
    api = Api(client, sam)
    assert shows_masked(
        json.dumps(api.get(f"/cases/{asked.number}/timeline").json(), ensure_ascii=False)
    )
    refused = api.get(f"/cases/{asked.number}/timeline?full=true")
    assert refused.status_code == 403 and not reads("read.case.text").exists()


def test_the_timeline_full_parameter_is_documented(client):
    spec = client.get("/api/openapi.json").json()
    params = spec["paths"]["/api/cases/{number}/timeline"]["get"]["parameters"]
    full = next(p for p in params if p["name"] == "full")
    assert full["in"] == "query" and "审计" in full["description"]


def test_what_the_reviewer_typed_is_stored_as_typed(asked):
    assert Task.objects.get(case=asked, opinion__gt="").opinion == OPINION


def test_the_reviewer_reads_their_own_opinion_as_typed_in_the_decision_response(
    client, alice, carol, mark, submit
):
    case = submit(alice)
    services.case_accept(number=case.number, actor=carol, decision="accept_with_tolerance")
    task = Task.objects.get(case=case, department=mark.department, status="active")
    api = Api(client, mark)
    decided = api.post(f"/tasks/{task.pk}/decision", {"decision": "supplement", "opinion": OPINION})
    assert decided.status_code == 200 and decided.json()["opinion"] == OPINION
    assert not AuditRecord.objects.filter(category="read").exists()
    shown = next(t for t in api.get(f"/cases/{case.number}").json()["tasks"] if t["opinion"])
    assert shows_masked(shown["opinion"])  # the case itself: like any staff view (above)
