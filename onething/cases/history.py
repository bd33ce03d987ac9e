"""Synthetic historical cases for the demo dashboard (run by the supervision demo).

Real Case rows (with tasks, materials, commitments and timeline events) made through the cases
models, with their dates set in the past; every dashboard figure is then derived from them by
the same services as for live cases. They are marked ``Case.synthetic`` and numbered 9xxxxx so
they never collide with live numbering. Every case comes in on a working day at a moment of the
window's hours (seeded: the same seed and day give the same moments), and is accepted, and
finished, later in those hours.
"""

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from onething.accounts.constants import Role
from onething.accounts.models import Region, User
from onething.catalog import selectors as catalog
from onething.catalog.blueprint import Blueprint
from onething.common import workdays
from onething.common.events import record_event
from onething.common.models import Event

from . import services as cases
from .constants import CROSS_REGION_OK, CaseStatus, CommitmentStatus, TaskStatus
from .models import Case, CaseMaterial, Commitment, Task

HISTORY_APPLICANT = "synthetic_history"
# Where the demo cases are processed: mostly the demo supervisor's Wuhan, some elsewhere.
REGIONS = (
    ["420102"] * 6
    + ["420103", "420104", "420105", "420106", "420111", "420112"] * 2
    + [
        "420502",
        "420503",
        "420602",
        "421002",
    ]
)


# The window's hours (minutes of the day): submissions and acceptances fall inside them.
HOURS = ((8 * 60 + 30, 12 * 60), (14 * 60, 17 * 60 + 30))


