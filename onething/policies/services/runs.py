"""Runs: starting and executing a policy's matching or grant run; the scheduled grant runs."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from onething.common import jobs
from onething.common.errors import Conflict, DomainError
from onething.common.events import record_event

from ..constants import (
    EDITORS,
    BatchStatus,
    Mode,
    Recurrence,
    RunKind,
    RunStatus,
)
from ..models import (
    GrantBatch,
    Policy,
    PolicyRun,
)
from .base import require_role
from .grants import grant_batch_build
from .library import _user
from .matching import refresh_matches


def period_of(policy: Policy, day: date) -> str:
    if policy.recurrence == Recurrence.MONTHLY:
        return day.strftime("%Y-%m")
    return str(day.year) if policy.recurrence == Recurrence.YEARLY else "once"


def run_start(*, policy: Policy, kind: str, actor=None, period: str = "") -> PolicyRun:
    """Queue a match or grant run for the worker; ``actor`` None means the schedule."""
    if actor is not None:
        require_role(actor, EDITORS)
    if kind not in RunKind.values:
        raise DomainError("运行类型应为 match 或 grant", fields={"kind": "取值应为 match、grant"})
    if policy.current is None:
        raise DomainError("该政策还没有版本")
    if kind == RunKind.GRANT:
        period = _grant_period(policy, period)
    return _queue_run(policy, kind, period, actor)


def _grant_period(policy: Policy, period: str) -> str:
    if policy.mode != Mode.AUTO:
        raise DomainError("只有免申即享政策可以生成发放批次")
    period = period or period_of(policy, timezone.localdate())
    if GrantBatch.objects.filter(policy=policy, period=period, status=BatchStatus.PENDING).exists():
        raise Conflict(f"{period} 期已有待审核批次，请先审核")
    return period


@transaction.atomic
def _queue_run(policy, kind, period, actor) -> PolicyRun:
    run = PolicyRun.objects.create(
        policy=policy, version=policy.current, kind=kind, period=period, created_by=_user(actor)
    )
    job = jobs.enqueue("policies.run", payload={"run": run.pk}, dedup_key=f"policies:run:{run.pk}")
    PolicyRun.objects.filter(pk=run.pk).update(job_id=job.pk)
    run.job_id = job.pk
    record_event(
        actor=actor,
        verb="policy.run_started",
        obj=policy,
        data={"run": run.pk, "kind": kind},
        objects=[run],
    )
    return run


def run_execute(*, run_id: int) -> dict:
    """The worker's half; a run already finished is left alone (jobs may be re-delivered)."""
    run = PolicyRun.objects.select_related("policy__current").filter(pk=run_id).first()
    if run is None or run.status != RunStatus.QUEUED:
        return {"skipped": True}
    try:
        stats = refresh_matches(policy=run.policy)
        if run.kind == RunKind.GRANT:
            stats["batch"] = grant_batch_build(run=run).pk
    except DomainError as error:
        return _finish(run, RunStatus.FAILED, {}, error.message)
    return _finish(run, RunStatus.DONE, stats, "")


def _finish(run, status, stats, error) -> dict:
    stats = {k: v for k, v in stats.items() if isinstance(v, int | str | float | bool | dict)}
    PolicyRun.objects.filter(pk=run.pk).update(
        status=status, stats=stats, error=error, finished_at=timezone.now()
    )
    return {"run": run.pk, "status": status}


def scheduled_grants(*, today: date | None = None) -> int:
    """Start this period's grant run of each recurring no-application policy, once."""
    today = today or timezone.localdate()
    started = 0
    for policy in Policy.objects.filter(active=True, mode=Mode.AUTO, current__isnull=False):
        period = period_of(policy, today)
        if (
            GrantBatch.objects.filter(policy=policy, period=period)
            .exclude(status=BatchStatus.REJECTED)
            .exists()
        ):
            continue
        if PolicyRun.objects.filter(
            policy=policy, kind=RunKind.GRANT, period=period, status=RunStatus.QUEUED
        ).exists():
            continue
        run_start(policy=policy, kind=RunKind.GRANT, period=period)
        started += 1
    return started
