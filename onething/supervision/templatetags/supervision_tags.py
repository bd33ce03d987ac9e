import json

from django import template

from onething.supervision.conditions import condition_text

register = template.Library()


@register.filter
def cell(row: dict, column: dict) -> str:
    """A table cell as shown: percentages with %, missing figures as a dash."""
    value = row.get(column["key"])
    if value is None or value == "":
        return "—"
    if column["kind"] == "pct":
        return f"{value}%"
    return str(value)


@register.filter
def shown(value) -> str:
    return "—" if value is None else str(value)


@register.filter
def as_json(value) -> str:
    """A JsonLogic condition as the JSON it is written in (not Python's repr with its quotes)."""
    return json.dumps(value, ensure_ascii=False)


@register.filter
def condition_sentence(rule) -> str:
    """A rule's condition as a Chinese sentence, its threshold filled in."""
    return condition_text(rule.condition, rule.target, rule.threshold)


@register.simple_tag
def query(params: dict, **changes) -> str:
    """The dashboard's query string with some parameters changed."""
    from urllib.parse import urlencode

    merged = {**params, **changes}
    return urlencode({k: v for k, v in merged.items() if v})
