"""A warning rule's JsonLogic condition as a Chinese sentence a supervisor can read.

E.g. ``{"and": [{"==": [{"var": "task.status"}, "active"]},
{">": [{"var": "task.overdue_days"}, {"var": "rule.threshold"}]}]}`` with threshold 0 reads
"任务状态 = 审批中，且 超期工作日 > 0". Attributes are named by their labels in
constants.ATTRIBUTES (without the bracketed hint), the threshold by the rule's value, status codes
by their Chinese names; anything unknown falls back to its own name.
"""

import re
from typing import Any

from onething.cases.constants import CaseStatus, CommitmentStatus, TaskStatus
from onething.feedback.constants import TicketStatus
from onething.rules.explain import describe

from .constants import ATTRIBUTES, COMMON_ATTRIBUTES

STATUS_LABELS = {
    "case.status": dict(CaseStatus.choices),
    "task.status": dict(TaskStatus.choices),
    "commitment.status": dict(CommitmentStatus.choices),
    "ticket.status": dict(TicketStatus.choices),
}
THRESHOLD = "rule.threshold"
_HINT = re.compile(r"（[^（）]*）$")
_JOINERS = {"and": "，且 ", "or": "，或 "}


def labels_for(target: str) -> dict[str, str]:
    """Attribute names → short labels: "距期限剩余工作日（逾期为负）" reads "距期限剩余工作日"."""
    named = {**ATTRIBUTES.get(target, {}), **COMMON_ATTRIBUTES}
    return {name: _HINT.sub("", label) for name, label in named.items()}


def condition_text(condition: Any, target: str, threshold: float | None = None) -> str:
    """The sentence for a rule's condition; ``threshold`` replaces ``rule.threshold``."""
    node = _resolve(condition, threshold)
    return _sentence(node, labels_for(target))


def _resolve(node: Any, threshold: float | None) -> Any:
    """The tree with the threshold filled in and status codes compared to a status named."""
    if _var_name(node) == THRESHOLD and threshold is not None:
        return threshold
    if isinstance(node, list):
        return [_resolve(n, threshold) for n in node]
    if not isinstance(node, dict):
        return node
    resolved = {op: _resolve(args, threshold) for op, args in node.items()}
    return _status_named(resolved)


def _status_named(node: dict) -> dict:
    op, args = _split(node)
    if op is None or len(args) != 2:
        return node
    names = STATUS_LABELS.get(_var_name(args[0]) or "")
    if names is None:
        return node
    value = args[1]
    if isinstance(value, list):
        return {op: [args[0], [names.get(v, v) for v in value]]}
    return {op: [args[0], names.get(value, value)]} if isinstance(value, str) else node


def _sentence(node: Any, labels: dict[str, str]) -> str:
    op, args = _split(node)
    if op in _JOINERS:
        return _JOINERS[op].join(_clause(a, labels) for a in args)
    return _clause(node, labels)


def _clause(node: Any, labels: dict[str, str]) -> str:
    op, args = _split(node)
    flag = _var_name(args[0]) if op in ("!", "!!") and len(args) == 1 else _var_name(node)
    if flag:
        # A bare flag holds when true: "是否紧急" reads "紧急", "办理系统是否不可达" "办理系统不可达".
        affirmed = labels.get(flag, flag).replace("是否", "", 1)
        return f"并非{affirmed}" if op == "!" else affirmed
    if op in _JOINERS:
        return "（" + _sentence(node, labels) + "）"
    return describe(node, labels)


def _split(node: Any) -> tuple[str | None, list]:
    if isinstance(node, dict) and len(node) == 1:
        op, args = next(iter(node.items()))
        return op, args if isinstance(args, list) else [args]
    return None, []


def _var_name(node: Any) -> str | None:
    op, args = _split(node)
    if op != "var" or not args or args[0] in (None, ""):
        return None
    return str(args[0])
