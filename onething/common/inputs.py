"""Refuse input that contains NUL (U+0000) before it reaches the database.

PostgreSQL text cannot hold NUL, so such a value in a path, query, cookie or body made the
query fail with a 500 (SQLite stored it). Every request is checked once here and answered 400
naming the field: the API's JSON error {code, message, fields} under /api/, plain text elsewhere.
"""

import json

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponseBadRequest, JsonResponse

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
    except (RequestDataTooBig, ValueError):
        return None  # too big or not JSON: the view answers that itself
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
        field = field_with_nul(request)
        if field is None:
            return self.get_response(request)
        label = "请求路径" if field == "path" else f"参数 {field} "
        message = f"{label}含有不允许的空字符（U+0000）"
        if request.path.startswith("/api/"):
            body = {"code": "invalid", "message": message, "fields": {field: "含有空字符"}}
            return JsonResponse(body, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
