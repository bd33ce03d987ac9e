"""Checking a policy's rules and content before it is saved or imported."""

from datetime import date

from onething.rules import services as rules

from . import holders
from .constants import Category, Mode, Recurrence, Subject

REQUIRED = ("code", "title", "subject", "category", "department", "source", "eligibility")
CONTENT = (
    "title",
    "summary",
    "department",
    "department_kind",
    "source",
    "clause",
    "tags",
    "valid_from",
    "valid_until",
    "eligibility",
    "benefit",
    "benefit_text",
    "confirmations",
)
CHOICES = {
    "subject": Subject,
    "category": Category,
    "mode": Mode,
    "recurrence": Recurrence,
}


def rule_errors(rule, subject: str) -> list[str]:
    """Chinese messages with the path inside the rule, e.g. ``/and/0/var：未知字段：agee``."""
    if subject not in Subject.values:
        return []
    variables = holders.variables_for(subject)
    return [f"{e.path or '/'}：{e.message}" for e in rules.check_stored(rule, variables=variables)]


def check(data: dict) -> dict[str, str]:
    """Field → Chinese message for everything wrong with one policy document."""
    fields = {name: "必填" for name in REQUIRED if data.get(name) in (None, "", [])}
    for name, choices in CHOICES.items():
        if data.get(name) and data[name] not in choices.values:
            fields[name] = f"取值应为：{'、'.join(choices.values)}"
    for name in ("valid_from", "valid_until"):
        if data.get(name) and not _is_date(data[name]):
            fields[name] = "日期格式应为 YYYY-MM-DD"
    for name in ("eligibility", "benefit"):
        if data.get(name) is not None and "eligibility" not in fields:
            problems = rule_errors(data[name], data.get("subject", ""))
            if problems:
                fields[name] = "；".join(problems)
    _check_lists(data, fields)
    return fields


def _check_lists(data: dict, fields: dict) -> None:
    for name in ("tags", "confirmations"):
        value = data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            fields[name] = "应为文本列表"


def _is_date(value) -> bool:
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return False
    return True
