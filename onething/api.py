"""The JSON API: every app's router mounted under /api, OpenAPI at /api/docs."""

import importlib

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from onething.common import inputs
from onething.common.errors import DomainError

ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["code", "message", "fields"],
    "properties": {
        "code": {"type": "string", "description": "机器可读的错误类别，如 invalid、not_found"},
        "message": {"type": "string", "description": "中文说明，指出出错的字段"},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "字段 → 该字段的问题",
        },
    },
}
ERROR_RESPONSE = {
    "description": "请求有误（400/422）、未登录（401）、无权限（403）、不存在（404）或冲突（409）",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


class OneThingAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        """Document the one error body every operation may answer with, as a 4XX response."""
        schema = super().get_openapi_schema(**kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        for operations in schema["paths"].values():
            for operation in operations.values():
                operation["responses"].setdefault("4XX", ERROR_RESPONSE)
        return schema


class JsonParser(Parser):
    """Bodies through ``inputs.loads``: NaN, Infinity and 1e400 are refused, not stored."""

    def parse_body(self, request):
        return inputs.loads(request.body)


api = OneThingAPI(
    parser=JsonParser(),
    title="onething 高效办成一件事 API",
    version="1.0",
    description="一件事目录、申请受理、证照、政策、导办与监督接口。错误统一返回 {code, message, fields}。",
    urls_namespace="api",
)

ROUTED_APPS = [
    "catalog",
    "registry",
    "cases",
    "policies",
    "assistant",
    "feedback",
    "supervision",
    "accounts",
    "integration",
]


def _error(request, status: int, code: str, message: str, fields: dict | None = None):
    return api.create_response(
        request, {"code": code, "message": message, "fields": fields or {}}, status=status
    )


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return _error(request, exc.status, exc.code, exc.message, exc.fields)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    fields = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload")]
        fields[".".join(loc) or "body"] = _chinese(err)
    return _error(
        request,
        422,
        "invalid",
        "请求参数有误：" + "；".join(f"{k}：{v}" for k, v in fields.items()),
        fields,
    )


def _chinese(err: dict) -> str:
    kind = err.get("type", "")
    if kind == "missing":
        return "必填"
    if kind == "finite_number":
        return inputs.FINITE_MESSAGE
    if kind == "string_too_long":
        return f"过长（最多 {err.get('ctx', {}).get('max_length', '?')} 个字）"
    if "int" in kind or "float" in kind or "decimal" in kind:
        return "应为数字"
    if "bool" in kind:
        return "应为是/否"
    if "json" in kind:
        return "应为合法的 JSON"
    if "string" in kind:
        return "应为文本"
    return "格式不正确"


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return _error(request, 401, "unauthorized", "请先登录或提供有效的访问令牌")


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _error(request, 404, "not_found", "未找到")


# django-ninja raises HttpError itself with English text: an unparsable body (400) and a session
# request without a CSRF token (403). Say it in Chinese, naming what is wrong.
NINJA_ERRORS = {
    "Cannot parse request body": ("invalid", "请求体不是合法的 JSON", {"body": "应为合法的 JSON"}),
    "CSRF check Failed": (
        "csrf",
        "CSRF 校验失败：请刷新页面后重试，或使用访问令牌（Authorization: Bearer）",
        {},
    ),
}


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    text = str(exc)
    known = next((v for k, v in NINJA_ERRORS.items() if text.startswith(k)), None)
    if isinstance(exc.__cause__, inputs.NonFiniteNumber):
        message = f"请求体含有非有限数字 {exc.__cause__}：{inputs.FINITE_MESSAGE}"
        known = ("invalid", message, {"body": inputs.FINITE_MESSAGE})
    code, message, fields = known or ("error", text, {})
    return _error(request, exc.status_code, code, message, fields)


for app in ROUTED_APPS:
    try:
        module = importlib.import_module(f"onething.{app}.api")
    except ModuleNotFoundError as exc:
        if exc.name != f"onething.{app}.api":
            raise
        continue
    api.add_router("/", module.router)
