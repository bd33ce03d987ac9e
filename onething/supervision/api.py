"""Supervision API: dashboard panels (JSON and xlsx), warnings and warning rules."""

from django.http import HttpResponse
from ninja import Query, Router

from onething.accounts.auth import API_AUTH
from onething.common.errors import Forbidden, Unprocessable

from . import exports, selectors, services
from .schemas import DashboardOut, FiltersIn, NoteIn, PanelOut, RuleIn, RuleOut, WarningOut

router = Router(tags=["效能监测"], auth=API_AUTH)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def filters_dict(f: selectors.Filters) -> dict:
    return {**f.as_params(), "region_name": f.region.full_name}


def warning_dict(w) -> dict:
    return {
        "id": w.pk,
        "rule": w.rule.code,
        "level": w.level,
        "level_label": w.get_level_display(),
        "target": w.target,
        "target_id": w.target_id,
        "title": w.title,
        "link": w.link,
        "department": w.department.name if w.department else None,
        "status": w.status,
        "status_label": w.get_status_display(),
        "raised_at": w.raised_at,
        "acknowledged_at": w.acknowledged_at,
        "resolved_at": w.resolved_at,
        "note": w.note,
    }


@router.get(
    "/supervision/dashboard",
    response=DashboardOut,
    summary="效能监测全部面板（参数 region、onething、from、to：YYYY-MM）",
)
def dashboard(request, filters: Query[FiltersIn]):
    f = selectors.filters_parse(request.user, filters.params())
    return {"filters": filters_dict(f), "panels": selectors.panels(f)}


@router.get("/supervision/panels/{key}", response=PanelOut, summary="单个监测面板")
def panel(request, key: str, filters: Query[FiltersIn]):
    f = selectors.filters_parse(request.user, filters.params())
    return selectors.panel(f, key)


@router.get("/supervision/export", summary="导出 xlsx（panel 省略时导出全部面板）")
def export(request, filters: Query[FiltersIn], panel: str = ""):
    f = selectors.filters_parse(request.user, filters.params())
    panels = [selectors.panel(f, panel)] if panel else selectors.panels(f)
    response = HttpResponse(exports.workbook(panels, f), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="{exports.filename(f, panel or "all")}"'
    )
    return response


@router.get(
    "/supervision/warnings", response=list[WarningOut], summary="我可见的预警（监督人员、部门人员）"
)
def warnings(request, status: str = "", level: str = ""):
    # The same gate as the page: any other role is refused, not shown an empty list.
    user = request.user
    if not (selectors.is_supervisor(user) or user.role in selectors.DEPARTMENT_ROLES):
        raise Forbidden("仅监督人员和部门人员可以查看预警")
    rows = selectors.warnings_visible(user, status=status, level=level)[:500]
    return [warning_dict(w) for w in rows]


@router.post(
    "/supervision/warnings/{warning_id}/acknowledge", response=WarningOut, summary="确认预警"
)
def acknowledge(request, warning_id: int, payload: NoteIn):
    w = services.warning_acknowledge(warning_id=warning_id, actor=request.user, note=payload.note)
    return warning_dict(w)


@router.post("/supervision/warnings/{warning_id}/resolve", response=WarningOut, summary="解除预警")
def resolve(request, warning_id: int, payload: NoteIn):
    w = services.warning_resolve(warning_id=warning_id, actor=request.user, note=payload.note)
    return warning_dict(w)


def rule_dict(rule, user) -> dict:
    fields = ("code", "name", "target", "level", "condition", "threshold", "enabled", "description")
    return {
        **{name: getattr(rule, name) for name in fields},
        "region": rule.region_id,
        "region_name": rule.region.name if rule.region else "全省",
        "editable": services.rule_editable(user, rule.region),
    }


@router.get("/supervision/rules", response=list[RuleOut], summary="预警规则")
def rules(request):
    selectors.require_supervisor(request.user)
    return [rule_dict(r, request.user) for r in selectors.rules_list()]


@router.put("/supervision/rules/{code}", response=RuleOut, summary="新增或修改预警规则")
def rule_put(request, code: str, payload: RuleIn):
    selectors.require_supervisor(request.user)
    if not code.replace("-", "").replace("_", "").isalnum() or len(code) > 64:
        raise Unprocessable("规则编码只能包含字母、数字、- 和 _", fields={"code": "格式不正确"})
    rule = services.rule_save(actor=request.user, code=code, **payload.dict())
    return rule_dict(rule, request.user)
