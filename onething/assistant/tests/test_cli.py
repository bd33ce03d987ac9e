import json
from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("assistant", *args, stdout=out)
    return out.getvalue()


def test_ask_json_has_the_search_api_shape(mini_catalog, client):
    data = json.loads(run("ask", "我想开个面馆", "--format", "json"))
    assert data == client.get("/api/assistant/search", {"q": "我想开个面馆"}).json()
    first = data["results"][0]
    assert set(first) == {"code", "name", "kind", "score", "why"}
    assert first["kind"] == "onething"


def test_ask_text_says_when_nothing_is_found(mini_catalog):
    assert "12345" in run("ask", "火星移民")


def test_eval_prints_the_figures(mini_catalog, tmp_path):
    path = tmp_path / "eval.yaml"
    path.write_text(
        "- {q: 我想开个面馆, expect: mini-restaurant}\n- {q: 開飯店, expect: mini-restaurant}\n"
    )
    out = run("eval", "--file", str(path))
    assert "hit@1=100.0%" in out and "hit@3=100.0%" in out and "MRR=1.000" in out
