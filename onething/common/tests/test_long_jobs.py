"""A job longer than the heartbeat interval: the worker still looks alive and keeps its lease."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from onething.common import jobs
from onething.common.models import Job, WorkerBeat

# The pulse writes from its own thread and connection: it must see committed rows.
pytestmark = pytest.mark.django_db(transaction=True)
SEEN: dict = {}


@jobs.handler("test.long")
def _long(payload):
    time.sleep(payload["sleep"])


@jobs.handler("test.long_looks")
def _long_looks(payload):
    """Sleeps, then reads the beat /healthz would read at this moment, mid-job."""
    SEEN["job_started"] = timezone.now()
    time.sleep(1.2)
    SEEN["beat_at"] = WorkerBeat.objects.get().beat_at


@pytest.fixture(autouse=True)
def fast_pulse(monkeypatch):
    jobs.discover()
    monkeypatch.setattr(jobs, "PERIODIC", {})
    monkeypatch.setattr(jobs, "BEAT_EVERY", 0.2)
    monkeypatch.setattr(jobs, "LEASE", timedelta(seconds=1))


def test_a_long_job_renews_its_lease_so_no_other_worker_claims_it():
    jobs.enqueue("test.long", payload={"sleep": 2.5}, dedup_key="long:1")
    job = jobs.claim()
    first_lease = job.locked_until
    beat = jobs.Heartbeat("w1")
    beat.start()
    with jobs.Pulse(beat, job):
        time.sleep(1.6)  # past the first lease of 1 s
        assert jobs.claim(now=timezone.now()) is None  # another worker finds nothing claimable
        renewed = Job.objects.get(pk=job.pk).locked_until
    assert renewed > first_lease + timedelta(seconds=0.5)


def test_a_worker_busy_with_a_long_job_keeps_beating():
    jobs.enqueue("test.long_looks", dedup_key="long:2")
    report = jobs.run_pass(max_jobs=1)
    assert report.done["test.long_looks"] == 1
    # The loop beat before the job started; only the pulse can have written during it.
    assert SEEN["beat_at"] - SEEN["job_started"] >= timedelta(seconds=0.8)


def test_the_pulse_never_brings_a_finished_job_back_to_running():
    jobs.enqueue("test.long", payload={"sleep": 0.5}, dedup_key="long:3")
    jobs.run_pass(max_jobs=1)
    time.sleep(0.4)
    job = Job.objects.get(dedup_key="long:3")
    assert job.status == Job.Status.DONE
