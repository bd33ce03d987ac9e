"""Rollups: the monthly, daily and open-case figures the dashboard reads, rebuilt from the facts."""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from onething.cases.constants import CaseStatus

from .. import facts
from ..models import (
    CaseFact,
    DayRollup,
    Grain,
    MonthRollup,
    OpenRollup,
)
from .facts import OVERLAP, _set_watermark, _watermark, facts_catch_up


def _month(day: date) -> date:
    return day.replace(day=1)


def _next_month(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)


def touched_months(since: datetime | None) -> set[date]:
    """Months whose rollups a fact change since ``since`` may have moved."""
    qs = CaseFact.objects.all() if since is None else CaseFact.objects.filter(updated_at__gte=since)
    days = set(qs.values_list("submitted_on", flat=True).distinct())
    days |= set(qs.exclude(finished_on=None).values_list("finished_on", flat=True).distinct())
    return {_month(d) for d in days if d}


@transaction.atomic
def rollup_month(*, month: date) -> int:
    """Recompute one month's rollup rows from the facts (idempotent)."""
    month, end = _month(month), _next_month(_month(month))
    _purge(MonthRollup.objects.filter(month=month))
    _purge(DayRollup.objects.filter(day__gte=month, day__lt=end))
    in_month = CaseFact.objects.filter(submitted_on__gte=month, submitted_on__lt=end).order_by()
    # Prefixed aliases: several measures share a name with a fact column they filter on.
    measures = {f"m_{k}": v for k, v in facts.MONTH_MEASURES.items()}
    counties = [
        {
            **{k: r[k] for k in PLACE},
            "onething": r["onething"],
            **{k: r[f"m_{k}"] or 0 for k in facts.MONTH_MEASURES},
        }
        for r in in_month.values(*PLACE, "onething").annotate(**measures)
    ]
    rows = [
        MonthRollup(month=month, grain=grain, region=facts.leaf(r), **r)
        for grain, grouped in _grains(counties, ["onething"], list(facts.MONTH_MEASURES))
        for r in grouped
    ]
    MonthRollup.objects.bulk_create(rows, batch_size=2000)
    days = [
        DayRollup(grain=grain, region=facts.leaf(r), **r)
        for grain, grouped in _grains(
            _day_counts(month, end), ["day", "onething"], ["cases", "completed"]
        )
        for r in grouped
    ]
    DayRollup.objects.bulk_create(days, batch_size=2000)
    return len(rows)


PLACE = ["province", "city", "county"]


def _purge(qs) -> None:
    """One DELETE statement: rollup rows are derived data, so no per-row delete signals
    (QuerySet.delete would load every row to send them, thousands per rebuild)."""
    qs._raw_delete(qs.db)


def _grains(rows: list[dict], keys: list[str], measures: list[str]):
    """County-grain rows as given, and the same summed per city (county left blank)."""
    yield Grain.COUNTY, rows
    cities: dict[tuple, dict] = {}
    for r in rows:
        key = (r["province"], r["city"], *(r[k] for k in keys))
        row = cities.setdefault(
            key,
            {
                "province": r["province"],
                "city": r["city"],
                "county": "",
                **{k: r[k] for k in keys},
                **dict.fromkeys(measures, 0),
            },
        )
        for m in measures:
            row[m] += r[m]
    yield Grain.CITY, list(cities.values())


def _day_counts(month: date, end: date) -> list[dict]:
    """Per day, county and one-thing; then also summed over one-things (onething '')."""
    base = CaseFact.objects.order_by()
    by_day: dict[tuple, dict] = {}
    for field, measure, extra in (
        ("submitted_on", "cases", {}),
        ("finished_on", "completed", {"completed": True}),
    ):
        rows = base.filter(**{f"{field}__gte": month, f"{field}__lt": end}, **extra)
        for r in rows.values(field, *PLACE, "onething").annotate(n=Count("id")):
            for thing in (r["onething"], ""):
                key = (r[field], r["province"], r["city"], r["county"], thing)
                row = by_day.setdefault(
                    key,
                    {
                        "day": r[field],
                        **{k: r[k] for k in PLACE},
                        "onething": thing,
                        "cases": 0,
                        "completed": 0,
                    },
                )
                row[measure] += r["n"]
    return list(by_day.values())


@transaction.atomic
def open_rollup_rebuild(*, today: date | None = None) -> int:
    """Recount cases in progress and overdue (the date moves, so all of it, every run)."""
    today = today or timezone.localdate()
    _purge(OpenRollup.objects.all())
    open_facts = CaseFact.objects.filter(status=CaseStatus.PROCESSING).order_by()
    counts = [
        {
            **{k: r[k] for k in PLACE},
            "onething": r["onething"],
            "processing": r["n"],
            "overdue": r["late"],
        }
        for r in open_facts.values(*PLACE, "onething").annotate(
            n=Count("id"), late=Count("id", filter=Q(deadline__lt=today))
        )
    ]
    rows = [
        OpenRollup(grain=grain, region=facts.leaf(r), as_of=today, **r)
        for grain, grouped in _grains(counts, ["onething"], ["processing", "overdue"])
        for r in grouped
    ]
    OpenRollup.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def rollups_rebuild(*, months: list[date] | None = None, now: datetime | None = None) -> int:
    """Rebuild the given months, or those touched since the last run (the periodic job)."""
    now = now or timezone.now()
    if months is None:
        since = _watermark("rollups")
        months = sorted(touched_months(None if since is None else since - OVERLAP))
        _set_watermark("rollups", now)
    return sum(rollup_month(month=m) for m in months)


def rollups_rebuild_all() -> int:
    """Everything from the facts (after a bulk load, or to repair)."""
    _purge(MonthRollup.objects.all())
    _purge(DayRollup.objects.all())
    built = rollups_rebuild(months=sorted(touched_months(None)))
    open_rollup_rebuild()
    return built


def refresh(*, now: datetime | None = None) -> dict:
    """The periodic catch-up: facts of changed cases, then the rollups of touched months, then
    the open-case counts, which are recounted whole, so only when a fact moved or the date did:
    a quiet run is two small queries, and the job can run often (the dashboard follows cases
    within seconds, not a minute)."""
    result = {"facts": facts_catch_up(now=now), "rollup_rows": rollups_rebuild(now=now)}
    today = timezone.localdate(now)
    moved = result["facts"] or result["rollup_rows"]
    stale = moved or not OpenRollup.objects.filter(as_of=today).exists()
    result["open_rows"] = open_rollup_rebuild(today=today) if stale else 0
    return result
