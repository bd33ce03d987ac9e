"""The guidance conversation as a state machine over a plain dict (stored by ``services``).

Stages: ``idle`` → ``choosing`` (candidates shown) → ``asking`` (situation questions, one at
a time) → ``done`` (personalised list shown). Every turn returns a list of reply bubbles:
``{"kind", "text", "choices", …}``. Choices are opaque strings the client posts back:
``pick:<code>``, ``answer:<code>:<question>:<value>``, ``ask:<section>``, ``human``, ``restart``.
"""

from onething.catalog import selectors as catalog
from onething.catalog.blueprint import Blueprint

from . import checklist, guide, hotline, llm
from . import selectors as finder
from . import text as tx

MAX_CANDIDATES = 4
# Candidates far below the best one are noise to a person choosing (面馆 → 员工录用).
CANDIDATE_SHARE = 0.3
EXAMPLES = ["孩子刚出生要办什么", "我想开个饭店", "家里老人去世了要办哪些手续", "公司要注销"]
HOTLINE = (
    "您也可以拨打 12345 政务服务便民热线（24小时）咨询，或到就近的政务服务中心"
    "“办不成事”反映窗口，由工作人员帮您办理。"
)
YES = {"是", "是的", "对", "对的", "有", "嗯", "yes", "y", "好", "需要", "要"}
NO = {"否", "不是", "不", "没有", "无", "no", "n", "不对", "不需要", "不要"}
QUICK_ASKS = ["办理时限", "收费标准", "办理地点和方式"]


def bubble(kind: str, text: str, **extra) -> dict:
    return {"kind": kind, "text": text, "choices": extra.pop("choices", []), **extra}


def greeting(lead: str = "您好，我是导办助手。") -> dict:
    return bubble(
        "notice",
        lead + "请用一句话说说您要办的事，例如：" + "；".join(EXAMPLES) + "。",
        choices=[{"value": f"say:{e}", "label": e} for e in EXAMPLES[:3]],
    )


def respond(state: dict, *, message: str = "", choice: str = "", user=None) -> list[dict]:
    if choice:
        return _on_choice(state, choice, user)
    return _on_message(state, message or "", user)


# ---- choices ------------------------------------------------------------------------------


def _on_choice(state: dict, choice: str, user) -> list[dict]:
    action, _, rest = choice.partition(":")
    handlers = {
        "pick": lambda: start(state, rest, user),
        "answer": lambda: _on_answer(state, rest, user),
        "ask": lambda: _on_ask(state, rest, user),
        "say": lambda: _on_message(state, rest, user),
        "human": lambda: [handoff(state, user=user)],
        "restart": lambda: _restart(state),
    }
    handler = handlers.get(action)
    return (
        handler() if handler else [bubble("notice", "没有这个选项，请重新选择或直接输入您的问题。")]
    )


def _restart(state: dict) -> list[dict]:
    state.clear()
    state["stage"] = "idle"
    return [greeting()]


def _on_answer(state: dict, rest: str, user) -> list[dict]:
    code, _, rest = rest.partition(":")
    question, _, value = rest.partition(":")
    if state.get("stage") != "asking" or state.get("code") != code:
        return [bubble("notice", "这个问题已经回答过了。")] + _next(state, user)
    current = _current_question(state)
    if current is None or current["code"] != question:
        return _next(state, user)
    if value not in {o["value"] for o in current.get("options", [])}:
        return [bubble("notice", "请从给出的选项中选择。")] + _next(state, user)
    state.setdefault("answers", {})[question] = value
    return _next(state, user)


def _on_ask(state: dict, section: str, user) -> list[dict]:
    version = _version(state)
    if version is None:
        return [bubble("notice", "请先告诉我您要办的事。")]
    return [_guide(state, version, section, "", user)]


# ---- free text ----------------------------------------------------------------------------


