"""Bad input never gives a 5xx; user text never comes back unescaped in HTML."""

import json

import pytest

pytestmark = pytest.mark.django_db

BAD = [
    "",
    "   \n\t ",
    "开饭店" * 3400,
    "😀🎉🙏",
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>开饭店",
    "'; DROP TABLE assistant_conversation; --",
    "1 OR 1=1",
    "\x01\x02\x7f",  # NUL is refused for every request (onething.common.inputs, test_nul_input)
    "ｓｅｌｅｃｔ ＊ ｆｒｏｍ users",
]


@pytest.mark.parametrize("text", BAD)
def test_search_api_answers_anything(client, mini_catalog, text):
    response = client.get("/api/assistant/search", {"q": text})
    assert response.status_code == 200
    assert isinstance(response.json()["results"], list)


def test_search_api_without_a_query_and_odd_limits(client, mini_catalog):
    assert client.get("/api/assistant/search").json() == {"results": []}
    for limit in ["0", "-5", "100000"]:
        assert (
            client.get("/api/assistant/search", {"q": "开饭店", "limit": limit}).status_code == 200
        )
    assert client.get("/api/assistant/search", {"q": "开饭店", "limit": "many"}).status_code == 422


@pytest.mark.parametrize("text", BAD)
def test_chat_api_answers_anything(client, mini_catalog, text):
    response = client.post(
        "/api/assistant/chat", json.dumps({"message": text}), content_type="application/json"
    )
    assert response.status_code == 200
    replies = response.json()["replies"]
    assert replies and all(r["text"] for r in replies)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"choice": "nonsense"},
        {"choice": "pick:no-such-thing"},
        {"choice": "answer:mini-restaurant:big:maybe"},
        {"choice": "ask:办理时限"},
        {"choice": "answer:::"},
        {"conversation_id": 12, "message": "开饭店"},
    ],
)
def test_chat_api_odd_bodies(client, mini_catalog, body):
    response = client.post("/api/assistant/chat", json.dumps(body), content_type="application/json")
    assert response.status_code in (200, 422)
    assert "message" in response.json() or response.json()["replies"]


def test_chat_api_rejects_a_broken_body_with_a_clear_message(client, mini_catalog):
    response = client.post("/api/assistant/chat", "{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert response.json()["message"]


@pytest.mark.parametrize("text", BAD)
def test_chat_page_escapes_user_text(client, mini_catalog, text):
    response = client.post(
        "/assistant/turn", {"message": text, "prefix": "page"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<script>alert" not in body
    assert "<img src=x" not in body
