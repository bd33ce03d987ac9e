"""The measures the panels share: grouped monthly facts, totals, percentages and the panel's shape."""

from django.db.models import Sum

from onething.accounts.constants import RegionLevel
from onething.accounts.models import Region

from ..constants import PANELS
from ..models import Grain, MonthRollup, OpenRollup
from .access import CHILD_COLUMN
from .filters import Filters, onething_names


def pct(part, whole) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def avg(total, n) -> float | None:
    return round(total / n, 1) if n else None


def reduction(after_sum, before_sum) -> float | None:
    return round((before_sum - after_sum) * 100 / before_sum, 1) if before_sum else None


MEASURES = [
    "cases",
    "cases_portal",
    "cases_window",
    "cases_api",
    "accepted",
    "completed",
    "closed",
    "on_time",
    "elapsed_sum",
    "promised_sum",
    "baseline_sum",
    "visits_sum",
    "planned_visits_sum",
    "baseline_visits_sum",
    "zero_visit",
    "materials_sum",
    "baseline_materials_sum",
    "cross_region",
    "tolerance",
    "commitments_fulfilled",
    "commitments_breached",
    "commitments_pending",
]


def _grain(f: Filters) -> str:
    return Grain.CITY if f.region.level == RegionLevel.PROVINCE else Grain.COUNTY


def _months(f: Filters):
    qs = MonthRollup.objects.filter(
        f.scope(), grain=_grain(f), month__gte=f.month_from, month__lte=f.month_to
    )
    return qs.filter(onething=f.onething) if f.onething else qs


def _grouped(f: Filters, key: str) -> list[dict]:
    # Prefixed aliases: an annotation may not reuse a column's name.
    rows = _months(f).order_by().values(key).annotate(**{f"s_{m}": Sum(m) for m in MEASURES})
    return [{key: r[key], **{m: r[f"s_{m}"] or 0 for m in MEASURES}} for r in rows]


def _totals(f: Filters) -> dict:
    row = _months(f).aggregate(**{f"s_{m}": Sum(m) for m in MEASURES})
    return {m: row[f"s_{m}"] or 0 for m in MEASURES}


def col(key, label, kind="int") -> dict:
    return {"key": key, "label": label, "kind": kind}


def _panel(key, columns, rows, chart=None, summary=None, note="") -> dict:
    return {
        "key": key,
        "title": PANELS[key],
        "columns": columns,
        "rows": rows,
        "chart": chart,
        "summary": summary or {},
        "note": note,
    }


def _open_overdue(f: Filters) -> int:
    """Cases in progress past their deadline (as of the last catch-up run)."""
    qs = OpenRollup.objects.filter(f.scope(), grain=_grain(f))
    qs = qs.filter(onething=f.onething) if f.onething else qs
    return qs.aggregate(n=Sum("overdue"))["n"] or 0


def _by_onething(f: Filters) -> list[dict]:
    names = onething_names()
    rows = _grouped(f, "onething")
    for r in rows:
        r["name"] = names.get(r["onething"], r["onething"])
    return sorted(rows, key=lambda r: (-r["cases"], r["onething"]))


def _region_names(codes) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=[c for c in codes if c]).values_list("code", "name"))


def _by_child(f: Filters, *, every_child: bool = False) -> list[dict]:
    key = CHILD_COLUMN[f.region.level]
    rows = _grouped(f, key)
    if every_child:  # a region with no cases is a figure too (0), and can still be drilled into
        seen = {r[key] for r in rows}
        children = Region.objects.filter(parent=f.region).exclude(code__in=seen).values_list("code")
        rows += [{key: code, **dict.fromkeys(MEASURES, 0)} for (code,) in children]
    names = _region_names(r[key] for r in rows)
    for r in rows:
        r["code"] = r[key] or f.region.code
        r["name"] = names.get(r[key], f"{f.region.name}本级")
    return sorted(rows, key=lambda r: r["code"])
