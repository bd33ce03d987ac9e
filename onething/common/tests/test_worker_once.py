"""`onething worker --once`: one pass, bounded in jobs and time, reporting counts per job kind."""

import io
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from onething.common import jobs
from onething.common.models import Job, WorkerBeat

pytestmark = pytest.mark.django_db


@jobs.handler("test.once")
def _once(payload):
    time.sleep(payload.get("sleep", 0))


@jobs.handler("test.once_fails")
def _fails(payload):
    raise RuntimeError("boom")


@pytest.fixture(autouse=True)
def no_periodic(monkeypatch):
    jobs.discover()  # the apps' handlers are registered; their periodic work stays out of these tests
    monkeypatch.setattr(jobs, "PERIODIC", {})


def _queue(name, n, **payload):
    for i in range(n):
        jobs.enqueue(name, payload=payload, dedup_key=f"{name}:{i}")


def test_a_pass_stops_at_max_jobs_and_says_what_is_left():
    _queue("test.once", 5)
    report = jobs.run_pass(max_jobs=2)
    assert (report.total, report.done["test.once"], report.left) == (2, 2, 3)
    assert Job.objects.filter(status=Job.Status.DONE).count() == 2


def test_a_pass_stops_at_max_seconds_letting_the_running_job_finish():
    _queue("test.once", 10, sleep=0.3)
    report = jobs.run_pass(max_jobs=100, max_seconds=0.5)
    assert 1 <= report.total <= 2 and report.left == 10 - report.total
    assert not Job.objects.filter(status=Job.Status.RUNNING).exists()


def test_the_command_reports_counts_per_kind_failures_and_the_rest(capsys):
    _queue("test.once", 3)
    _queue("test.once_fails", 1)
    out = io.StringIO()
    call_command("worker", "--once", "--max-jobs", "3", stdout=out)
    text = out.getvalue()
    assert "本轮执行 3 个任务" in text and "仍有 1 个到期任务排队，下一轮继续" in text
    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    text = out.getvalue()
    assert "本轮执行 1 个任务" in text and "test.once_fails: 1 个（失败 1）" in text
    assert "仍有" not in text  # the failed job waits for its back-off: nothing due now


def test_a_pass_leaves_a_stopped_heartbeat():
    jobs.run_pass(max_jobs=1)
    beat = WorkerBeat.objects.get()
    assert beat.stopped_at is not None and beat.beat_at >= beat.started_at


def test_finished_jobs_are_pruned_after_a_week_failed_ones_stay():
    _queue("test.once", 2)
    _queue("test.once_fails", 1)
    jobs.run_pass(max_jobs=3)
    Job.objects.update(finished_at=timezone.now() - timedelta(days=8))
    Job.objects.filter(name="test.once_fails").update(status=Job.Status.FAILED)
    assert jobs.prune() == 2
    assert list(Job.objects.values_list("name", flat=True)) == ["test.once_fails"]