def _at(day, hour=10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _during_hours(rng, day, after: datetime | None = None) -> datetime | None:
    """A moment of the window's hours on ``day`` (later than ``after`` when that is the same
    day), to the second; None when the day has no such moment left."""
    start = 0
    if after is not None and timezone.localtime(after).date() == day:
        local = timezone.localtime(after)
        start = local.hour * 60 + local.minute + 5  # a few minutes later at least
    spans = [(max(a, start), b) for a, b in HOURS if b > max(a, start)]
    if not spans:
        return None
    second = rng.randrange(sum(b - a for a, b in spans) * 60)
    for a, b in spans[:-1]:
        if second < (b - a) * 60:
            break
        second -= (b - a) * 60
    else:
        a = spans[-1][0]
    return timezone.make_aware(datetime.combine(day, time(0, 0))) + timedelta(
        minutes=a, seconds=second
    )


def _workday_before(day):
    """The last working day before ``day``."""
    day -= timedelta(days=1)
    while not workdays.is_workday(day):
        day -= timedelta(days=1)
    return day


def history_load(*, seed: int, count: int) -> int:
    if Case.objects.filter(synthetic=True).exists():
        return 0
    rng = random.Random(seed)
    clerk = User.objects.filter(username="demo_clerk").first()
    versions = [catalog.version_latest(s["code"]) for s in catalog.summaries()]
    if not (clerk and versions):
        return 0
    citizen = _history_applicant()
    regions = {r.code: r for r in Region.objects.filter(code__in=REGIONS)}
    today = timezone.localdate()
    for seq in range(count):
        version = rng.choice(versions)
        region = regions[rng.choice(REGIONS)]
        _one_case(rng, seq, version, region, today, clerk, citizen)
    return count


def _history_applicant() -> User:
    """Who submitted the synthetic online cases: an account nobody can log in to, so that no
    demo applicant finds hundreds of strangers' cases under 我的办件."""
    user, created = User.objects.get_or_create(
        username=HISTORY_APPLICANT,
        defaults={
            "role": Role.APPLICANT_PERSON,
            "display_name": "演示历史申请人（合成数据）",
            "is_active": False,
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _one_case(rng, seq, version, region, today, clerk, citizen) -> Case:
    stored = catalog.blueprint(version)
    bp = Blueprint.of(stored)
    channel = rng.choices(["portal", "window", "api"], weights=[6, 3, 1])[0]
    accept = region
    if bp.cross_region in CROSS_REGION_OK and rng.random() < 0.15:
        accept = (
            Region.objects.filter(level=region.level)
            .exclude(code=region.code)
            .order_by("?")
            .first()
        )
    # A working day in the past eleven months, at an hour the window is open.
    submitted = _workday_before(today - timedelta(days=rng.randint(0, 329)))
    submitted_at = _during_hours(rng, submitted)
    case = Case.objects.create(
        number=f"{accept.code}-{submitted:%Y%m%d}-9{seq:05d}",
        version=version,
        onething=bp.code,
        title=bp.name,
        blueprint=stored,
        answers=dict(bp.answers),
        applicant_data={"kind": "person", "name": f"演示申请人{seq}", "synthetic": True},
        submitted_by=clerk if channel == "window" else citizen,
        channel=channel,
        accept_region=accept,
        process_region=region,
        status=CaseStatus.SUBMITTED,
        synthetic=True,
    )
    actor = clerk if channel == "window" else citizen
    came_in = record_event(
        actor=actor, verb="case.submitted", obj=case, data={"channel": channel, "synthetic": True}
    )
    case.submitted_at = submitted_at
    _materials(case, bp)
    if not _progress(rng, case, bp, submitted, today, clerk, actor):
        # A window queue of days, not months: the last working day at the latest.
        recent = _workday_before(today)
        if submitted < recent:
            submitted, submitted_at = recent, _during_hours(rng, recent)
    Case.objects.filter(pk=case.pk).update(
        number=f"{accept.code}-{submitted:%Y%m%d}-9{seq:05d}", submitted_at=submitted_at
    )
    _dated(came_in, submitted_at)
    return case


def _dated(event, at: datetime) -> None:
    """A synthetic case's timeline reads at its own moments, not the moment the demo loaded;
    the audit rows keep the real time of the load."""
    Event.objects.filter(pk=event.pk).update(created_at=at)


def _materials(case, bp) -> None:
    rows = [m for m in bp.materials if m.disposition in ("upload", "commitment")]
    CaseMaterial.objects.bulk_create(
        [CaseMaterial(case=case, material=m.code, name=m.name, state="uploaded") for m in rows]
    )


def _progress(rng, case, bp, submitted, today, clerk, actor) -> bool:
    """Accept, run the tasks and finish (or not) at plausible dates before today; False when the
    case is still waiting at the window."""
    roll = rng.random()
    if roll < 0.05:
        return False
    accepted = workdays.add_working_days(submitted, rng.randint(0, 1))
    if accepted >= today:  # today has not ended: accepted the day it came in
        accepted = submitted
    # Accepted a little after it came in (the window stays to finish its queue at closing time).
    accepted_at = _during_hours(rng, accepted, after=case.submitted_at) or (
        case.submitted_at + timedelta(minutes=rng.randint(5, 30))
    )
    promised = bp.promised_days
    case.status, case.accepted_at = CaseStatus.PROCESSING, accepted_at
    case.deadline = workdays.add_working_days(accepted, promised)
    case.accept_department = clerk.department
    case.tolerance = rng.random() < 0.2
    accepted_event = record_event(
        actor=clerk, verb="case.accepted", obj=case, data={"synthetic": True}
    )
    _dated(accepted_event, accepted_at)
    if case.channel == "window" and rng.random() < 0.2:
        supplemented = record_event(
            actor=clerk, verb="case.supplemented", obj=case, data={"synthetic": True}
        )
        _dated(supplemented, accepted_at + timedelta(minutes=rng.randint(1, 4)))
    elapsed = max(round(promised * rng.uniform(0.3, 1.25)), 1)
    finished = workdays.add_working_days(accepted, elapsed)
    done = finished < today and roll < 0.92
    if done:
        refused = rng.random() < 0.05
        case.status = CaseStatus.REFUSED if refused else CaseStatus.COMPLETED
        case.finished_at = _during_hours(rng, finished)
        ended = record_event(
            actor=None,
            verb="case.refused" if refused else "case.completed",
            obj=case,
            data={"synthetic": True},
        )
        _dated(ended, case.finished_at)
    case.save()
    _tasks(rng, case, bp, accepted, today, done)
    if case.tolerance:
        _commitment(rng, case, bp, accepted, today)
    return True


def _tasks(rng, case, bp, accepted, today, done) -> None:
    rows = []
    first_stage = min((item.stage for item in bp.items), default=0)
    for item in bp.items:
        days = item.days  # the limit inside the one-thing
        # An open case runs its first stage; later stages wait for it, as live cases do.
        waiting = not done and item.stage > first_stage
        started = None if waiting else (accepted if done else min(accepted, today))
        rows.append(
            Task(
                case=case,
                item=item.code,
                name=item.name,
                stage=item.stage,
                department=cases.department_for_item(item.routing, case.process_region),
                days=days,
                status=TaskStatus.APPROVED
                if case.status == CaseStatus.COMPLETED
                else (
                    TaskStatus.CANCELLED
                    if done
                    else TaskStatus.WAITING
                    if waiting
                    else TaskStatus.ACTIVE
                ),
                started_on=started,
                deadline=started and workdays.add_working_days(started, days),
            )
        )
    Task.objects.bulk_create(rows)


def _commitment(rng, case, bp, accepted, today) -> None:
    material = next((m for m in bp.materials if m.disposition in ("upload", "commitment")), None)
    if material is None:
        return
    due = accepted + timedelta(days=rng.randint(10, 40))
    status = CommitmentStatus.PENDING
    if due < today:
        status = CommitmentStatus.BREACHED if rng.random() < 0.15 else CommitmentStatus.FULFILLED
    Commitment.objects.create(
        case=case,
        material=material.code,
        name=material.name,
        due_date=due,
        status=status,
        closed_at=_at(min(due, today)) if status != CommitmentStatus.PENDING else None,
    )
    CaseMaterial.objects.filter(case=case, material=material.code).update(state="committed")
