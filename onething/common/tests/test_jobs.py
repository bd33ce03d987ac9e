"""Background jobs: claimed with a lease, idempotent, and picked up again after a kill -9."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from onething.common import jobs, notify
from onething.common.models import Job, Message, Outbox

CALLS = []


@jobs.handler("test.record")
def _record(payload):
    CALLS.append(payload["n"])
    return {"n": payload["n"]}


@jobs.handler("test.urgent", urgent=True)
def _urgent(payload):
    CALLS.append(payload["n"])
    return {"n": payload["n"]}


@jobs.handler("test.explode")
def _explode(payload):
    raise RuntimeError("boom")


def test_the_same_dedup_key_never_makes_two_jobs(db):
    a = jobs.enqueue("test.record", payload={"n": 1}, dedup_key="k1")
    b = jobs.enqueue("test.record", payload={"n": 2}, dedup_key="k1")
    assert a.pk == b.pk and Job.objects.count() == 1


def test_a_due_job_runs_once(db):
    CALLS.clear()
    jobs.enqueue("test.record", payload={"n": 7}, dedup_key="k7")
    assert jobs.run_pending() == 1
    assert jobs.run_pending() == 0
    assert CALLS == [7]
    assert Job.objects.get().status == Job.Status.DONE


def test_an_urgent_job_is_claimed_before_older_ordinary_work(db):
    CALLS.clear()
    earlier = timezone.now() - timedelta(minutes=5)
    for n in range(3):
        jobs.enqueue("test.record", payload={"n": n}, dedup_key=f"seal{n}", delay=timedelta())
    Job.objects.update(run_after=earlier)
    jobs.enqueue("test.urgent", payload={"n": 99}, dedup_key="dispatch")
    assert jobs.run_pending() == 4
    assert CALLS == [99, 0, 1, 2]  # the dispatch first, the rest in their order


def test_a_job_whose_worker_died_is_claimed_again_after_the_lease(db):
    jobs.enqueue("test.record", payload={"n": 1}, dedup_key="k")
    first = jobs.claim()
    assert jobs.claim() is None  # still leased
    later = timezone.now() + jobs.LEASE + timedelta(seconds=1)
    again = jobs.claim(now=later)
    assert again.pk == first.pk and again.attempts == 2


def test_a_failing_job_is_retried_with_back_off_then_marked_failed(db):
    job = jobs.enqueue("test.explode", dedup_key="x")
    Job.objects.filter(pk=job.pk).update(max_attempts=2)
    jobs.run(jobs.claim())
    job.refresh_from_db()
    assert (
        job.status == Job.Status.QUEUED
        and "boom" in job.last_error
        and job.run_after > timezone.now()
    )
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
    jobs.run(jobs.claim())
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED


def test_periodic_work_is_enqueued_once_per_period(db):
    jobs.discover()
    now = timezone.now()
    first = jobs.enqueue_periodic(now)
    assert first >= 1 and jobs.enqueue_periodic(now) == 0


def test_a_notification_is_written_once_and_sent_once(alice):
    for _ in range(2):
        notify.notify(
            user=alice, title="办件已受理", dedup_key="case-1:accepted", sms_to="13800000000"
        )
    assert Message.objects.count() == 1 and Outbox.objects.count() == 1
    assert notify.send_outbox() == 1 and notify.send_outbox() == 0


def _worker_env():
    env = dict(os.environ)
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    else:
        env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return env


def _start_worker() -> subprocess.Popen:
    """A real `onething worker` process on the test database, in its own process group."""
    return subprocess.Popen(
        [sys.executable, "-m", "onething.cli", "worker", "--poll", "0.2"],
        env=_worker_env(),
        start_new_session=True,
    )


@pytest.mark.django_db(transaction=True)
def test_killing_the_worker_mid_job_runs_the_job_again_and_its_effect_happens_once(alice):
    """kill -9 during a job: the lease expires, a new worker re-runs it, the message exists once."""
    job = jobs.enqueue(
        "common.test_slow_notify", payload={"user": alice.pk, "sleep": 30}, dedup_key="slow"
    )
    worker = _start_worker()
    try:
        _wait(lambda: Job.objects.get(pk=job.pk).status == Job.Status.RUNNING)
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        Job.objects.filter(pk=job.pk).update(payload={"user": alice.pk, "sleep": 0})
        Job.objects.filter(pk=job.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
        assert jobs.run_pending() >= 1
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    connection.close()
    assert Job.objects.get(pk=job.pk).status == Job.Status.DONE
    assert Message.objects.filter(dedup_key="slow-notify").count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_urgent_job_runs_while_the_worker_is_busy_with_a_long_one(alice):
    """The urgent lane: a dispatch does not wait for the end of the job the worker is running."""
    slow = jobs.enqueue(
        "common.test_slow_notify", payload={"user": alice.pk, "sleep": 20}, dedup_key="slow"
    )
    worker = _start_worker()
    try:
        _wait(lambda: Job.objects.get(pk=slow.pk).status == Job.Status.RUNNING)
        urgent = jobs.enqueue("common.test_urgent_echo", payload={"n": 5}, dedup_key="echo")
        _wait(lambda: Job.objects.get(pk=urgent.pk).status == Job.Status.DONE, timeout=5)
        assert Job.objects.get(pk=urgent.pk).result == {"echo": 5}
        assert Job.objects.get(pk=slow.pk).status == Job.Status.RUNNING
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    connection.close()


def _wait(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")
