"""Optional language model (OpenAI-compatible chat completions), off unless configured.

It may rephrase a question for retrieval and word an answer from guide lines it is given.
It never supplies a fact: a worded answer whose numbers are not all in the cited lines is
thrown away, and every failure (timeout, bad JSON, HTTP error) falls back silently.
"""

import json
import logging
import re
import urllib.request

from django.conf import settings

TIMEOUT_SECONDS = 3.0
MAX_CHARS = 400
log = logging.getLogger(__name__)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def enabled() -> bool:
    return bool(getattr(settings, "ONETHING_LLM_BASE_URL", None))


def complete(system: str, user: str) -> str | None:
    """One chat completion, or None on any problem."""
    if not enabled():
        return None
    try:
        with urllib.request.urlopen(_request(system, user), timeout=TIMEOUT_SECONDS) as resp:
            body = json.loads(resp.read(65536).decode("utf-8"))
        text = body["choices"][0]["message"]["content"]
    except Exception as exc:  # any failure at all: the default path must go on
        log.info("assistant LLM unavailable: %s", exc)
        return None
    return text.strip()[:MAX_CHARS] if isinstance(text, str) and text.strip() else None


def _request(system: str, user: str) -> urllib.request.Request:
    base = str(settings.ONETHING_LLM_BASE_URL).rstrip("/")
    payload = {
        "model": getattr(settings, "ONETHING_LLM_MODEL", None) or "default",
        "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
        "temperature": 0,
    }
    headers = {"Content-Type": "application/json"}
    if key := getattr(settings, "ONETHING_LLM_API_KEY", None):
        headers["Authorization"] = f"Bearer {key}"
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return urllib.request.Request(f"{base}/chat/completions", data=data, headers=headers)


def rephrase(question: str) -> str | None:
    """A short standard wording of a resident's question, for retrieval only."""
    system = (
        "你是湖北政务服务导办助手。把群众的口语化描述改写成一句规范的政务服务事项关键词，"
        "不超过30个字，只输出改写结果。"
    )
    text = complete(system, question[:200])
    return text[:60] if text else None


def word_answer(question: str, section: str, lines: list[str]) -> str | None:
    """Answer in plain words from the given guide lines only; None unless grounded."""
    system = (
        "你是湖北政务服务导办助手。只能根据给出的办事指南内容回答，不得编造材料、时限或费用，"
        "回答简洁，不超过100字。"
    )
    source = f"办事指南·{section}：\n" + "\n".join(lines)
    text = complete(system, f"{source}\n\n群众问题：{question[:200]}")
    return text if text and grounded(text, lines) else None


def grounded(text: str, lines: list[str]) -> bool:
    """Every number in the worded answer appears in the cited lines."""
    source = " ".join(lines)
    return all(number in source for number in _NUMBER.findall(text))
