"""The one rules engine: JsonLogic documents evaluated, validated, explained and compiled.

Other apps import only this module (and ``selectors`` if one appears).
"""

from dataclasses import dataclass
from typing import Any

from json_logic import jsonLogic

# The standard JsonLogic operator set (jsonlogic.com/operations.html).
STANDARD_OPERATORS = frozenset(
    """var missing missing_some if ?: == === != !== ! !! or and > >= < <= max min + - * / %
    map reduce filter all none some merge in cat substr log""".split()
)


@dataclass(frozen=True)
class RuleError:
    path: str  # JSON-pointer-like path inside the rule, e.g. "/and/1/>="
    message: str  # Chinese, for staff


def evaluate(rule: Any, data: dict | None = None) -> Any:
    """Evaluate a JsonLogic rule against one record."""
    return jsonLogic(rule, data or {})


def validate(rule: Any, *, variables: set[str] | None = None) -> list[RuleError]:
    """Structural check: known operators, one-key objects, and (optionally) known variables."""
    errors: list[RuleError] = []
    _walk(rule, "", variables, errors)
    return errors


def _walk(node: Any, path: str, variables: set[str] | None, errors: list[RuleError]) -> None:
    if isinstance(node, list):
        for i, child in enumerate(node):
            _walk(child, f"{path}/{i}", variables, errors)
        return
    if not isinstance(node, dict):
        return
    if len(node) != 1:
        errors.append(RuleError(path or "/", "规则对象必须恰好包含一个运算符"))
        return
    (op, args), = node.items()
    here = f"{path}/{op}"
    if op not in STANDARD_OPERATORS:
        errors.append(RuleError(here, f"未知运算符：{op}"))
        return
    if op == "var" and variables is not None:
        name = args[0] if isinstance(args, list) and args else args
        if isinstance(name, str) and name and name.split(".")[0] not in variables:
            errors.append(RuleError(here, f"未知字段：{name}"))
    if op in {"map", "filter", "all", "none", "some", "reduce"}:
        # Inside iteration the data is the element: only the collection argument names fields.
        _walk(args[0] if isinstance(args, list) and args else args, f"{here}/0", variables, errors)
        return
    _walk(args, here, variables, errors)


def variables_of(rule: Any) -> set[str]:
    """Top-level field names a rule reads (first path segment of each var)."""
    found: set[str] = set()

    def walk(node):
        if isinstance(node, list):
            for child in node:
                walk(child)
        elif isinstance(node, dict) and len(node) == 1:
            (op, args), = node.items()
            if op == "var":
                name = args[0] if isinstance(args, list) and args else args
                if isinstance(name, str) and name:
                    found.add(name.split(".")[0])
            elif op in {"map", "filter", "all", "none", "some", "reduce"}:
                walk(args[0] if isinstance(args, list) and args else args)
            else:
                walk(args)

    walk(rule)
    return found
