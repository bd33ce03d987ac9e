"""The dashboard's panels: one function a panel, each reads the monthly facts under the filters."""

from django.db.models import Sum
from django.utils import timezone

from onething.accounts.constants import RegionLevel
from onething.accounts.models import Region
from onething.catalog import selectors as catalog
from onething.common.errors import Unprocessable

from ..models import DayRollup
from .access import CHANNELS
from .filters import Filters, _days
from .measures import (
    _by_child,
    _by_onething,
    _grain,
    _grouped,
    _open_overdue,
    _panel,
    _totals,
    avg,
    col,
    pct,
    reduction,
)
from .panels_quality import (
    panel_commitments,
    panel_cross_region,
    panel_hotline,
    panel_online,
    panel_ratings,
    panel_warnings,
)


def panel_overview(f: Filters) -> dict:
    t = _totals(f)
    summary = {
        "办件量": t["cases"],
        "已办结": t["completed"],
        "按期办结率": pct(t["on_time"], t["completed"]),
        "全程网办率": pct(t["zero_visit"], t["completed"]),
        "平均用时（工作日）": avg(t["elapsed_sum"], t["completed"]),
        "跨域办件": t["cross_region"],
        "在办超期": _open_overdue(f),
    }
    rows = [{"name": k, "value": v} for k, v in summary.items()]
    return _panel(
        "overview",
        [col("name", "指标", "text"), col("value", "数值", "num")],
        rows,
        summary=summary,
        note="百分比以已办结（准予）办件为分母。",
    )


def panel_by_onething(f: Filters) -> dict:
    rows = [
        {
            "code": r["onething"],
            "name": r["name"],
            "cases": r["cases"],
            "completed": r["completed"],
            "closed": r["closed"],
        }
        for r in _by_onething(f)
    ]
    cols = [
        col("code", "编码", "text"),
        col("name", "一件事", "text"),
        col("cases", "办件量"),
        col("completed", "已办结"),
        col("closed", "已结束（含不予）"),
    ]
    return _panel(
        "by_onething", cols, rows, {"type": "bar", "x": "name", "series": ["cases", "completed"]}
    )


def panel_by_region(f: Filters) -> dict:
    drill = f.region.level != RegionLevel.COUNTY
    rows = [
        {
            "code": r["code"],
            "name": r["name"],
            "cases": r["cases"],
            "completed": r["completed"],
            "on_time_rate": pct(r["on_time"], r["completed"]),
            "drill": drill and r["code"] != f.region.code,
        }
        for r in _by_child(f, every_child=True)
    ]
    cols = [
        col("code", "区划代码", "text"),
        col("name", "地区", "text"),
        col("cases", "办件量"),
        col("completed", "已办结"),
        col("on_time_rate", "按期办结率", "pct"),
    ]
    return _panel(
        "by_region", cols, rows, {"type": "bar", "x": "name", "series": ["cases", "completed"]}
    )


def panel_by_channel(f: Filters) -> dict:
    t = _totals(f)
    rows = [
        {
            "code": code,
            "name": name,
            "cases": t[f"cases_{code}"],
            "share": pct(t[f"cases_{code}"], t["cases"]),
        }
        for code, name in CHANNELS.items()
        if t[f"cases_{code}"]
    ]
    cols = [col("name", "渠道", "text"), col("cases", "办件量"), col("share", "占比", "pct")]
    return _panel("by_channel", cols, rows, {"type": "pie", "x": "name", "series": ["cases"]})


def _day_rows(f: Filters) -> dict:
    qs = DayRollup.objects.filter(
        f.scope(), grain=_grain(f), onething=f.onething, day__gte=f.month_from, day__lte=f.date_to
    )
    rows = qs.order_by().values("day").annotate(cases=Sum("cases"), completed=Sum("completed"))
    return {r["day"]: r for r in rows}


def panel_by_day(f: Filters) -> dict:
    found = _day_rows(f)
    rows, day = [], f.month_from
    last = min(f.date_to, timezone.localdate())  # days still to come are not days with 0 cases
    while day <= last:
        r = found.get(day) or {}
        rows.append(
            {
                "day": day.isoformat(),
                "cases": r.get("cases") or 0,
                "completed": r.get("completed") or 0,
            }
        )
        day += _days(1)
    cols = [col("day", "日期", "text"), col("cases", "受理申请"), col("completed", "办结")]
    return _panel(
        "by_day",
        cols,
        rows,
        {"type": "line", "x": "day", "series": ["cases", "completed"]},
        note="申请按提交日、办结按办结日统计。",
    )


