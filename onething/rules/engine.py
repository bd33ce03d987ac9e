"""Per-record JsonLogic evaluation with the semantics of the reference implementation.

The reference is json-logic-js (jsonlogic.com); coercions live in ``jsvalues``.
"""

import logging
import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from .jsvalues import (
    INF,
    NAN,
    less_than,
    loose_equals,
    parse_float,
    strict_equals,
    to_number,
    to_string,
    truthy,
)

log = logging.getLogger("onething.rules")


class RuleRuntimeError(ValueError):
    """The rule cannot be evaluated at all (unknown operator, ``*`` without operands)."""


def apply(rule: Any, data: Any = None) -> Any:
    if type(rule) is list:
        return [apply(item, data) for item in rule]
    if type(rule) is not dict or len(rule) != 1:
        return rule
    ((op, args),) = rule.items()
    if type(args) is not list:
        args = [args]
    lazy = LAZY.get(op)
    if lazy is not None:
        return lazy(args, data)
    eager = EAGER.get(op)
    if eager is None:
        raise RuleRuntimeError(f"Unrecognized operation {op}")
    return eager(data, [apply(arg, data) for arg in args])


# --- control flow: operands are evaluated on demand -------------------------------------------


def _if(args: list, data: Any) -> Any:
    last = len(args) - 1
    for i in range(0, last, 2):
        if truthy(apply(args[i], data)):
            return apply(args[i + 1], data)
    return apply(args[last], data) if len(args) % 2 == 1 else None


def _and(args: list, data: Any) -> Any:
    current = None
    for arg in args:
        current = apply(arg, data)
        if not truthy(current):
            return current
    return current


def _or(args: list, data: Any) -> Any:
    current = None
    for arg in args:
        current = apply(arg, data)
        if truthy(current):
            return current
    return current


def _scope(args: list, data: Any) -> tuple[Any, Any]:
    items = apply(args[0], data) if args else None
    return items, args[1] if len(args) > 1 else None


def _filter(args: list, data: Any) -> list:
    items, logic = _scope(args, data)
    return [x for x in items if truthy(apply(logic, x))] if type(items) is list else []


def _map(args: list, data: Any) -> list:
    items, logic = _scope(args, data)
    return [apply(logic, x) for x in items] if type(items) is list else []


def _reduce(args: list, data: Any) -> Any:
    items, logic = _scope(args, data)
    accumulator = args[2] if len(args) > 2 else None
    if type(items) is not list:
        return accumulator
    for item in items:
        accumulator = apply(logic, {"current": item, "accumulator": accumulator})
    return accumulator


def _all(args: list, data: Any) -> bool:
    items, logic = _scope(args, data)
    if type(items) is not list or not items:
        return False
    return all(truthy(apply(logic, x)) for x in items)


def _some(args: list, data: Any) -> bool:
    items, logic = _scope(args, data)
    return type(items) is list and any(truthy(apply(logic, x)) for x in items)


def _none(args: list, data: Any) -> bool:
    items, logic = _scope(args, data)
    return type(items) is not list or not any(truthy(apply(logic, x)) for x in items)


LAZY: dict[str, Callable[[list, Any], Any]] = {
    "if": _if,
    "?:": _if,
    "and": _and,
    "or": _or,
    "filter": _filter,
    "map": _map,
    "reduce": _reduce,
    "all": _all,
    "some": _some,
    "none": _none,
}

# --- data access -------------------------------------------------------------------------------


def get_var(data: Any, key: Any = None, default: Any = None) -> Any:
    if key is None or key == "" or key == []:
        return data
    for part in to_string(key).split("."):
        data = _child(data, part)
        if data is None:
            # Deliberate: a null value counts as missing, so the default applies (docs/rules.md).
            return default
    return float(data) if isinstance(data, Decimal) else data


def _child(data: Any, part: str) -> Any:
    kind = type(data)
    if kind is dict:
        return data.get(part)
    if kind is list or kind is str:
        if part == "length":
            return len(data)
        if part.isdigit() and part.isascii() and (part == "0" or part[0] != "0"):
            index = int(part)
            return data[index] if index < len(data) else None
    return None


def _var(data: Any, args: list) -> Any:
    return get_var(data, *args[:2])


def _missing(data: Any, args: list) -> list:
    keys = args[0] if args and type(args[0]) is list else args
    return [key for key in keys if get_var(data, key) in (None, "")]


def _missing_some(data: Any, args: list) -> list:
    need, options = (args + [None, None])[:2]
    if type(options) is not list:
        options = []
    missing = _missing(data, [options])
    return [] if less_than(need, len(options) - len(missing), or_equal=True) else missing


# --- operators on evaluated operands -----------------------------------------------------------


def _arg(args: list, i: int) -> Any:
    return args[i] if i < len(args) else _UNDEFINED


class _Undefined:
    """JavaScript ``undefined`` for absent operands: converts to NaN, unlike null."""


_UNDEFINED = _Undefined()


def _num(value: Any) -> int | float:
    return NAN if value is _UNDEFINED else to_number(value)


