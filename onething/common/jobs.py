"""Background jobs: rows in the database claimed by `onething worker` with a lease.

- ``enqueue`` is idempotent through ``dedup_key``: the same key never makes two jobs.
- A claim sets ``locked_until``; a job whose worker died is claimable again once the
  lease passes (default 30 s), so a killed worker's job runs again within a minute.
- Handlers are registered by name with ``@handler("app.name")`` in each app's ``tasks.py``;
  they receive the payload and must be idempotent (load by id, check state, act once).
- Periodic work (daily licence reminders, deadline warnings) is registered with
  ``@periodic(name, every_seconds)``: the worker enqueues one job per period, keyed by
  the period, so two workers never run the same period twice.
- A worker's loop writes a heartbeat row (``WorkerBeat``) at most every ``BEAT_EVERY`` seconds;
  the health endpoint reads its age. While a job runs longer than that, a pulse thread keeps
  beating and renews the job's lease, so a long job neither looks dead nor runs twice. ``run_pass`` is one bounded pass (`onething worker --once`).
- A handler registered with ``urgent=True`` (a dispatch a department system waits for) is claimed
  before every other due job, and ``work_forever`` also runs an *urgent lane*: a thread that
  claims only urgent jobs and polls every ``URGENT_POLL`` s, so a dispatch never waits for the
  sealing or PDF job a worker happens to be running.
"""

import importlib
import logging
import os
import socket
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.apps import apps
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.db.models import Case, Q, Value, When
from django.utils import timezone

from .models import Job, WorkerBeat

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=30)
BEAT_EVERY = 5.0  # seconds between heartbeat writes: often enough to see a dead worker in a minute
PERIODIC_EVERY = 1.0  # seconds between checks for due periodic work
URGENT_POLL = 0.1  # the urgent lane's idle poll: one indexed query, a department system waits
DONE_KEPT = timedelta(days=7)  # finished jobs are kept this long, then pruned
HANDLERS: dict[str, Callable[[dict], object]] = {}
PERIODIC: dict[str, int] = {}
URGENT: set[str] = set()


def handler(name: str, *, urgent: bool = False):
    def register(fn):
        HANDLERS[name] = fn
        if urgent:
            URGENT.add(name)
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


def claim(now=None, *, urgent_only: bool = False) -> Job | None:
    now = now or timezone.now()
    claimable = Q(status=Job.Status.QUEUED, run_after__lte=now) | Q(
        status=Job.Status.RUNNING, locked_until__lt=now
    )
    if urgent_only:
        claimable &= Q(name__in=sorted(URGENT))
    with transaction.atomic():
        job = (
            Job.objects.select_for_update(skip_locked=True)
            .filter(claimable)
            .order_by(_urgency(), "run_after", "id")
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


def _urgency():
    """0 for an urgent job, 1 for the rest: the claim's first sort key."""
    if not URGENT:
        return Value(1)
    return Case(When(name__in=sorted(URGENT), then=Value(0)), default=Value(1))


def run(job: Job) -> bool:
    """Run a claimed job; False when it raised (it is then retried later or marked failed)."""
    fn = HANDLERS.get(job.name)
    try:
        if fn is None:
            raise LookupError(f"no handler for job {job.name}")
        result = fn(job.payload)
    except Exception:  # a failing job must not stop the worker; it is retried with back-off
        _fail(job, traceback.format_exc())
        return False
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.DONE,
        finished_at=timezone.now(),
        result=result if isinstance(result, dict | list | int | str) else None,
    )
    return True


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
    """Run what is due now, in this process (tests)."""
    discover()
    done = 0
    while done < limit and (job := claim()):
        run(job)
        done += 1
    return done


class Heartbeat:
    """This process's ``WorkerBeat`` row: written at start, every ``BEAT_EVERY`` s, and at stop."""

    def __init__(self, worker: str | None = None):
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}"
        self.jobs_done = 0
        self._last = float("-inf")

    def beat(self, *, force: bool = False) -> None:
        if not force and time.monotonic() - self._last < BEAT_EVERY:
            return
        self._last = time.monotonic()
        now = timezone.now()
        WorkerBeat.objects.update_or_create(
            worker=self.worker,
            defaults={"beat_at": now, "jobs_done": self.jobs_done, "stopped_at": None},
            create_defaults={"beat_at": now, "started_at": now, "jobs_done": self.jobs_done},
        )

    def start(self) -> None:
        # Rows of workers gone for a day tell nothing any more.
        WorkerBeat.objects.filter(beat_at__lt=timezone.now() - timedelta(days=1)).delete()
        self.beat(force=True)

    def stop(self) -> None:
        now = timezone.now()
        WorkerBeat.objects.filter(worker=self.worker).update(
            beat_at=now, stopped_at=now, jobs_done=self.jobs_done
        )