def panel_timeliness(f: Filters) -> dict:
    rows = [
        {
            "code": r["onething"],
            "name": r["name"],
            "completed": r["completed"],
            "on_time": r["on_time"],
            "late": r["completed"] - r["on_time"],
            "rate": pct(r["on_time"], r["completed"]),
        }
        for r in _by_onething(f)
        if r["completed"]
    ]
    t = _totals(f)
    summary = {
        "已办结": t["completed"],
        "按期办结": t["on_time"],
        "超期办结": t["completed"] - t["on_time"],
        "按期办结率": pct(t["on_time"], t["completed"]),
        "在办超期": _open_overdue(f),
    }
    cols = [
        col("name", "一件事", "text"),
        col("completed", "已办结"),
        col("on_time", "按期"),
        col("late", "超期"),
        col("rate", "按期办结率", "pct"),
    ]
    return _panel(
        "timeliness",
        cols,
        rows,
        {"type": "bar", "x": "name", "series": ["on_time", "late"], "stack": True},
        summary,
        "按期：办结日不晚于办结期限（补正暂停的工作日已顺延）。",
    )


def panel_durations(f: Filters) -> dict:
    rows = [
        {
            "code": r["onething"],
            "name": r["name"],
            "completed": r["completed"],
            "elapsed": avg(r["elapsed_sum"], r["completed"]),
            "promised": avg(r["promised_sum"], r["completed"]),
            "baseline": avg(r["baseline_sum"], r["completed"]),
            "vs_promised": pct(r["elapsed_sum"], r["promised_sum"]),
            "vs_baseline": reduction(r["elapsed_sum"], r["baseline_sum"]),
        }
        for r in _by_onething(f)
        if r["completed"]
    ]
    cols = [
        col("name", "一件事", "text"),
        col("completed", "已办结"),
        col("elapsed", "平均实际用时", "num"),
        col("promised", "平均承诺时限", "num"),
        col("baseline", "改革前（单独办理合计）", "num"),
        col("vs_promised", "实际/承诺", "pct"),
        col("vs_baseline", "较改革前压减", "pct"),
    ]
    return _panel(
        "durations",
        cols,
        rows,
        {"type": "bar", "x": "name", "series": ["elapsed", "promised", "baseline"]},
        note="单位：工作日；实际用时为受理至办结，扣除补正暂停。",
    )


_SUMMARIES: dict = {}


def _catalog_summaries(region: Region) -> list[dict]:
    """catalog.summaries, kept while the catalog's versions (immutable, by digest) are the same."""
    from onething.catalog.models import OneThingVersion

    stamp = hash(tuple(OneThingVersion.objects.order_by("pk").values_list("pk", "digest")))
    key = (region.code, stamp)
    if key not in _SUMMARIES:
        _SUMMARIES.clear()
        _SUMMARIES[key] = catalog.summaries(region=region)
    return _SUMMARIES[key]


def panel_reductions(f: Filters) -> dict:
    realised = {r["onething"]: r for r in _grouped(f, "onething")}
    rows = []
    for s in _catalog_summaries(f.region):
        if f.onething and s["code"] != f.onething:
            continue
        r = realised.get(s["code"], {})
        rows.append(
            {
                "code": s["code"],
                "name": s["name"],
                "plan_time": s["reductions"]["time"],
                "plan_materials": s["reductions"]["materials"],
                "plan_steps": s["reductions"]["steps"],
                "plan_visits": s["reductions"]["visits"],
                "completed": r.get("completed", 0),
                "real_time": reduction(r.get("elapsed_sum", 0), r.get("baseline_sum", 0)),
                "real_materials": reduction(
                    r.get("materials_sum", 0), r.get("baseline_materials_sum", 0)
                ),
                "real_visits": reduction(r.get("visits_sum", 0), r.get("baseline_visits_sum", 0)),
            }
        )
    cols = [
        col("name", "一件事", "text"),
        col("plan_time", "计划减时间", "pct"),
        col("plan_materials", "计划减材料", "pct"),
        col("plan_steps", "计划减环节", "pct"),
        col("plan_visits", "计划减跑动", "pct"),
        col("completed", "已办结"),
        col("real_time", "实际减时间", "pct"),
        col("real_materials", "实际减材料", "pct"),
        col("real_visits", "实际减跑动", "pct"),
    ]
    chart = {
        "type": "bar",
        "x": "name",
        "series": ["plan_time", "real_time", "plan_visits", "real_visits"],
    }
    return _panel(
        "reductions",
        cols,
        rows,
        chart,
        note="计划：目录默认情形；实际：已办结办件相对各事项单独办理的合计（环节无实际记录）。",
    )


PANEL_FUNCS = {
    "overview": panel_overview,
    "by_onething": panel_by_onething,
    "by_region": panel_by_region,
    "by_channel": panel_by_channel,
    "by_day": panel_by_day,
    "timeliness": panel_timeliness,
    "durations": panel_durations,
    "reductions": panel_reductions,
    "online": panel_online,
    "commitments": panel_commitments,
    "cross_region": panel_cross_region,
    "warnings": panel_warnings,
    "hotline": panel_hotline,
    "ratings": panel_ratings,
}


def panel(f: Filters, key: str) -> dict:
    if key not in PANEL_FUNCS:
        raise Unprocessable(f"未知的监测面板：{key[:40]}", fields={"panel": "不存在"})
    return PANEL_FUNCS[key](f)


def panels(f: Filters) -> list[dict]:
    return [fn(f) for fn in PANEL_FUNCS.values()]
