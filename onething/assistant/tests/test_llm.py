"""The optional language model, against a small local fake server."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from onething.assistant import llm

pytestmark = pytest.mark.django_db


class FakeLLM(BaseHTTPRequestHandler):
    answer = "办好大约需要 11 个工作日，不收费。"
    seen: list = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeLLM.seen.append((self.path, self.headers.get("Authorization"), body))
        system = body["messages"][0]["content"]
        content = "开办餐饮店" if "改写" in system else FakeLLM.answer
        payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": content}}]})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(payload.encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_llm(settings):
    server = HTTPServer(("127.0.0.1", 0), FakeLLM)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.ONETHING_LLM_BASE_URL = f"http://127.0.0.1:{server.server_port}/v1"
    settings.ONETHING_LLM_MODEL = "fake"
    settings.ONETHING_LLM_API_KEY = "k"
    FakeLLM.seen = []
    yield FakeLLM
    server.shutdown()
    server.server_close()


def ask_time(client):
    body = json.dumps({"message": "开饭店要多久"})
    return client.post("/api/assistant/chat", body, content_type="application/json").json()[
        "replies"
    ][0]


def test_the_model_words_the_answer_and_the_citation_stays(client, mini_catalog, fake_llm):
    reply = ask_time(client)
    assert reply["text"] == FakeLLM.answer
    assert reply["citation"]["section"] == "办理时限"
    path, auth, body = fake_llm.seen[-1]
    assert (path, auth, body["model"]) == ("/v1/chat/completions", "Bearer k", "fake")
    assert "承诺办结时限：11 个工作日" in body["messages"][1]["content"]


def test_an_invented_number_is_thrown_away(client, mini_catalog, fake_llm, monkeypatch):
    monkeypatch.setattr(FakeLLM, "answer", "只要 3 天，收费 200 元。")
    reply = ask_time(client)
    assert reply["text"].startswith("关于“开办小餐馆”的办理时限")


def test_a_dead_server_falls_back_silently(client, mini_catalog, settings):
    settings.ONETHING_LLM_BASE_URL = "http://127.0.0.1:9/v1"
    reply = ask_time(client)
    assert reply["kind"] == "guide" and "11 个工作日" in reply["text"]


def test_off_by_default(settings):
    assert not llm.enabled()
    assert llm.complete("s", "u") is None
