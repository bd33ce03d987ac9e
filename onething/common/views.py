"""The large-font switch, the health check and the error answers of the whole site.

The error contract: under /api/ every error is JSON ``{code, message, fields}`` (413 for a body
too large, 404 for an unknown path, whatever raised it); a page answers with the site's own
Chinese 400/403/404/500 pages. Django's English defaults never reach a person.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import health
from .errors import DomainError

API_PREFIX = "/api/"
# status → (code, heading, message, hint)
ERRORS = {
    400: ("invalid", "请求有误", "请求的内容不完整或格式不正确。", "请返回上一页检查后重新提交。"),
    401: ("unauthorized", "请先登录", "请先登录或提供有效的访问令牌。", "登录后再试。"),
    403: ("forbidden", "无权访问", "您没有权限进行此操作或查看此页面。", "如需权限，请联系本单位管理员。"),
    404: ("not_found", "页面不存在", "您要找的页面或办件不存在，或您无权查看。", "请检查地址是否正确。"),
    405: ("method_not_allowed", "请求方式不支持", "该地址不支持此请求方式。", "请从页面上的按钮操作。"),
    413: ("too_large", "提交的内容过大", "", "请删减内容或分次提交。"),
    500: ("server_error", "系统繁忙", "服务器处理请求时出错。", "请稍后重试；问题持续时请拨打 12345。"),
}  # fmt: skip


def safe_next(request, default: str) -> str:
    """The ``next`` of the form or query if it is a path of this site, else ``default``.

    redirect() takes a string without a slash for a view name: "'; --" as next was a 500
    (NoReverseMatch) on three forms, found by the page-form fuzz; another host is an open
    redirect."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if ok else default


@require_POST
def toggle_large_font(request):
    response = redirect(safe_next(request, "/"))
    on = request.COOKIES.get("large_font") != "1"
    response.set_cookie("large_font", "1" if on else "0", max_age=365 * 24 * 3600, samesite="Lax")
    return response


@require_GET
@never_cache
def healthz(request):
    """Anonymous: counts and ages only. 503 when the database does not answer."""
    state = health.snapshot()
    return JsonResponse(
        state,
        status=503 if state["status"] == "down" else 200,
        json_dumps_params={"ensure_ascii": False},
    )


# ---- errors ------------------------------------------------------------------------------------


def is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def too_large_message() -> str:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
    return f"请求体过大：最多 {limit:g} MB"


def _standard(status: int) -> tuple[str, str, str, str]:
    return ERRORS.get(status) or ERRORS[400 if status < 500 else 500]


def api_error(status: int, message: str = "", fields: dict | None = None) -> JsonResponse:
    code, _, default, _ = _standard(status)
    body = {"code": code, "message": message or default, "fields": fields or {}}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def error_page(request, status: int, message: str = ""):
    if not hasattr(request, "user"):
        request.user = AnonymousUser()  # refused before authentication ran: the page needs one
    _, heading, default, hint = _standard(status)
    context = {"status": status, "heading": heading, "message": message or default, "hint": hint}
    template = f"{status}.html" if status in (400, 403, 404) else "errors/page.html"
    return render(request, template, context, status=status)


def _answer(request, status: int, message: str = "", fields: dict | None = None):
    if is_api(request):
        return api_error(status, message, fields)
    return error_page(request, status, message)


def bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        return _answer(request, 413, too_large_message(), {"body": "过大"})
    return _answer(request, 400)


def permission_denied(request, exception=None):
    return _answer(request, 403)


def page_not_found(request, exception=None):
    if is_api(request):
        return api_error(404, f"接口不存在：{request.method} {request.path}")
    return error_page(request, 404)


def server_error(request):
    if is_api(request):
        return api_error(500)
    # No context processors: whatever failed (the database…) must not fail the error page too.
    return HttpResponseServerError(render_to_string("500.html"))


def csrf_failure(request, reason=""):
    message = "页面已过期或来源校验失败（CSRF）：请刷新页面后重新提交。"
    return _answer(request, 403, message, {"csrf": "校验失败"})


class ErrorContractMiddleware:
    """Holds the contract for what the handlers above do not see.

    A page view that raises a DomainError (the services' Chinese refusals) gets the site's error
    page with the error's status instead of a 500. Under /api/, any error answer that is not
    JSON — Django's technical 404 with DEBUG on, an empty 405 — is replaced by the JSON body.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_api(request) and response.status_code >= 400 and not _is_json(response):
            status = response.status_code
            replaced = page_not_found(request) if status == 404 else api_error(status)
            if response.has_header("Allow"):
                replaced["Allow"] = response["Allow"]
            return replaced
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, DomainError) and not is_api(request):
            return error_page(request, exception.status, exception.message)
        return None


def _is_json(response) -> bool:
    return response.get("Content-Type", "").startswith("application/json")
