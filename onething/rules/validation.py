"""Static checks of a JsonLogic document, each error located by a path inside the rule."""

from dataclasses import dataclass
from typing import Any

STANDARD_OPERATORS = frozenset(
    [
        "var",
        "missing",
        "missing_some",
        "if",
        "?:",
        "==",
        "===",
        "!=",
        "!==",
        "!",
        "!!",
        "or",
        "and",
        ">",
        ">=",
        "<",
        "<=",
        "max",
        "min",
        "+",
        "-",
        "*",
        "/",
        "%",
        "map",
        "reduce",
        "filter",
        "all",
        "none",
        "some",
        "merge",
        "in",
        "cat",
        "substr",
        "log",
    ]
)
ITERATION_OPERATORS = frozenset({"map", "reduce", "filter", "all", "none", "some"})
# (minimum, maximum) operand counts; None means unbounded.
ARITY = {
    **dict.fromkeys(("==", "===", "!=", "!==", ">", ">=", "in", "/", "%"), (2, 2)),
    **dict.fromkeys(("<", "<="), (2, 3)),
    **dict.fromkeys(("!", "!!", "log"), (1, 1)),
    **dict.fromkeys(("map", "filter", "all", "none", "some"), (2, 2)),
    "reduce": (2, 3),
    "-": (1, 2),
    "*": (1, None),
    "substr": (2, 3),
    "missing_some": (2, 2),
    "var": (0, 2),
}


@dataclass(frozen=True)
class RuleError:
    path: str  # JSON-pointer-like path inside the rule, e.g. "/and/1/>="
    message: str  # Chinese, for staff


# A stored rule is written by people: the largest shipped one has 33 nodes and depth 8.
MAX_NODES = 2_000
MAX_DEPTH = 32
MAX_TEXT = 20_000  # characters in all the rule's strings together
# bool before int (a bool is an int); subclasses count (Django's form JSONString is a str).
KINDS = [
    (bool, "布尔值"),
    (str, "文本"),
    (list, "数组"),
    ((int, float), "数字"),
    (type(None), "空值"),
]


def check_stored(rule: Any, variables: set[str] | None) -> list[RuleError]:
    """What every place that stores a rule asks: a JsonLogic object of known operators, with
    operands that make sense, within the size limits. A bare string, number or list is not a
    rule: in JsonLogic a non-empty string is true, so it would hold for every record."""
    if not isinstance(rule, dict):
        kind = next((name for cls, name in KINDS if isinstance(rule, cls)), "其他值")
        return [RuleError("/", f'规则应为 JsonLogic 对象（如 {{">": [...]}}），不能是{kind}')]
    too_big = _size_problem(rule)
    if too_big:
        return [RuleError("/", too_big)]
    return validate(rule, variables)


def _size_problem(rule: Any) -> str | None:
    # Iterative, so that a rule nested thousands deep is measured, not a RecursionError.
    nodes, text, stack = 0, 0, [(rule, 1)]
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            return f"规则过大：最多 {MAX_NODES} 个节点"
        if depth > MAX_DEPTH:
            return f"规则嵌套过深：最多 {MAX_DEPTH} 层"
        if isinstance(node, str):
            text += len(node)
        elif isinstance(node, dict):
            text += sum(len(str(k)) for k in node)
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
        if text > MAX_TEXT:
            return f"规则中的文字过长：最多 {MAX_TEXT} 个字"
    return None


def validate(rule: Any, variables: set[str] | None) -> list[RuleError]:
    errors: list[RuleError] = []
    _walk(rule, "", variables, errors)
    return errors


def _walk(node: Any, path: str, variables: set[str] | None, errors: list[RuleError]) -> None:
    if isinstance(node, list):
        for i, child in enumerate(node):
            _walk(child, f"{path}/{i}", variables, errors)
        return
    if not isinstance(node, dict):
        if not _is_json_scalar(node):
            errors.append(RuleError(path or "/", f"不是合法的 JSON 值：{node!r}"))
        return
    if len(node) != 1:
        errors.append(RuleError(path or "/", "规则对象必须恰好包含一个运算符"))
        return
    ((op, args),) = node.items()
    here = f"{path}/{op}"
    if op not in STANDARD_OPERATORS:
        errors.append(RuleError(here, f"未知运算符：{op}"))
        return
    operands = args if isinstance(args, list) else [args]
    if _check_arity(op, operands, here, errors):
        _check_names(op, operands, here, variables, errors)
    if op in ITERATION_OPERATORS:
        # Inside iteration the data is the element: only the collection argument names fields.
        _walk(operands[0], f"{here}/0", variables, errors)
        for i, child in enumerate(operands[1:], 1):
            _walk(child, f"{here}/{i}", None, errors)
        return
    _walk(args, here, variables, errors)


def _is_json_scalar(value: Any) -> bool:
    if isinstance(value, float):
        return value == value and abs(value) != float("inf")
    return value is None or isinstance(value, (bool, int, str))


def _check_arity(op: str, operands: list, path: str, errors: list[RuleError]) -> bool:
    low, high = ARITY.get(op, (0, None))
    count = len(operands)
    if count < low or (high is not None and count > high):
        wanted = f"{low}" if low == high else f"{low}–{high or '多'}"
        errors.append(RuleError(path, f"运算符 {op} 需要 {wanted} 个参数，实际 {count} 个"))
        return False
    return True


def _check_names(op: str, operands: list, path: str, variables: set[str] | None, errors: list):
    if op == "var":
        _check_name(operands[0] if operands else None, path, variables, errors)
    elif op in ("missing", "missing_some"):
        for key in _missing_keys(op, operands):
            if isinstance(key, str):
                _check_name(key, path, variables, errors)


def _missing_keys(op: str, operands: list) -> list:
    keys = operands[1] if op == "missing_some" else operands
    if op == "missing" and operands and isinstance(operands[0], list):
        keys = operands[0]
    return keys if isinstance(keys, list) else []


def _check_name(name: Any, path: str, variables: set[str] | None, errors: list) -> None:
    if isinstance(name, (dict, list)) and name:
        return  # a computed name: only known at evaluation time
    if not isinstance(name, (str, int, float, type(None))) or isinstance(name, bool):
        errors.append(RuleError(path, f"字段名必须是文本：{name!r}"))
    elif _unknown(name, variables):
        errors.append(RuleError(path, f"未知字段：{name}"))


def _unknown(name: Any, variables: set[str] | None) -> bool:
    # "" and null name the whole record, which always exists.
    return (
        variables is not None
        and isinstance(name, str)
        and bool(name)
        and name.split(".")[0] not in variables
    )


def variables_of(rule: Any) -> set[str]:
    """Top-level field names a rule reads (first path segment of each var)."""
    found: set[str] = set()
    _collect(rule, found)
    return found


def _collect(node: Any, found: set[str]) -> None:
    if isinstance(node, list):
        for child in node:
            _collect(child, found)
        return
    if not isinstance(node, dict) or len(node) != 1:
        return
    ((op, args),) = node.items()
    operands = args if isinstance(args, list) else [args]
    if op == "var":
        name = operands[0] if operands else None
        if isinstance(name, str) and name:
            found.add(name.split(".")[0])
    elif op in ITERATION_OPERATORS:
        _collect(operands[:1], found)
    else:
        _collect(operands, found)
