"""The dashboard's service-quality panels: online, commitments, cross-region, warnings, 12345 and
ratings (the volume and time panels are in ``panels``)."""

from django.db.models import Count

from .. import feedback_bridge
from ..constants import WarningLevel, WarningStatus
from ..models import Warning
from .access import region_codes_under
from .filters import Filters
from .measures import (
    _by_child,
    _by_onething,
    _panel,
    _totals,
    col,
    pct,
)


def panel_online(f: Filters) -> dict:
    rows = [
        {
            "code": r["onething"],
            "name": r["name"],
            "completed": r["completed"],
            "zero_visit": r["zero_visit"],
            "rate": pct(r["zero_visit"], r["completed"]),
        }
        for r in _by_onething(f)
        if r["completed"]
    ]
    t = _totals(f)
    cols = [
        col("name", "一件事", "text"),
        col("completed", "已办结"),
        col("zero_visit", "零跑动办结"),
        col("rate", "全程网办率", "pct"),
    ]
    return _panel(
        "online",
        cols,
        rows,
        {"type": "bar", "x": "name", "series": ["rate"]},
        {"全程网办率": pct(t["zero_visit"], t["completed"])},
        "全程网办：办结且申请人未到现场（无窗口提交、补正或补交记录）。",
    )


def panel_commitments(f: Filters) -> dict:
    t = _totals(f)
    decided = t["commitments_fulfilled"] + t["commitments_breached"]
    rows = [
        {"name": "已履行", "count": t["commitments_fulfilled"]},
        {"name": "未履行（失信）", "count": t["commitments_breached"]},
        {"name": "待履行", "count": t["commitments_pending"]},
    ]
    summary = {
        "容缺受理办件": t["tolerance"],
        "承诺履行率": pct(t["commitments_fulfilled"], decided),
        "未履行率": pct(t["commitments_breached"], decided),
    }
    return _panel(
        "commitments",
        [col("name", "承诺状态", "text"), col("count", "承诺数")],
        rows,
        {"type": "pie", "x": "name", "series": ["count"]},
        summary,
        "履行率以已到期（已履行+未履行）的承诺为分母。",
    )


def panel_cross_region(f: Filters) -> dict:
    rows = [
        {
            "code": r["code"],
            "name": r["name"],
            "cases": r["cases"],
            "cross_region": r["cross_region"],
            "share": pct(r["cross_region"], r["cases"]),
        }
        for r in _by_child(f)
    ]
    t = _totals(f)
    cols = [
        col("name", "办理地", "text"),
        col("cases", "办件量"),
        col("cross_region", "跨域办件"),
        col("share", "跨域占比", "pct"),
    ]
    return _panel(
        "cross_region",
        cols,
        rows,
        {"type": "bar", "x": "name", "series": ["cross_region"]},
        {"跨域办件": t["cross_region"], "跨域占比": pct(t["cross_region"], t["cases"])},
        "跨域：受理地与办理地不同（收受分离）。",
    )


def _warnings_in(f: Filters):
    qs = Warning.objects.filter(
        f.scope(), raised_at__date__gte=f.month_from, raised_at__date__lte=f.date_to
    )
    return qs


def panel_warnings(f: Filters) -> dict:
    rows_by_dept: dict = {}
    grouped = (
        _warnings_in(f)
        .order_by()
        .values("department__name", "level", "status")
        .annotate(n=Count("id"))
    )
    for r in grouped:
        name = r["department__name"] or "（未指定部门）"
        row = rows_by_dept.setdefault(
            name, {"name": name, "yellow": 0, "red": 0, "open": 0, "resolved": 0}
        )
        row[r["level"]] += r["n"]
        row["resolved" if r["status"] == WarningStatus.RESOLVED else "open"] += r["n"]
    rows = sorted(rows_by_dept.values(), key=lambda r: (-(r["yellow"] + r["red"]), r["name"]))
    cols = [
        col("name", "责任部门", "text"),
        col("yellow", WarningLevel.YELLOW.label),
        col("red", WarningLevel.RED.label),
        col("open", "未解除"),
        col("resolved", "已解除"),
    ]
    summary = {"黄色预警": sum(r["yellow"] for r in rows), "红色预警": sum(r["red"] for r in rows)}
    return _panel(
        "warnings",
        cols,
        rows,
        {"type": "bar", "x": "name", "series": ["yellow", "red"], "stack": True},
        summary,
    )


def panel_hotline(f: Filters) -> dict:
    data = feedback_bridge.hotline(
        region_codes=region_codes_under(f.region), date_from=f.month_from, date_to=f.date_to
    )
    if data is None:
        return _panel("hotline", [], [], note=feedback_bridge.UNAVAILABLE)
    total = data.get("total") or 0
    on_time, overdue = data.get("handled_on_time"), data.get("overdue")
    summary = {
        "工单总数": total,
        "按时办结率": pct(on_time, on_time + overdue)
        if on_time is not None and overdue is not None
        else None,
        "满意率": pct(data.get("satisfied") or 0, data.get("rated"))
        if data.get("satisfied") is not None
        else None,
        "督办工单": data.get("escalated") or 0,
    }
    units = {"按时办结率": "按时办结率（%）", "满意率": "满意率（%）"}
    rows = [{"name": units.get(k, k), "value": v} for k, v in summary.items()]
    # A rate over a handful of tickets reads as more than it is: say what it rests on.
    basis = (
        f"按时办结率按已办结的 {on_time + overdue} 件计，满意率按已评价的 {data.get('rated') or 0} 件计。"
        if on_time is not None and overdue is not None
        else ""
    )
    return _panel(
        "hotline",
        [col("name", "指标", "text"), col("value", "数值", "num")],
        rows,
        summary=summary,
        note=basis,
    )


def panel_ratings(f: Filters) -> dict:
    data = feedback_bridge.ratings(
        region_codes=region_codes_under(f.region), date_from=f.month_from, date_to=f.date_to
    )
    if data is None:
        return _panel("ratings", [], [], note=feedback_bridge.UNAVAILABLE)
    rows = [
        {"name": "好评", "count": data.get("good") or 0},
        {"name": "中评", "count": data.get("neutral") or 0},
        {"name": "差评", "count": data.get("bad") or 0},
    ]
    summary = {
        "评价总数": data.get("total") or 0,
        "好评率": pct(data.get("good") or 0, data.get("total") or 0),
        "平均分": data.get("average"),
    }
    total = data.get("total") or 0
    return _panel(
        "ratings",
        [col("name", "评价", "text"), col("count", "数量")],
        rows,
        # No ratings, no pie: three empty slices drawn alike would read as a third each.
        {"type": "pie", "x": "name", "series": ["count"]} if total else None,
        summary,
        note="" if total else "所选范围内暂无评价。",
    )
