"""Worker crash recovery: kill -9 a worker in the middle of a job, start another, time the re-run.

    python bench/recovery/run.py

Uses a fresh SQLite database under a temporary directory and the real lease (jobs.LEASE), so the
figure is what an operator would see: the seconds from the kill until the job is done, and the
number of messages its effect wrote (must be 1).
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> None:
    var = tempfile.mkdtemp(prefix="onething-recovery-")
    env = {**os.environ, "ONETHING_VAR_DIR": var, "DATABASE_URL": f"sqlite:///{var}/db.sqlite3"}
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onething.settings")
    subprocess.run(
        [sys.executable, "-m", "onething.cli", "migrate", "-v", "0"], env=env, check=True
    )
    import django

    django.setup()
    from onething.accounts.models import User
    from onething.common import jobs
    from onething.common.models import Job, Message

    user = User.objects.create_user(username="recovery", password="x-Recovery-2026")
    job = jobs.enqueue(
        "common.test_slow_notify", payload={"user": user.pk, "sleep": 3600}, dedup_key="recovery"
    )
    first = _worker(env)
    _wait(lambda: Job.objects.get(pk=job.pk).status == Job.Status.RUNNING, 60)
    os.killpg(first.pid, signal.SIGKILL)
    killed_at = time.monotonic()
    first.wait()
    # The re-run must finish: the payload no longer sleeps (the handler reads it afresh).
    Job.objects.filter(pk=job.pk).update(payload={"user": user.pk, "sleep": 0})
    second = _worker(env)
    try:
        _wait(lambda: Job.objects.get(pk=job.pk).status == Job.Status.DONE, 120)
        seconds = time.monotonic() - killed_at
    finally:
        os.killpg(second.pid, signal.SIGKILL)
    messages = Message.objects.filter(dedup_key="slow-notify").count()
    print(
        f"lease {jobs.LEASE.total_seconds():.0f} s · job re-run and done {seconds:.1f} s after "
        f"kill -9 · messages written: {messages} (must be 1)"
    )
    sys.exit(0 if messages == 1 and seconds < 60 else 1)


def _worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "onething.cli", "worker", "--poll", "1"],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait(predicate, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise SystemExit("timed out")


if __name__ == "__main__":
    main()