def _on_message(state: dict, message: str, user) -> list[dict]:
    text = message.strip()
    if not text:
        return [greeting("您还没有输入内容。")]
    if not tx.runs(tx.normalise(text[: tx.MAX_QUERY_CHARS])):
        return [
            bubble("notice", "没看懂您的意思，请用文字描述您要办的事，例如“孩子刚出生要办什么”。")
        ]
    notes = []
    if len(text) > tx.MAX_QUERY_CHARS:
        notes.append(bubble("notice", f"您的描述较长，我先按前 {tx.MAX_QUERY_CHARS} 个字理解。"))
        text = text[: tx.MAX_QUERY_CHARS]
    return notes + _understand(state, text, user)


def _understand(state: dict, text: str, user) -> list[dict]:
    state["last_text"] = text[:500]  # what a person taking over would need to read first
    if state.get("stage") == "asking" and (value := _typed_option(state, text)):
        return _on_answer(
            state, f"{state['code']}:{_current_question(state)['code']}:{value}", user
        )
    intent = guide.intent_of(text)
    candidates = find(text)
    if intent and state.get("code") and not _names_another(state, candidates, text):
        return _guide_then_continue(state, intent, text, user)
    if not candidates:
        return [handoff(state, user=None, found_nothing=True)]
    if intent and _confident(candidates, text):
        state.update(stage="done", code=candidates[0]["code"], answers={})
        return [_guide(state, _version(state), intent, text, user), _offer_guidance(state)]
    if _confident(candidates, text):
        return start(state, candidates[0]["code"], user)
    return [_choose(state, candidates)]


def find(text: str) -> list[dict]:
    """One-things the words lead to: direct hits, owners of matched items, one-class members."""
    query = text
    if llm.enabled() and (better := llm.rephrase(text)):
        query = f"{text} {better}"
    out: dict[str, dict] = {}
    for hit in finder.search(query, limit=12):
        for code in hit.onethings:
            out.setdefault(
                code, {"code": code, "score": hit.score, "why": hit.why, "via": hit.name}
            )
    rows = list(out.values())
    return [r for r in rows if r["score"] >= CANDIDATE_SHARE * rows[0]["score"]][:MAX_CANDIDATES]


def _confident(candidates: list[dict], text: str) -> bool:
    """Sure enough to skip the choice: the name or an alias was said, and nothing close."""
    top = candidates[0]
    runner_up = candidates[1]["score"] if len(candidates) > 1 else 0.0
    version = catalog.version_latest(top["code"])
    if version is None or top["score"] < 2 * runner_up:
        return False
    normal = tx.normalise(text)
    names = [version.snapshot["name"], *version.snapshot.get("aliases", [])]
    return any(tx.normalise(n) in normal for n in names if len(n) >= 2)


def _names_another(state: dict, candidates: list[dict], text: str) -> bool:
    return (
        bool(candidates) and candidates[0]["code"] != state["code"] and _confident(candidates, text)
    )


def _typed_option(state: dict, text: str) -> str | None:
    question = _current_question(state)
    if question is None:
        return None
    normal = tx.normalise(text).rstrip("。.!！")
    for option in question.get("options", []):
        if normal in {tx.normalise(option["label"]), str(option["value"]).lower()}:
            return option["value"]
    labels = {o["label"]: o["value"] for o in question.get("options", [])}
    if normal in YES and "是" in labels:
        return labels["是"]
    if normal in NO and "否" in labels:
        return labels["否"]
    return None


def _choose(state: dict, candidates: list[dict]) -> dict:
    state.update(stage="choosing", candidates=[c["code"] for c in candidates])
    rows = [_candidate_row(c) for c in candidates]
    choices = [{"value": f"pick:{r['code']}", "label": r["name"]} for r in rows if r]
    choices.append({"value": "human", "label": "都不是，找人工"})
    return bubble(
        "candidates", "您要办的可能是下面这些事，请选一个：", candidates=rows, choices=choices
    )


def _candidate_row(c: dict) -> dict | None:
    version = catalog.version_latest(c["code"])
    if version is None:
        return None
    s = version.snapshot
    return {
        "code": c["code"],
        "name": s["name"],
        "description": s.get("description") or "",
        "why": c["why"],
        "score": round(c["score"], 3),
    }


# ---- guidance -----------------------------------------------------------------------------


