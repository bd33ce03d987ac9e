"""Situation answers: defaults filled, wrong answers refused, every combination enumerated."""

from onething.rules import services as rules

MAX_SITUATIONS = 512


class CompileError(ValueError):
    def __init__(self, message: str, *, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


def resolve_answers(questions: list[dict], answers: dict | None) -> dict:
    """Fill defaults and refuse answers that are not options, naming the question."""
    answers = dict(answers or {})
    known = {q["code"]: q for q in questions}
    errors = {code: f"没有这个情形问题：{code}" for code in answers if code not in known}
    resolved = {}
    for q in questions:
        values = [o["value"] for o in q.get("options", [])]
        value = answers.get(q["code"], q.get("default", values[0] if values else None))
        if values and value not in values:
            errors[q["code"]] = f"“{q['text']}”的答案只能是：{'、'.join(map(str, values))}"
        resolved[q["code"]] = value
    if errors:
        raise CompileError("情形答案有误", fields=errors)
    return resolved


def holds(rule, answers: dict) -> bool:
    return rule is None or bool(rules.evaluate(rule, answers))


def situations(questions: list[dict]) -> list[dict]:
    """Every combination of answers (capped: beyond it, the defaults and each single change)."""
    combos: list[dict] = [{}]
    for q in questions:
        values = [o["value"] for o in q.get("options", [])]
        combos = [{**c, q["code"]: v} for c in combos for v in values]
        if len(combos) > MAX_SITUATIONS:
            base = resolve_answers(questions, {})
            return [base] + [
                {**base, q["code"]: o["value"]} for q in questions for o in q.get("options", [])
            ]
    return combos