class Pulse:
    """Beats and renews ``job``'s lease every ``BEAT_EVERY`` s while the job runs in this thread.

    The beat between jobs cannot see a job that runs past the lease: without this, /healthz called
    a busy worker dead and a second worker re-claimed its job while it was still running."""

    def __init__(self, beat: Heartbeat, job: Job):
        self.beat, self.job, self.done = beat, job, threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"pulse-{job.pk}", daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.done.set()
        self.thread.join()

    def _run(self) -> None:
        try:
            while not self.done.wait(BEAT_EVERY):
                self._renew()
        finally:
            connection.close()  # this thread's own connection

    def _renew(self) -> None:
        try:
            close_old_connections()
            Job.objects.filter(pk=self.job.pk, status=Job.Status.RUNNING).update(
                locked_until=timezone.now() + LEASE
            )
            self.beat.beat(force=True)
        except DatabaseError as exc:  # SQLite busy behind the job's own write: try next beat
            log.info("pulse of job %s skipped: %s", self.job.pk, exc)


@dataclass
class PassReport:
    done: Counter = field(default_factory=Counter)
    failed: Counter = field(default_factory=Counter)
    took: Counter = field(default_factory=Counter)  # seconds spent per job name
    seconds: float = 0.0
    left: int = 0  # jobs still due when the pass stopped

    @property
    def total(self) -> int:
        return sum(self.done.values()) + sum(self.failed.values())


def run_pass(*, max_jobs: int = 100, max_seconds: float = 60.0) -> PassReport:
    """One bounded pass (`onething worker --once`): queue due periodic work, then run due jobs
    until none is left, ``max_jobs`` have run, or ``max_seconds`` have passed (a job that started
    in time finishes). Every job is kept short (licences are sealed a batch per job) for this."""
    discover()
    started = time.monotonic()
    report, beat = PassReport(), Heartbeat()
    beat.start()
    try:
        enqueue_periodic()
        while report.total < max_jobs and time.monotonic() - started < max_seconds:
            if (job := claim()) is None:
                break
            job_started = time.monotonic()
            with Pulse(beat, job):
                ok = run(job)
            (report.done if ok else report.failed)[job.name] += 1
            report.took[job.name] += time.monotonic() - job_started
            beat.jobs_done += 1
            beat.beat()
    finally:
        beat.stop()
    report.seconds = time.monotonic() - started
    report.left = due_count()
    return report


def prune(*, keep: timedelta = DONE_KEPT, now=None) -> int:
    """Delete finished jobs older than ``keep``: periodic work alone leaves ~20,000 rows a day.
    Failed jobs stay for the system administrator to see."""
    cutoff = (now or timezone.now()) - keep
    deleted, _ = Job.objects.filter(status=Job.Status.DONE, finished_at__lt=cutoff).delete()
    return deleted


def due_count(now=None) -> int:
    now = now or timezone.now()
    return Job.objects.filter(status=Job.Status.QUEUED, run_after__lte=now).count()


def work_forever(poll: float = 1.0, stop: Callable[[], bool] = lambda: False) -> None:
    """The worker's loop until ``stop()`` says so (checked between jobs: a job is never cut)."""
    discover()
    beat = Heartbeat()
    beat.start()
    lane = UrgentLane(beat, stop) if URGENT else None
    periodic_at = float("-inf")
    try:
        while not stop():
            beat.beat()
            if time.monotonic() - periodic_at >= PERIODIC_EVERY:
                enqueue_periodic()
                periodic_at = time.monotonic()
            job = claim()
            if job is None:
                time.sleep(poll)
                continue
            with Pulse(beat, job):
                run(job)
            beat.jobs_done += 1
    finally:
        if lane:
            lane.join()
        beat.stop()


class UrgentLane:
    """A thread of the worker that runs only urgent jobs, so that one waits at most
    ``URGENT_POLL`` s for a free hand, not for the end of a long job the main loop is running."""

    def __init__(self, beat: Heartbeat, stop: Callable[[], bool]):
        self.beat, self.stop = beat, stop
        self.thread = threading.Thread(target=self._run, name="urgent-lane", daemon=True)
        self.thread.start()

    def join(self) -> None:
        self.thread.join()

    def _run(self) -> None:
        try:
            while not self.stop():
                if not self._one():
                    time.sleep(URGENT_POLL)
        finally:
            connection.close()  # this thread's own connection

    def _one(self) -> bool:
        try:
            close_old_connections()
            job = claim(urgent_only=True)
        except DatabaseError as exc:  # SQLite busy behind another write: the next poll tries again
            log.info("urgent lane: claim skipped: %s", exc)
            return False
        if job is None:
            return False
        with Pulse(self.beat, job):
            run(job)
        self.beat.jobs_done += 1
        return True
