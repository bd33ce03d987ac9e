"""Background jobs: rows in the database claimed by `onething worker` with a lease.

- ``enqueue`` is idempotent through ``dedup_key``: the same key never makes two jobs.
- A claim sets ``locked_until``; a job whose worker died is claimable again once the
  lease passes (default 30 s), so a killed worker's job runs again within a minute.
- Handlers are registered by name with ``@handler("app.name")`` in each app's ``tasks.py``;
  they receive the payload and must be idempotent (load by id, check state, act once).
- Periodic work (daily licence reminders, deadline warnings) is registered with
  ``@periodic(name, every_seconds)``: the worker enqueues one job per period, keyed by
  the period, so two workers never run the same period twice.
"""

import importlib
import logging
import time
import traceback
from collections.abc import Callable
from datetime import timedelta

from django.apps import apps
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import Job

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=30)
HANDLERS: dict[str, Callable[[dict], object]] = {}
PERIODIC: dict[str, int] = {}


def handler(name: str):
    def register(fn):
        HANDLERS[name] = fn
        return fn

    return register


def periodic(name: str, every_seconds: int):
    def register(fn):
        HANDLERS[name] = fn
        PERIODIC[name] = every_seconds
        return fn

    return register


def discover() -> None:
    for config in apps.get_app_configs():
        if config.name.startswith("onething."):
            try:
                importlib.import_module(f"{config.name}.tasks")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.tasks":
                    raise


def enqueue(
    name: str, *, payload: dict | None = None, dedup_key: str, delay: timedelta | None = None
) -> Job:
    """Queue a job once; call inside the caller's transaction so it commits with the change."""
    job, _ = Job.objects.get_or_create(
        dedup_key=dedup_key,
        defaults={
            "name": name,
            "payload": payload or {},
            "run_after": timezone.now() + (delay or timedelta()),
        },
    )
    return job


def enqueue_periodic(now=None) -> int:
    now = now or timezone.now()
    created = 0
    for name, every in PERIODIC.items():
        period = int(now.timestamp()) // every
        _, made = Job.objects.get_or_create(
            dedup_key=f"periodic:{name}:{period}",
            defaults={"name": name, "payload": {"period": period}, "run_after": now},
        )
        created += made
    return created


def claim(now=None) -> Job | None:
    now = now or timezone.now()
    claimable = Q(status=Job.Status.QUEUED, run_after__lte=now) | Q(
        status=Job.Status.RUNNING, locked_until__lt=now
    )
    with transaction.atomic():
        job = (
            Job.objects.select_for_update(skip_locked=True)
            .filter(claimable)
            .order_by("run_after", "id")
            .first()
        )
        if job is None:
            return None
        job.status, job.locked_until, job.attempts = (
            Job.Status.RUNNING,
            now + LEASE,
            job.attempts + 1,
        )
        job.save(update_fields=["status", "locked_until", "attempts"])
    return job


def run(job: Job) -> None:
    fn = HANDLERS.get(job.name)
    try:
        if fn is None:
            raise LookupError(f"no handler for job {job.name}")
        result = fn(job.payload)
    except Exception:  # a failing job must not stop the worker; it is retried with back-off
        _fail(job, traceback.format_exc())
        return
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.DONE,
        finished_at=timezone.now(),
        result=result if isinstance(result, dict | list | int | str) else None,
    )


def _fail(job: Job, error: str) -> None:
    log.warning("job %s %s failed: %s", job.pk, job.name, error.splitlines()[-1])
    final = job.attempts >= job.max_attempts
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.FAILED if final else Job.Status.QUEUED,
        last_error=error[-4000:],
        run_after=timezone.now() + timedelta(seconds=2**job.attempts),
        locked_until=None,
    )


def run_pending(limit: int = 1000) -> int:
    """Run what is due now, in this process (tests, `onething worker --once`)."""
    discover()
    done = 0
    while done < limit and (job := claim()):
        run(job)
        done += 1
    return done


def work_forever(poll: float = 1.0, stop: Callable[[], bool] = lambda: False) -> None:
    discover()
    while not stop():
        enqueue_periodic()
        job = claim()
        if job is None:
            time.sleep(poll)
            continue
        run(job)
