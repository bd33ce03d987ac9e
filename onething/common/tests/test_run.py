"""`onething run` as shipped: the web server and the worker as separate processes on one database."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from onething.common.models import Job, WorkerBeat

from .test_jobs import _worker_env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _health(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            return json.load(response)
    except OSError:
        return None


@pytest.mark.django_db(transaction=True)
def test_run_serves_pages_and_its_worker_runs_jobs_until_sigterm(db):
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "onething.cli",
            "run",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        env=_worker_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline, state = time.monotonic() + 120, None
        while time.monotonic() < deadline:
            state = _health(port)
            if state and state["worker"]["ok"]:
                break
            assert proc.poll() is None, proc.stderr.read()
            time.sleep(0.5)
        assert state and state["status"] == "ok" and state["worker"]["running"] == 1
        # The worker takes the periodic work: at least one job ran to completion.
        deadline = time.monotonic() + 60
        while not Job.objects.filter(status=Job.Status.DONE).exists():
            assert time.monotonic() < deadline, "the worker ran no job"
            time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
        log = proc.stderr.read()
        assert "网站 已停止" in log and "后台任务进程 已停止" in log
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert _health(port) is None  # nothing listens any more


@pytest.mark.django_db(transaction=True)
def test_the_worker_stops_cleanly_on_sigterm_and_says_so_in_its_heartbeat(db):
    worker = subprocess.Popen(
        [sys.executable, "-m", "onething.cli", "worker", "--poll", "0.2"],
        env=_worker_env(),
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not WorkerBeat.objects.filter(stopped_at__isnull=True).exists():
            assert time.monotonic() < deadline and worker.poll() is None, "no heartbeat"
            time.sleep(0.2)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=60) == 0
        assert "后台任务进程已停止" in worker.stdout.read()
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
    beat = WorkerBeat.objects.get()
    assert beat.stopped_at is not None and beat.worker.endswith(f":{worker.pid}")