def start(state: dict, code: str, user) -> list[dict]:
    version = catalog.version_latest(code)
    if version is None:
        return [bubble("notice", "没有找到这件事，请换个说法试试。")]
    state.clear()
    state.update(stage="asking", code=code, answers={})
    s = version.snapshot
    count = len(s.get("questions", []))
    intro = f"好的，我们来办“{s['name']}”。" + (s.get("description") or "")
    if count:
        intro += f" 先请您回答 {count} 个小问题，我据此列出您需要准备的材料。"
    return [bubble("notice", intro)] + _next(state, user)


def _version(state: dict):
    return catalog.version_latest(state["code"]) if state.get("code") else None


def _questions(state: dict) -> list[dict]:
    version = _version(state)
    return version.snapshot.get("questions", []) if version else []


def _current_question(state: dict) -> dict | None:
    answers = state.get("answers", {})
    return next((q for q in _questions(state) if q["code"] not in answers), None)


def _next(state: dict, user) -> list[dict]:
    if state.get("stage") != "asking":
        return []
    question = _current_question(state)
    if question is not None:
        return [_question_bubble(state, question)]
    state["stage"] = "done"
    return [_checklist_bubble(state, user)]


def _question_bubble(state: dict, question: dict) -> dict:
    questions = _questions(state)
    index = [q["code"] for q in questions].index(question["code"]) + 1
    prefix = f"answer:{state['code']}:{question['code']}:"
    return bubble(
        "question",
        f"（{index}/{len(questions)}）{question['text']}",
        question={
            "code": question["code"],
            "text": question["text"],
            "index": index,
            "total": len(questions),
        },
        choices=[
            {"value": prefix + str(o["value"]), "label": o["label"]} for o in question["options"]
        ],
    )


def _checklist_bubble(state: dict, user) -> dict:
    sheet = checklist.build(_version(state), state.get("answers", {}), user=user)
    return bubble(
        "checklist",
        checklist.summary(sheet),
        checklist=sheet,
        apply_url=sheet["apply_url"],
        choices=_after_choices(),
    )


def _after_choices() -> list[dict]:
    asks = [{"value": f"ask:{title}", "label": title} for title in QUICK_ASKS]
    return asks + [{"value": "restart", "label": "办其他事"}, {"value": "human", "label": "转人工"}]


def _guide(state: dict, version, section: str, question: str, user) -> dict:
    answers = state.get("answers", {})
    bp = Blueprint.of(catalog.blueprint(version, answers))
    sheet = checklist.build(version, answers, user=user) if state.get("stage") == "done" else None
    return guide.answer(bp, section, question=question, sheet=sheet)


def _guide_then_continue(state: dict, intent: str, text: str, user) -> list[dict]:
    reply = [_guide(state, _version(state), intent, text, user)]
    return reply + (_next(state, user) if state.get("stage") == "asking" else [])


def _offer_guidance(state: dict) -> dict:
    name = _version(state).snapshot["name"]
    return bubble(
        "notice",
        f"需要我按您的情况列出“{name}”的材料清单吗？",
        choices=[
            {"value": f"pick:{state['code']}", "label": "好的，开始"},
            {"value": "restart", "label": "办其他事"},
        ],
    )


def handoff(state: dict, *, user=None, found_nothing: bool = False) -> dict:
    """When the assistant cannot help: say so plainly and offer a person.

    A 12345 ticket is opened only when a logged-in person asks for a human, so that
    someone can call them back; finding nothing just offers that choice.
    """
    ticket = None if found_nothing else hotline.hotline_ticket_create(state=state, user=user)
    lead = "抱歉，我没能找到与您描述相符的事项。" if found_nothing else "好的，为您转人工服务。"
    text = (
        lead + HOTLINE + (f" 已为您生成12345工单：{ticket}，工作人员会联系您。" if ticket else "")
    )
    choices = [{"value": "restart", "label": "换个说法再试"}]
    if found_nothing:
        choices.append({"value": "human", "label": "转人工（生成12345工单）"})
    return bubble("handoff", text, choices=choices)
