"""Pages: the dashboard (charts drawn by static/supervision/dashboard.js), warnings, rules."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from onething.common.errors import DomainError, Forbidden
from onething.common.views import safe_next

from . import exports, planned, selectors, services
from .api import XLSX
from .constants import WarningLevel, WarningStatus


def _error(request, exc: DomainError):
    return render(request, "supervision/error.html", {"error": exc.message}, status=exc.status)


def _chart_data(panels: list[dict]) -> dict:
    return {
        p["key"]: {"chart": p["chart"], "rows": p["rows"], "columns": p["columns"]}
        for p in panels
        if p["chart"] and p["rows"]
    }


@login_required
def index(request):
    try:
        f = selectors.filters_parse(request.user, request.GET)
    except DomainError as exc:
        return _error(request, exc)
    panels = selectors.panels(f)
    context = {
        "f": f,
        "params": f.as_params(),
        "panels": panels,
        "charts": _chart_data(panels),
        "trail": selectors.breadcrumbs(request.user, f.region),
        "children": selectors.children(f.region),
        "onethings": sorted(selectors.onething_names().items()),
        "planned": planned.planned_vs_realised(f),
    }
    return render(request, "supervision/index.html", context)


@login_required
def export(request):
    try:
        f = selectors.filters_parse(request.user, request.GET)
        key = request.GET.get("panel", "")
        panels = [selectors.panel(f, key)] if key else selectors.panels(f)
    except DomainError as exc:
        return _error(request, exc)
    response = HttpResponse(exports.workbook(panels, f), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(f, key or "all")}"'
    return response


def _may_see_warnings(user) -> bool:
    return selectors.is_supervisor(user) or user.role in selectors.DEPARTMENT_ROLES


@login_required
def warnings(request):
    user = request.user
    if not _may_see_warnings(user):
        return _error(request, Forbidden("仅监督人员和部门人员可以查看预警"))
    status = request.GET.get("status", "")
    status = status if status in WarningStatus.values else ""
    level = request.GET.get("level", "")
    level = level if level in WarningLevel.values else ""
    context = {
        "rows": selectors.warnings_visible(user, status=status, level=level)[:300],
        "status": status,
        "level": level,
        "statuses": WarningStatus.choices,
        "levels": WarningLevel.choices,
    }
    return render(request, "supervision/warnings.html", context)


@login_required
@require_POST
def warning_act(request, warning_id: int, action: str):
    if not _may_see_warnings(request.user):
        return _error(request, Forbidden("仅监督人员和部门人员可以处理预警"))
    act = {"acknowledge": services.warning_acknowledge, "resolve": services.warning_resolve}
    try:
        if action not in act:
            raise Forbidden("不支持的操作")
        act[action](warning_id=warning_id, actor=request.user, note=request.POST.get("note", ""))
        messages.success(request, "已确认预警" if action == "acknowledge" else "已解除预警")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(safe_next(request, reverse("supervision:warnings")))


@login_required
def rules(request):
    try:
        selectors.require_supervisor(request.user)
    except DomainError as exc:
        return _error(request, exc)
    return render(request, "supervision/rules.html", {"rules": selectors.rules_list()})
