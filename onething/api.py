"""The JSON API: every app's router mounted under /api, OpenAPI at /api/docs."""

import importlib

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from onething.common.errors import DomainError

api = NinjaAPI(
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


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return _error(request, exc.status_code, "error", str(exc))


for app in ROUTED_APPS:
    try:
        module = importlib.import_module(f"onething.{app}.api")
    except ModuleNotFoundError as exc:
        if exc.name != f"onething.{app}.api":
            raise
        continue
    api.add_router("/", module.router)