def _cmp(or_equal: bool, between: bool) -> Callable[[Any, list], bool]:
    def compare(data: Any, args: list) -> bool:
        a, b = _operand(args, 0), _operand(args, 1)
        if between and len(args) > 2:
            c = _operand(args, 2)
            return less_than(a, b, or_equal) and less_than(b, c, or_equal)
        return less_than(a, b, or_equal)

    return compare


def _operand(args: list, i: int) -> Any:
    value = _arg(args, i)
    return NAN if value is _UNDEFINED else value


def _greater(or_equal: bool) -> Callable[[Any, list], bool]:
    def compare(data: Any, args: list) -> bool:
        return less_than(_operand(args, 1), _operand(args, 0), or_equal)

    return compare


def _add(data: Any, args: list) -> int | float:
    total = 0
    for value in args:
        total = total + parse_float(value)
    return total


def _multiply(data: Any, args: list) -> Any:
    if not args:
        raise RuleRuntimeError("* needs at least one operand")
    # Array.reduce without a seed hands back a single operand untouched.
    product = args[0]
    for value in args[1:]:
        product = parse_float(product) * parse_float(value)
    return product


def _subtract(data: Any, args: list) -> int | float:
    if len(args) < 2:
        return -_num(_arg(args, 0))
    return _num(args[0]) - _num(args[1])


def divide(a: Any, b: Any) -> int | float:
    x, y = _num(a), _num(b)
    if y == 0:
        if x == 0 or x != x:
            return NAN
        return math.copysign(INF, x) * math.copysign(1, y)
    result = x / y
    return int(result) if type(x) is int and type(y) is int and result.is_integer() else result


def remainder(a: Any, b: Any) -> int | float:
    x, y = _num(a), _num(b)
    if y == 0 or x != x or y != y or math.isinf(x):
        return NAN
    if type(x) is int and type(y) is int:
        # JavaScript's % truncates toward zero; Python's floors.
        return int(math.copysign(abs(x) % abs(y), x))
    return math.fmod(x, y)


def _extreme(pick: Callable, empty: float) -> Callable[[Any, list], int | float]:
    def extreme(data: Any, args: list) -> int | float:
        numbers = [to_number(v) for v in args]
        if any(n != n for n in numbers):
            return NAN
        return pick(numbers) if numbers else empty

    return extreme


def _in(data: Any, args: list) -> bool:
    needle, haystack = _operand(args, 0), _arg(args, 1)
    if type(haystack) is list:
        return any(strict_equals(needle, item) for item in haystack)
    if type(haystack) is str and haystack:
        return to_string(needle) in haystack
    return False


def _cat(data: Any, args: list) -> str:
    return "".join("" if v is None else to_string(v) for v in args)


def _substr(data: Any, args: list) -> str:
    text = to_string(_arg(args, 0)) if args else "undefined"
    start, length = _arg(args, 1), _arg(args, 2)
    if length is not _UNDEFINED and less_than(length, 0):
        rest = _js_substr(text, start, _UNDEFINED)
        return _js_substr(rest, 0, len(rest) + to_number(length))
    return _js_substr(text, start, length)


def _js_substr(text: str, start: Any, length: Any) -> str:
    size = len(text)
    begin = _to_integer(_num(start))
    begin = max(size + begin, 0) if begin < 0 else min(begin, size)
    count = size - begin if length is _UNDEFINED else _to_integer(_num(length))
    count = min(max(count, 0), size - begin)
    return text[begin : begin + count]


def _to_integer(number: float) -> float:
    if number != number:
        return 0
    return number if math.isinf(number) else int(number)


def _merge(data: Any, args: list) -> list:
    merged: list = []
    for value in args:
        if type(value) is list:
            merged.extend(value)
        else:
            merged.append(value)
    return merged


def _log(data: Any, args: list) -> Any:
    value = _arg(args, 0)
    value = None if value is _UNDEFINED else value
    log.info("jsonlogic log: %r", value)
    return value


def _two(fn: Callable[[Any, Any], Any]) -> Callable[[Any, list], Any]:
    return lambda data, args: fn(_operand(args, 0), _operand(args, 1))


EAGER: dict[str, Callable[[Any, list], Any]] = {
    "var": _var,
    "missing": _missing,
    "missing_some": _missing_some,
    "==": lambda d, a: loose_equals(_nullish(a, 0), _nullish(a, 1)),
    "!=": lambda d, a: not loose_equals(_nullish(a, 0), _nullish(a, 1)),
    "===": lambda d, a: strict_equals(_nullish(a, 0), _nullish(a, 1)),
    "!==": lambda d, a: not strict_equals(_nullish(a, 0), _nullish(a, 1)),
    "<": _cmp(False, True),
    "<=": _cmp(True, True),
    ">": _greater(False),
    ">=": _greater(True),
    "!": lambda d, a: not truthy(_nullish(a, 0)),
    "!!": lambda d, a: truthy(_nullish(a, 0)),
    "+": _add,
    "-": _subtract,
    "*": _multiply,
    "/": _two(divide),
    "%": _two(remainder),
    "min": _extreme(min, INF),
    "max": _extreme(max, -INF),
    "in": _in,
    "cat": _cat,
    "substr": _substr,
    "merge": _merge,
    "log": _log,
}


def _nullish(args: list, i: int) -> Any:
    # Equality cannot tell undefined from null (undefined == null), so None stands for both.
    return args[i] if i < len(args) else None
