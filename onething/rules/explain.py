"""Which conditions of a rule held for one record, in Chinese, with the actual values."""

import json
from dataclasses import dataclass, field
from typing import Any

from .engine import apply
from .jsvalues import number_to_string, truthy
from .validation import variables_of

SYMBOLS = {
    "==": "=",
    "===": "=",
    "!=": "≠",
    "!==": "≠",
    ">": ">",
    ">=": "≥",
    "<": "<",
    "<=": "≤",
    "+": "+",
    "-": "-",
    "*": "×",
    "/": "÷",
    "%": "mod",
}
GROUPS = {"and": "以下条件全部满足", "or": "以下条件至少满足一项"}


@dataclass(frozen=True)
class Condition:
    text: str  # e.g. "从业人数 ≥ 10"
    held: bool
    actual: str  # "" when the condition reads no field
    children: tuple["Condition", ...] = field(default=())

    @property
    def line(self) -> str:
        verdict = "满足" if self.held else "不满足"
        return f"{self.text}：{verdict}" + (f"（实际 {self.actual}）" if self.actual else "")


@dataclass(frozen=True)
class Explanation:
    passed: bool
    conditions: tuple[Condition, ...]  # the top-level `and` operands, or the rule itself

    @property
    def failed(self) -> tuple[Condition, ...]:
        return tuple(c for c in self.conditions if not c.held)

    @property
    def failed_count(self) -> int:
        return len(self.failed)

    @property
    def near_miss(self) -> bool:
        """Failed by exactly one top-level condition: worth showing as "差一项"."""
        return not self.passed and self.failed_count == 1

    @property
    def lines(self) -> list[str]:
        out: list[str] = []
        for condition in self.conditions:
            _flatten(condition, 0, out)
        return out


def _flatten(condition: Condition, depth: int, out: list[str]) -> None:
    out.append("  " * depth + condition.line)
    for child in condition.children:
        _flatten(child, depth + 1, out)


def explain(rule: Any, record: dict | None, labels: dict[str, str]) -> Explanation:
    record = record or {}
    parts = _operands(rule) if _op(rule) == "and" else [rule]
    conditions = tuple(_condition(part, record, labels) for part in parts)
    return Explanation(truthy(apply(rule, record)), conditions)


def _condition(node: Any, record: dict, labels: dict[str, str]) -> Condition:
    held = truthy(apply(node, record))
    op = _op(node)
    if op in GROUPS:
        children = tuple(_condition(child, record, labels) for child in _operands(node))
        return Condition(GROUPS[op], held, "", children)
    return Condition(describe(node, labels), held, _actual(node, record, labels))


def _actual(node: Any, record: dict, labels: dict[str, str]) -> str:
    names = sorted(variables_of(node))
    values = [render_value(apply({"var": name}, record)) for name in names]
    if len(names) == 1:
        return values[0]
    return "，".join(f"{labels.get(n, n)}={v}" for n, v in zip(names, values, strict=True))


def describe(node: Any, labels: dict[str, str]) -> str:
    """Chinese rendering of a rule fragment, e.g. "注册区划 属于 [420100, 420200]"."""
    op = _op(node)
    if op is None:
        return render_value(node) if not isinstance(node, list) else _render_list(node, labels)
    args = _operands(node)
    text = [describe(a, labels) for a in args]
    if op == "var":
        name = args[0] if args else ""
        return labels.get(str(name), str(name)) if name not in (None, "", []) else "当前数据"
    if op in ("<", "<=") and len(args) == 3:
        return f"{text[0]} {SYMBOLS[op]} {text[1]} {SYMBOLS[op]} {text[2]}"
    if op in SYMBOLS and len(args) == 2:
        return f"{text[0]} {SYMBOLS[op]} {text[1]}"
    return _describe_other(op, args, text, labels)


def _describe_other(op: str, args: list, text: list[str], labels: dict[str, str]) -> str:
    if op == "in" and len(args) == 2:
        if isinstance(args[1], list) or _op(args[1]) not in (None, "var"):
            return f"{text[0]} 属于 {text[1]}"
        return f"{text[1]} 包含 {text[0]}"
    if op == "!":
        return f"并非（{text[0]}）" if text else "非"
    if op == "!!":
        return f"{text[0]} 为真" if text else "真"
    if op in GROUPS:
        joiner = " 且 " if op == "and" else " 或 "
        return "（" + joiner.join(text) + "）"
    if op in ("missing", "missing_some"):
        return f"缺少字段 {json.dumps(args, ensure_ascii=False)}"
    if op == "-" and len(args) == 1:
        return f"-{text[0]}"
    if op in SYMBOLS:
        return "（" + f" {SYMBOLS[op]} ".join(text) + "）"
    return f"{op}（{'，'.join(text)}）"


def _render_list(items: list, labels: dict[str, str]) -> str:
    return "[" + ", ".join(describe(i, labels) for i in items) + "]"


def render_value(value: Any) -> str:
    if value is None:
        return "空"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        return number_to_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(render_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _op(node: Any) -> str | None:
    if isinstance(node, dict) and len(node) == 1:
        return next(iter(node))
    return None


def _operands(node: dict) -> list:
    args = next(iter(node.values()))
    return args if isinstance(args, list) else [args]
