"""Build cases with known dates through the cases models (the cases services need a registry)."""

from datetime import datetime, time, timedelta
from itertools import count

from django.utils import timezone

from onething.accounts.models import Department, Region
from onething.cases.models import Case, Commitment, Task
from onething.catalog import selectors as catalog
from onething.common import workdays
from onething.common.events import record_event

SEQ = count(1)


def at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def make_case(
    *,
    submitted_by,
    accepted,
    elapsed: int | None = None,
    extra_days: int = 0,
    process: str = "420102",
    accept: str | None = None,
    channel: str = "portal",
    status: str = "completed",
    commitment: str | None = None,
    window_actor=None,
) -> Case:
    """A case accepted on ``accepted``; completed ``promised + extra_days`` working days later
    (or ``elapsed`` working days later) when status is completed."""
    version = catalog.version_latest("mini-restaurant")
    bp = catalog.blueprint(version)
    promised = bp["process"]["promised_days"]
    deadline = workdays.add_working_days(accepted, promised)
    days = elapsed if elapsed is not None else promised + extra_days
    finished = workdays.add_working_days(accepted, days) if status == "completed" else None
    case = Case.objects.create(
        number=f"{process}-T-{next(SEQ):06d}",
        version=version,
        onething="mini-restaurant",
        title=bp["onething"]["name"],
        blueprint=bp,
        answers=bp["answers"],
        applicant_data={"kind": "person", "name": "测试"},
        submitted_by=submitted_by,
        channel=channel,
        accept_region=Region.objects.get(code=accept or process),
        process_region=Region.objects.get(code=process),
        status=status,
        tolerance=commitment is not None,
        deadline=deadline,
        accepted_at=at(accepted),
        finished_at=at(finished, 16) if finished else None,
    )
    Case.objects.filter(pk=case.pk).update(submitted_at=at(accepted - timedelta(days=1)))
    record_event(
        actor=window_actor or submitted_by,
        verb="case.submitted",
        obj=case,
        data={"channel": channel},
    )
    _tasks(case, bp, accepted, status)
    if commitment:
        Commitment.objects.create(
            case=case,
            material="lease_contract",
            name="租赁合同",
            due_date=accepted + timedelta(days=10),
            status=commitment,
        )
    case.refresh_from_db()
    return case


def _tasks(case, bp, accepted, status):
    for item in bp["items"]:
        dept = Department.objects.get(
            kind_id=item["department"]["code"], region_id=case.process_region_id
        )
        Task.objects.create(
            case=case,
            item=item["code"],
            name=item["name"],
            stage=item["stage"],
            department=dept,
            days=item["promised_days"],
            status="approved" if status == "completed" else "active",
            started_on=accepted,
            deadline=workdays.add_working_days(accepted, item["promised_days"]),
        )
