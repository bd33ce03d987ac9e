"""Input refused at the door: NUL characters, non-finite numbers, text with control characters.

NUL (U+0000) is refused before it reaches the database.

PostgreSQL text cannot hold NUL, so such a value in a path, query, cookie or body made the
query fail with a 500 (SQLite stored it). Every request is checked once here and answered 400
naming the field: the API's JSON error {code, message, fields} under /api/, the site's 400 page
elsewhere.
"""

import json
import math
import re
import unicodedata
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from pydantic import Field

NUL = "\x00"
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _shown(name) -> str:
    return str(name).replace(NUL, "\\0")


def _in_pairs(pairs) -> str | None:
    for key, values in pairs:
        if NUL in key or any(NUL in value for value in values):
            return _shown(key)
    return None


def _in_json(value, path: str = "") -> str | None:
    if isinstance(value, str):
        return (path or "body") if NUL in value else None
    if not isinstance(value, dict | list):
        return None
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in items:
        where = f"{path}.{_shown(key)}" if path else _shown(key)
        if NUL in str(key):
            return where
        found = _in_json(item, where)
        if found:
            return found
    return None


def _in_body(request) -> str | None:
    if request.method not in BODY_METHODS:
        return None
    try:
        if request.content_type != "application/json":
            return _in_pairs(request.POST.lists())
        if b"\\u0000" not in request.body and b"\x00" not in request.body:
            return None  # JSON can only carry NUL escaped: no need to parse every body twice
        data = json.loads(request.body)
    except ValueError:
        return None  # not JSON: the view answers that itself
    return _in_json(data)


def field_with_nul(request) -> str | None:
    if NUL in request.path:
        return "path"
    return (
        _in_pairs(request.GET.lists())
        or _in_pairs((k, [v]) for k, v in request.COOKIES.items())
        or _in_body(request)
    )


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            field = field_with_nul(request)
        except RequestDataTooBig as exc:
            # Answered here: a multipart stream half read cannot be parsed again by the view.
            from .views import bad_request

            return bad_request(request, exc)
        if field is None:
            return self.get_response(request)
        label = "请求路径" if field == "path" else f"参数 {field} "
        message = f"{label}含有不允许的空字符（U+0000）"
        if request.path.startswith("/api/"):
            body = {"code": "invalid", "message": message, "fields": {field: "含有空字符"}}
            return JsonResponse(body, status=400)
        from .views import error_page

        return error_page(request, 400, message)


# ---- numbers: finite only ------------------------------------------------------------------
# JSON has no NaN or Infinity, yet Python's json accepts the bare words and pydantic turns the
# strings "NaN"/"Infinity" into floats: stored, they broke the JSON every client read back (a
# bare Infinity) or made the database refuse the row (a 500). Every API number goes through
# the types below and every API body through ``loads``.

FINITE_MESSAGE = "应为有限数字（不接受 NaN、Infinity）"
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
FiniteDecimal = Annotated[Decimal, Field(allow_inf_nan=False)]


class NonFiniteNumber(ValueError):
    """A JSON body holds NaN, Infinity or a number too large for a float."""


def _refuse_constant(word: str):
    raise NonFiniteNumber(word)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise NonFiniteNumber(text)
    return value


def loads(data):
    """json.loads that refuses NaN, Infinity and overflowing numbers (1e400)."""
    return json.loads(data, parse_constant=_refuse_constant, parse_float=_finite_float)


# ---- text: control characters ---------------------------------------------------------------
# Tab, newline and carriage return are ordinary in a transcript. The rest of C0/C1, the invisible
# space U+200B, the direction marks and overrides (which can make text read differently from what
# is stored) and the line/paragraph separators are refused. The zero-width joiner is part of
# emoji sequences (👨‍👩‍👧) and the non-joiner of several scripts; variation selectors and
# emoji tag characters are not controls at all: they pass.
CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200e\u200f\u2028\u2029\u202a-\u202e"
    "\u2066-\u2069\ud800-\udfff]"
)
ZWJ = "\u200d"


def _emoji_side(char: str) -> bool:
    # Pictographs are So; skin-tone modifiers Sk; U+FE0F makes a text symbol an emoji.
    return char == "\ufe0f" or unicodedata.category(char) in ("So", "Sk")


def _stray_joiner(text: str) -> bool:
    """A ZWJ that does not join two emoji: hidden inside a word to defeat matching."""
    start = text.find(ZWJ)
    while start != -1:
        before, after = text[start - 1 : start], text[start + 1 : start + 2]
        if not (before and after and _emoji_side(before) and _emoji_side(after)):
            return True
        start = text.find(ZWJ, start + 1)
    return False


def has_control(text: str) -> bool:
    """Whether the text holds a control character a person cannot see or mean."""
    return bool(CONTROL.search(text)) or (ZWJ in text and _stray_joiner(text))


def strip_control(text: str) -> str:
    """The text without what has_control refuses: for transcripts we keep rather than refuse."""
    text = CONTROL.sub("", text)
    if ZWJ not in text:
        return text
    kept = [
        char
        for i, char in enumerate(text)
        if char != ZWJ
        or (0 < i < len(text) - 1 and _emoji_side(text[i - 1]) and _emoji_side(text[i + 1]))
    ]
    return "".join(kept)
