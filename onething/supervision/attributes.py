"""The flat attribute records warning rules are evaluated against, one per target object.

Each record is nested by prefix ({"task": {...}, "case": {...}}) so that the JsonLogic
`{"var": "task.elapsed_share"}` reads it; the names are listed in constants.ATTRIBUTES.
Working days come from the holiday calendar the cases app uses for its deadlines.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone

from onething.cases import selectors as cases
from onething.cases.constants import CommitmentStatus
from onething.catalog.blueprint import Blueprint
from onething.common import workdays
from onething.integration import selectors as integration

from . import feedback_bridge
from .constants import Target
from .facts import region_path


@dataclass
class Subject:
    """One object a rule may warn about."""

    target: str
    id: str
    title: str
    link: str
    region: str
    department: object | None
    record: dict = field(default_factory=dict)


def days_left(today: date, deadline: date | None) -> int | None:
    if deadline is None:
        return None
    if today <= deadline:
        return workdays.working_days_between(today, deadline)
    return -workdays.working_days_between(deadline, today)


def _share(elapsed: int, days: int) -> float:
    return round(elapsed / days, 4) if days else 0.0


def _case_part(case) -> dict:
    return {
        "number": case.number,
        "onething": case.onething,
        "region": case.process_region_id,
        "cross_region": case.accept_region_id != case.process_region_id,
    }


def task_subjects(today: date):
    rows = list(cases.tasks_running())
    external = integration.task_flags(t.pk for t in rows)
    for task in rows:
        # A paused task's clock stopped on the day it was paused.
        until = task.paused_on or today
        elapsed = max(workdays.working_days_between(task.started_on, until) - task.paused_days, 0)
        left = days_left(until, task.deadline)
        record = {
            "task": {
                "item": task.item,
                "status": task.status,
                "department": task.department.code,
                "days": task.days,
                "elapsed_days": elapsed,
                "elapsed_share": _share(elapsed, task.days),
                "days_left": left,
                "overdue_days": max(-(left or 0), 0),
                "flagged": task.flagged,
                **_external(external.get(task.pk)),
            },
            "case": _case_part(task.case),
        }
        yield Subject(
            Target.TASK,
            str(task.pk),
            f"{task.case.title} · {task.name}（{task.case.number}）",
            f"/cases/{task.case.number}/",
            task.case.process_region_id,
            task.department,
            record,
        )


def _external(flags: dict | None) -> dict:
    flags = flags or {}
    return {
        "external": flags.get("external", False),
        "system": flags.get("system", ""),
        "system_unreachable": flags.get("system_unreachable", False),
        "reconcile_mismatch": flags.get("reconcile_mismatch", False),
    }


def case_subjects(today: date):
    for case in cases.cases_processing():
        accepted = timezone.localdate(case.accepted_at) if case.accepted_at else today
        promised = (case.blueprint or {}).get("process", {}).get("promised_days", 0) or 0
        elapsed = workdays.working_days_between(accepted, today)
        left = days_left(today, case.deadline)
        record = {
            "case": {
                **_case_part(case),
                "status": case.status,
                "channel": case.channel,
                "tolerance": case.tolerance,
                "flagged": case.flagged,
                "promised_days": promised,
                "elapsed_days": elapsed,
                "elapsed_share": _share(elapsed, promised),
                "days_left": left,
                "overdue_days": max(-(left or 0), 0),
            }
        }
        yield Subject(
            Target.CASE,
            str(case.pk),
            f"{case.title}（{case.number}）",
            f"/cases/{case.number}/",
            case.process_region_id,
            case.accept_department,
            record,
        )


def _commitment_department(c):
    material = Blueprint.of(c.case.blueprint).material(c.material)
    users = material.used_by if material else ()
    task = c.case.tasks.filter(item__in=users).select_related("department").first()
    return task.department if task else c.case.accept_department


def commitment_subjects(today: date):
    # Breached commitments stay subjects while their case is open: the review is still due.
    for c in cases.commitments_open():
        left = (c.due_date - today).days
        record = {
            "commitment": {
                "material": c.material,
                "status": c.status,
                "days_left": left,
                "days_overdue": max(-left, 0),
                "breached": c.status == CommitmentStatus.BREACHED,
            },
            "case": _case_part(c.case),
        }
        yield Subject(
            Target.COMMITMENT,
            str(c.pk),
            f"{c.case.title} · 承诺补交“{c.name}”（{c.case.number}）",
            f"/cases/{c.case.number}/",
            c.case.process_region_id,
            _commitment_department(c),
            record,
        )


def ticket_subjects(now: datetime):
    for row in feedback_bridge.ticket_subjects(now):
        yield Subject(
            Target.TICKET,
            str(row["id"]),
            row["title"],
            row.get("link", ""),
            row.get("region", ""),
            row.get("department"),
            {"ticket": row["attributes"]},
        )


def subjects(target: str, now: datetime):
    today = timezone.localdate(now)
    return {
        Target.TASK: lambda: task_subjects(today),
        Target.CASE: lambda: case_subjects(today),
        Target.COMMITMENT: lambda: commitment_subjects(today),
        Target.TICKET: lambda: ticket_subjects(now),
    }[target]()


def scope_of(subject: Subject) -> dict:
    province, city, county = region_path(subject.region) if subject.region else ("", "", "")
    return {"province": province, "city": city, "county": county}
