"""JavaScript value semantics that JsonLogic inherits: coercions, equality, ordering.

Every engine (per-record, DuckDB, Polars) follows these definitions; the deliberate
deviations from ECMAScript are listed in docs/rules.md ("Semantics decisions").
"""

import math
import re
from decimal import Decimal
from typing import Any

NAN = float("nan")
INF = float("inf")

# ECMAScript StrWhiteSpaceChar: what Number() and parseFloat() strip around a string.
JS_WHITESPACE = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
# Decimal notation only (no hex, no "Infinity"): the compiled engines can reproduce exactly this.
DECIMAL_PATTERN = r"[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?"
_FULL_DECIMAL = re.compile(DECIMAL_PATTERN + r"\Z")
_PREFIX_DECIMAL = re.compile(DECIMAL_PATTERN)


def is_number(value: Any) -> bool:
    return type(value) in (int, float) or isinstance(value, Decimal)


def to_number(value: Any) -> int | float:
    """ECMAScript ToNumber (Number(x)), restricted to decimal notation for strings."""
    kind = type(value)
    if kind is int or kind is float:
        return value
    if value is None or value is False:
        return 0
    if value is True:
        return 1
    if kind is str:
        return string_to_number(value)
    if isinstance(value, Decimal):
        return float(value)
    if kind is list:
        return string_to_number(to_string(value))
    return NAN


def string_to_number(text: str) -> int | float:
    text = text.strip(JS_WHITESPACE)
    if not text:
        return 0
    if not _FULL_DECIMAL.match(text):
        return NAN
    return _float_or_int(float(text))


def parse_float(value: Any) -> int | float:
    """ECMAScript parseFloat: longest decimal prefix of String(x), else NaN."""
    if type(value) in (int, float):
        return value
    found = _PREFIX_DECIMAL.match(to_string(value).lstrip(JS_WHITESPACE))
    return _float_or_int(float(found.group(0))) if found else NAN


def _float_or_int(number: float) -> int | float:
    # Integral results stay ints so that results print like JavaScript ("6", not "6.0").
    if (
        number.is_integer()
        and abs(number) < 2**53
        and not (number == 0 and math.copysign(1, number) < 0)
    ):
        return int(number)
    return number


def to_string(value: Any) -> str:
    """ECMAScript String(x); arrays join with "," and render null elements as ""."""
    kind = type(value)
    if kind is str:
        return value
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int or kind is float or isinstance(value, Decimal):
        return number_to_string(value)
    if kind is list:
        return ",".join("" if item is None else to_string(item) for item in value)
    return "[object Object]"


def number_to_string(number: int | float) -> str:
    """ECMAScript Number::toString: shortest round-trip digits, exponent outside 1e-7..1e21."""
    if isinstance(number, int) and abs(number) < 10**21:
        return str(number)
    number = float(number)
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == 0:
        return "0"
    sign, digits, exponent = Decimal(repr(abs(number))).normalize().as_tuple()
    return ("-" if number < 0 else "") + _layout("".join(map(str, digits)), len(digits) + exponent)


def _layout(digits: str, point: int) -> str:
    size = len(digits)
    if size <= point <= 21:
        return digits + "0" * (point - size)
    if 0 < point <= 21:
        return digits[:point] + "." + digits[point:]
    if -6 < point <= 0:
        return "0." + "0" * -point + digits
    mantissa = digits[0] + ("." + digits[1:] if size > 1 else "")
    return f"{mantissa}e{'+' if point - 1 >= 0 else '-'}{abs(point - 1)}"


def truthy(value: Any) -> bool:
    """JsonLogic truthiness: JavaScript's, except that an empty array is false."""
    if value is None or value is False or value is True:
        return value is True
    kind = type(value)
    if kind is int or kind is str or kind is list:
        return bool(value)
    if kind is float:
        return value == value and value != 0
    return True


def loose_equals(a: Any, b: Any) -> bool:
    """ECMAScript abstract equality (==)."""
    ka, kb = _kind(a), _kind(b)
    if ka == kb:
        return a is b if ka == "object" else a == b
    if ka == "null" or kb == "null":
        return False
    if ka == "bool":
        return loose_equals(to_number(a), b)
    if kb == "bool":
        return loose_equals(a, to_number(b))
    if ka == "object":
        return loose_equals(_to_primitive(a), b)
    if kb == "object":
        return loose_equals(a, _to_primitive(b))
    return to_number(a) == to_number(b)


def strict_equals(a: Any, b: Any) -> bool:
    """ECMAScript strict equality (===): same type and value; NaN differs from itself."""
    ka = _kind(a)
    if ka != _kind(b):
        return False
    return a is b if ka == "object" else a == b


def less_than(a: Any, b: Any, or_equal: bool = False) -> bool:
    """ECMAScript relational comparison: strings by code point, everything else as numbers."""
    a, b = _to_primitive(a), _to_primitive(b)
    if type(a) is str and type(b) is str:
        return a <= b if or_equal else a < b
    x, y = to_number(a), to_number(b)
    return x <= y if or_equal else x < y


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    kind = type(value)
    if kind is bool:
        return "bool"
    if kind is int or kind is float or isinstance(value, Decimal):
        return "number"
    if kind is str:
        return "string"
    return "object"


def _to_primitive(value: Any) -> Any:
    kind = type(value)
    if kind is list or kind is dict:
        return to_string(value)
    return value
