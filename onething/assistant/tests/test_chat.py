"""The guidance conversation over the public API: pick, questions one at a time, the list."""

import json
from urllib.parse import parse_qs, urlparse

import pytest

pytestmark = pytest.mark.django_db
URL = "/api/assistant/chat"


def say(client, conversation_id=None, **body):
    response = client.post(
        URL,
        json.dumps({"conversation_id": conversation_id, **body}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()


def choice_values(reply):
    return [c["value"] for c in reply["choices"]]


def test_pick_then_questions_one_at_a_time_then_the_personalised_list(client, mini_catalog):
    first = say(client, message="我想开个面馆")
    assert first["stage"] == "choosing"
    candidates = first["replies"][-1]
    assert candidates["kind"] == "candidates"
    assert candidates["candidates"][0]["code"] == "mini-restaurant"
    cid = first["conversation_id"]

    asked = say(client, cid, choice="pick:mini-restaurant")
    question = asked["replies"][-1]
    assert (question["kind"], question["question"]["index"], question["question"]["total"]) == (
        "question",
        1,
        2,
    )
    assert choice_values(question) == [
        "answer:mini-restaurant:big:yes",
        "answer:mini-restaurant:big:no",
    ]

    second = say(client, cid, choice="answer:mini-restaurant:big:yes")["replies"][-1]
    assert second["question"]["code"] == "own_premises"

    done = say(client, cid, message="否")  # typed instead of clicked
    sheet = done["replies"][-1]["checklist"]
    assert done["stage"] == "done"
    assert {m["code"] for m in sheet["bring"]} == {
        "application_form",
        "lease_contract",
        "fire_plan",
    }
    why = {m["code"]: m["why"] for m in sheet["not_needed"]}
    assert why["id_card"] == "已通过电子证照获取：居民身份证"
    assert "企业设立登记" in why["business_license_copy"]
    assert (sheet["promised_days"], sheet["fee_text"]) == (11, "不收费")
    assert sheet["where"]

    link = urlparse(done["replies"][-1]["apply_url"])
    assert link.path == "/cases/apply/mini-restaurant"
    assert json.loads(parse_qs(link.query)["answers"][0]) == {"big": "yes", "own_premises": "no"}


def test_the_answers_change_the_list(client, mini_catalog):
    cid = say(client, choice="pick:mini-restaurant")["conversation_id"]
    say(client, cid, choice="answer:mini-restaurant:big:no")
    sheet = say(client, cid, choice="answer:mini-restaurant:own_premises:yes")["replies"][-1][
        "checklist"
    ]
    assert {m["code"] for m in sheet["bring"]} == {"application_form"}


@pytest.mark.parametrize(
    ("question", "section", "fragment"),
    [
        ("要多久", "办理时限", "11 个工作日"),
        ("收费吗", "收费标准", "不收费"),
        ("在哪里办", "办理地点和方式", "一窗受理"),
        ("需要什么材料", "申请材料", "申请表"),
    ],
)
def test_questions_about_the_chosen_thing_cite_the_guide(
    client, mini_catalog, question, section, fragment
):
    cid = say(client, choice="pick:mini-restaurant")["conversation_id"]
    replies = say(client, cid, message=question)["replies"]
    guide = replies[0]
    assert guide["kind"] == "guide"
    assert guide["citation"]["section"] == section
    assert fragment in " ".join(guide["citation"]["lines"])
    assert replies[-1]["kind"] == "question"  # and the pending question is asked again


def test_a_question_naming_the_thing_is_answered_at_once(client, mini_catalog):
    replies = say(client, message="开饭店要多久")["replies"]
    assert replies[0]["citation"] == {
        "code": "mini-restaurant",
        "name": "开办小餐馆",
        "section": "办理时限",
        "lines": ["承诺办结时限：11 个工作日（法定 35 个工作日）"],
    }


def test_a_published_faq_is_cited(client, mini_catalog):
    cid = say(client, choice="pick:mini-restaurant")["conversation_id"]
    guide = say(client, cid, message="多久能办好？")["replies"][0]
    assert guide["citation"]["section"] == "常见问题"


def test_when_nothing_fits_it_says_so_and_offers_a_person(client, mini_catalog):
    reply = say(client, message="火星移民签证")["replies"][-1]
    assert reply["kind"] == "handoff"
    assert "12345" in reply["text"]
    assert "12345" in say(client, choice="human")["replies"][-1]["text"]


def test_an_unknown_conversation_id_starts_a_new_one(client, mini_catalog):
    data = say(client, "not-a-uuid", message="开饭店")
    assert data["conversation_id"] != "not-a-uuid"
    again = say(client, "00000000-0000-0000-0000-000000000000", message="开饭店")
    assert again["conversation_id"] != "00000000-0000-0000-0000-000000000000"


def test_the_conversation_is_kept_on_the_server(client, mini_catalog):
    from onething.assistant.models import Conversation

    cid = say(client, message="我想开个面馆")["conversation_id"]
    say(client, cid, choice="pick:mini-restaurant")
    conv = Conversation.objects.get(pk=cid)
    assert conv.state["stage"] == "asking"
    assert [m["role"] for m in conv.messages][:2] == ["user", "assistant"]
    assert conv.messages[2]["text"] == "开办小餐馆"  # the label of the button pressed


def test_a_logged_in_person_asking_for_a_human_gets_a_12345_ticket(client, mini_catalog, alice):
    from onething.feedback.models import Ticket

    client.force_login(alice)
    first = client.post(
        "/api/assistant/chat", {"message": "我想开个面馆"}, content_type="application/json"
    ).json()
    reply = client.post(
        "/api/assistant/chat",
        {"conversation_id": first["conversation_id"], "choice": "human"},
        content_type="application/json",
    ).json()
    ticket = Ticket.objects.get()
    assert ticket.source == "assistant" and "面馆" in ticket.content
    assert ticket.number in str(reply)
