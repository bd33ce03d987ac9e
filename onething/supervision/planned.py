"""Planned against realised (issue #20): the catalog's planned average reductions beside the
province's targets and the reductions completed cases achieved, and the one-things that fall
short with the reason the catalog gives.

Read-only. Planned figures come from the catalog's default situations (catalog.selectors);
realised ones from the month rollups in the filters' scope, the same sums the reductions panel
uses: 1 − Σ after ÷ Σ before over completed cases.
"""

from django.db.models import Sum

from onething.accounts.constants import RegionLevel
from onething.catalog import selectors as catalog

from .models import Grain, MonthRollup

TARGETED = ("time", "materials")
LABELS = {"time": "办理时间", "materials": "申请材料", "steps": "办理环节", "visits": "跑动次数"}
# figure → (realised after, before) sums in the rollups; steps have no recorded actuals.
REALISED = {
    "time": ("elapsed_sum", "baseline_sum"),
    "materials": ("materials_sum", "baseline_materials_sum"),
    "visits": ("visits_sum", "baseline_visits_sum"),
}


def _percent(after, before) -> float | None:
    return round((before - after) * 100 / before, 1) if before else None


def _realised(f) -> dict:
    grain = Grain.CITY if f.region.level == RegionLevel.PROVINCE else Grain.COUNTY
    qs = MonthRollup.objects.filter(
        f.scope(), grain=grain, month__gte=f.month_from, month__lte=f.month_to
    )
    if f.onething:
        qs = qs.filter(onething=f.onething)
    columns = {c for pair in REALISED.values() for c in pair} | {"completed"}
    sums = qs.aggregate(**{c: Sum(c) for c in columns})
    sums = {k: v or 0 for k, v in sums.items()}
    return {
        "completed": sums["completed"],
        **{k: _percent(sums[a], sums[b]) for k, (a, b) in REALISED.items()},
    }


def planned_vs_realised(f) -> dict:
    """Rows per figure (planned, target, realised) and the one-things short of the target."""
    rows = catalog.summaries(region=f.region)
    if f.onething:
        rows = [r for r in rows if r["code"] == f.onething]
    plan = catalog.catalog_plan(rows)
    realised = _realised(f)
    figures = [
        {
            "key": key,
            "label": label,
            "planned": plan["averages"][key],
            "target": plan["target"] if key in TARGETED else None,
            "meets": plan["averages"][key] >= plan["target"] if key in TARGETED else None,
            "realised": realised.get(key),
        }
        for key, label in LABELS.items()
    ]
    return {
        "count": plan["count"],
        "completed": realised["completed"],
        "figures": figures,
        "short": plan["short"],
    }
