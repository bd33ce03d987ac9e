"""Deriving a case's fact row, and the rollups, from cases, their events and the blueprint.

Pure reads and arithmetic; services.py does the writes. Definitions (docs/supervision.md):

- elapsed working days: accepted → finished, minus the working days tasks were paused for a
  supplement (the statutory clock stops then, and the case deadline moves by the same amount);
- on time: completed on or before the case deadline (already extended by those pauses);
- visits: interactions that needed the applicant at a window — events on the case by a window
  clerk that submit, supplement or fulfil a commitment; a case with none was done fully online;
- materials: materials the applicant actually supplied (uploaded or committed), exemptions not;
- baseline: the blueprint's reductions.before (the member items done separately, in series).
"""

from datetime import date
from functools import lru_cache

from django.db.models import Count, Q, Sum
from django.utils import timezone

from onething.accounts.constants import RegionLevel, Role
from onething.accounts.models import Region
from onething.cases.constants import CaseStatus, CommitmentStatus, MaterialState
from onething.catalog.blueprint import Blueprint
from onething.common import workdays
from onething.common.models import Event

CLOSED = {CaseStatus.COMPLETED, CaseStatus.REFUSED, CaseStatus.REJECTED}
VISIT_VERBS = {"case.submitted", "case.supplemented", "commitment.fulfilled"}


@lru_cache(maxsize=1)
def _region_table() -> dict[str, tuple[str, str, str]]:
    rows = {r.code: r for r in Region.objects.all()}
    out = {}
    for code, region in rows.items():
        path = {RegionLevel.PROVINCE: "", RegionLevel.CITY: "", RegionLevel.COUNTY: ""}
        node = region
        while node is not None:
            path[node.level] = node.code
            node = rows.get(node.parent_id)
        out[code] = (path[RegionLevel.PROVINCE], path[RegionLevel.CITY], path[RegionLevel.COUNTY])
    return out


def region_path(code: str) -> tuple[str, str, str]:
    """(province, city, county) codes of a region; a county-less city has county ''."""
    table = _region_table()
    if code not in table:
        _region_table.cache_clear()
        table = _region_table()
    return table.get(code, (code[:2] + "0000", "", ""))


def _day(value) -> date | None:
    return timezone.localdate(value) if value else None


def _visits(case) -> int:
    events = Event.objects.filter(
        object_type="cases.case",
        object_id=str(case.pk),
        verb__in=VISIT_VERBS,
        actor__role=Role.WINDOW_CLERK,
    )
    return events.count()


def _elapsed(case, accepted: date | None, finished: date | None) -> int | None:
    if not (accepted and finished) or case.status != CaseStatus.COMPLETED:
        return None
    paused = case.tasks.aggregate(n=Sum("paused_days"))["n"] or 0
    return max(workdays.working_days_between(accepted, finished) - paused, 0)


def _commitments(case) -> dict:
    rows = case.commitments.order_by().values("status").annotate(n=Count("id"))
    counts = {r["status"]: r["n"] for r in rows}
    return {
        "commitments_fulfilled": counts.get(CommitmentStatus.FULFILLED, 0),
        "commitments_breached": counts.get(CommitmentStatus.BREACHED, 0),
        "commitments_pending": counts.get(CommitmentStatus.PENDING, 0),
    }


def fact_values(case) -> dict:
    """Every column of the case's CaseFact row."""
    bp = Blueprint.of(case.blueprint)
    before, after = bp.before, bp.after
    province, city, county = region_path(case.process_region_id)
    accepted, finished = _day(case.accepted_at), _day(case.finished_at)
    completed = case.status == CaseStatus.COMPLETED
    supplied = case.materials.filter(
        state__in=[MaterialState.UPLOADED, MaterialState.COMMITTED]
    ).count()
    return {
        "number": case.number,
        "onething": case.onething,
        "channel": case.channel,
        "status": case.status,
        "province": province,
        "city": city,
        "county": county,
        "accept_region": case.accept_region_id,
        "cross_region": case.accept_region_id != case.process_region_id,
        "tolerance": case.tolerance,
        "submitted_on": _day(case.submitted_at),
        "accepted_on": accepted,
        "finished_on": finished,
        "deadline": case.deadline,
        "completed": completed,
        "on_time": bool(completed and case.deadline and finished and finished <= case.deadline),
        "promised_days": bp.promised_days,
        "baseline_days": before.get("time", 0) or 0,
        "elapsed_days": _elapsed(case, accepted, finished),
        "baseline_visits": before.get("visits", 0) or 0,
        "planned_visits": after.get("visits", 0) or 0,
        "visits": _visits(case),
        "baseline_materials": before.get("materials", 0) or 0,
        "materials": supplied,
        **_commitments(case),
    }


def _done(**extra) -> Q:
    return Q(completed=True, **extra)


# Measures of MonthRollup as aggregates over CaseFact.
MONTH_MEASURES = {
    "cases": Count("id"),
    "cases_portal": Count("id", filter=Q(channel="portal")),
    "cases_window": Count("id", filter=Q(channel="window")),
    "cases_api": Count("id", filter=Q(channel="api")),
    "accepted": Count("id", filter=Q(accepted_on__isnull=False)),
    "completed": Count("id", filter=_done()),
    "closed": Count("id", filter=Q(status__in=CLOSED)),
    "on_time": Count("id", filter=_done(on_time=True)),
    "elapsed_sum": Sum("elapsed_days", filter=_done()),
    "promised_sum": Sum("promised_days", filter=_done()),
    "baseline_sum": Sum("baseline_days", filter=_done()),
    "visits_sum": Sum("visits", filter=_done()),
    "planned_visits_sum": Sum("planned_visits", filter=_done()),
    "baseline_visits_sum": Sum("baseline_visits", filter=_done()),
    "zero_visit": Count("id", filter=_done(visits=0)),
    "materials_sum": Sum("materials", filter=_done()),
    "baseline_materials_sum": Sum("baseline_materials", filter=_done()),
    "cross_region": Count("id", filter=Q(cross_region=True)),
    "tolerance": Count("id", filter=Q(tolerance=True)),
    "commitments_fulfilled": Sum("commitments_fulfilled"),
    "commitments_breached": Sum("commitments_breached"),
    "commitments_pending": Sum("commitments_pending"),
}


def leaf(row: dict) -> str:
    return row["county"] or row["city"] or row["province"]
