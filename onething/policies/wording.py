"""Explanations in people's words, and which failed conditions count as a near miss.

Values are shown with the data elements' option labels (在职, 已婚 — never ``employed``), yes/no
for flags, regions by name (武汉市江岸区, never ``420102``) and 空 for a missing value. A near
miss ("差一项即可享受") is a rule that fails by
exactly one top-level condition, and that condition is *close* (``close``):

* a number compared with a constant (``≥ ≤ > <``, also "between"): the actual value is within
  ``NUMERIC_MARGIN`` of the bound (10 % of it, at least 1): 76 for "年龄 ≥ 80" is close, 38 is not;
* membership of an option list (``in``, ``==`` on an option): the actual option is next to a
  listed one in the catalog's order of options (初中 for 高中及以上), and set;
* a flag that must be true (``== true``, ``!!``): close, it is one status to obtain;
* anything else (regions, dates, texts, negations, arithmetic): not close. An ``or`` is close
  when one of its branches is.
"""

from dataclasses import dataclass
from typing import Any

from onething.accounts import selectors as accounts
from onething.rules import services as rules
from onething.rules.explain import SYMBOLS, describe, render_value

from .attributes import Attribute

NUMERIC_MARGIN = 0.10


def region_name(code: str) -> str:
    """A GB/T 2260 code as people read it: 42 and 420100 as 湖北省 and 武汉市 (a province's or a
    city's short code is padded to the six-digit code the regions table keys on)."""
    return accounts.region_label(code.ljust(6, "0") if len(code) in (2, 4) else code)


_COMPARE = {">", ">=", "<", "<="}


@dataclass(frozen=True)
class Wording:
    declared: dict[str, Attribute]

    @property
    def labels(self) -> dict[str, str]:
        return {name: a.label for name, a in self.declared.items()}

    def value(self, name: str | None, value: Any) -> str:
        attribute = self.declared.get(name) if name else None
        if attribute and attribute.option_label(value):
            return attribute.option_label(value)
        if value == "" or value is None:
            return "空"
        if attribute and attribute.type == "region" and isinstance(value, str):
            return region_name(value)
        return render_value(value)

    def describe(self, node: Any) -> str:
        op, args = _split(node)
        name = _var_name(args[0]) if args else None
        if op == "in" and len(args) == 2 and name and isinstance(args[1], list):
            shown = "、".join(self.value(name, v) for v in args[1])
            return f"{self.labels.get(name, name)} 属于 {shown}"
        if op in SYMBOLS and len(args) == 2 and name and not isinstance(args[1], (dict, list)):
            return f"{self.labels.get(name, name)} {SYMBOLS[op]} {self.value(name, args[1])}"
        if op in ("and", "or"):
            joiner = " 且 " if op == "and" else " 或 "
            return "（" + joiner.join(self.describe(a) for a in args) + "）"
        if op == "!" and args:
            return f"并非（{self.describe(args[0])}）"
        return describe(node, self.labels)

    def actual(self, node: Any, record: dict) -> str:
        names = sorted(rules.variables_of(node))
        shown = [self.value(n, rules.evaluate({"var": n}, record)) for n in names]
        if len(names) == 1:
            return shown[0]
        return "，".join(f"{self.labels.get(n, n)}={v}" for n, v in zip(names, shown, strict=True))

    def condition(self, node: Any, record: dict) -> rules.Condition:
        held = rules.holds(node, record)
        op, args = _split(node)
        if op in ("and", "or"):
            children = tuple(self.condition(a, record) for a in args)
            title = "以下条件全部满足" if op == "and" else "以下条件至少满足一项"
            return rules.Condition(title, held, "", children)
        return rules.Condition(self.describe(node), held, self.actual(node, record))

    def explain(self, rule: Any, record: dict | None) -> rules.Explanation:
        record = record or {}
        op, args = _split(rule)
        parts = args if op == "and" else [rule]
        conditions = tuple(self.condition(part, record) for part in parts)
        return rules.Explanation(rules.holds(rule, record), conditions)

    def near_miss(self, rule: Any, record: dict | None) -> bool:
        """Fails by exactly one top-level condition, and that one is close."""
        record = record or {}
        op, args = _split(rule)
        parts = args if op == "and" else [rule]
        failed = [part for part in parts if not rules.holds(part, record)]
        return len(failed) == 1 and self.close(failed[0], record)

    def close(self, node: Any, record: dict) -> bool:
        op, args = _split(node)
        if op == "or":
            return any(self.close(a, record) for a in args)
        if op == "and":
            failed = [a for a in args if not rules.holds(a, record)]
            return len(failed) == 1 and self.close(failed[0], record)
        if op in _COMPARE:
            return _numeric_close(op, args, record)
        if op == "!!" or (op == "==" and len(args) == 2 and args[1] is True):
            return _var_name(args[0]) is not None if args else False
        if op in ("in", "=="):
            return self._option_close(op, args, record)
        return False

    def _option_close(self, op: str, args: list, record: dict) -> bool:
        name = _var_name(args[0]) if args else None
        attribute = self.declared.get(name) if name else None
        if attribute is None or not attribute.options or len(args) != 2:
            return False
        wanted = args[1] if op == "in" else [args[1]]
        actual = rules.evaluate({"var": name}, record)
        order = list(attribute.options)
        if not isinstance(wanted, list) or actual not in order:
            return False
        at = order.index(actual)
        return any(v in order and abs(order.index(v) - at) == 1 for v in wanted)


def _numeric_close(op: str, args: list, record: dict) -> bool:
    """One side a field, the others constants: the field's value within the margin of the
    nearest bound it misses."""
    names = [i for i, a in enumerate(args) if _var_name(a)]
    if len(names) != 1 or len(args) not in (2, 3):
        return False
    value = rules.evaluate(args[names[0]], record)
    bounds = [a for i, a in enumerate(args) if i != names[0]]
    if not _is_number(value) or not all(_is_number(b) for b in bounds):
        return False
    return any(abs(value - b) <= max(abs(b) * NUMERIC_MARGIN, 1) for b in bounds)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _var_name(node: Any) -> str | None:
    op, args = _split(node)
    if op == "var" and args and isinstance(args[0], str) and args[0]:
        return args[0]
    return None


def _split(node: Any) -> tuple[str | None, list]:
    if not isinstance(node, dict) or len(node) != 1:
        return None, []
    ((op, args),) = node.items()
    return op, args if isinstance(args, list) else [args]
