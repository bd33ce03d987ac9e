"""Is the product running: the database answers, a worker beats, the job queue drains.

``snapshot`` is what anyone may see (``GET /healthz``): counts and ages only, no job payloads,
errors or host names. ``details`` adds, for the system administrator's page, the queue by job
kind, the workers' rows and the latest failures (their errors' last lines, numbers masked).
"""

from datetime import timedelta

from django.db import DatabaseError, connection
from django.db.models import Count, Min, Q
from django.utils import timezone

from .models import Job, WorkerBeat
from .security import mask_numbers_in_text

STALE_AFTER = timedelta(seconds=60)  # a worker beats every few seconds; a minute's silence is death
FAILURES_SHOWN = 20


def _age(now, then) -> float | None:
    return None if then is None else round((now - then).total_seconds(), 1)


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except DatabaseError:
        return False


def worker_state(now) -> dict:
    live = WorkerBeat.objects.filter(stopped_at__isnull=True, beat_at__gte=now - STALE_AFTER)
    last = WorkerBeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()
    running = live.count()
    return {
        "ok": running > 0,
        "running": running,
        "last_beat_age_seconds": _age(now, last),
        "stale_after_seconds": int(STALE_AFTER.total_seconds()),
    }


def queue_state(now) -> dict:
    due = Q(status=Job.Status.QUEUED, run_after__lte=now)
    counts = Job.objects.aggregate(
        pending=Count("pk", filter=due),
        scheduled=Count("pk", filter=Q(status=Job.Status.QUEUED, run_after__gt=now)),
        running=Count("pk", filter=Q(status=Job.Status.RUNNING)),
        failed=Count("pk", filter=Q(status=Job.Status.FAILED)),
        oldest=Min("run_after", filter=due),
    )
    oldest = counts.pop("oldest")
    return {**counts, "oldest_pending_age_seconds": _age(now, oldest)}


def snapshot(now=None) -> dict:
    now = now or timezone.now()
    if not database_ok():
        return {"status": "down", "checked_at": now.isoformat(), "database": {"ok": False}}
    worker = worker_state(now)
    return {
        "status": "ok" if worker["ok"] else "degraded",
        "checked_at": now.isoformat(),
        "database": {"ok": True, "vendor": connection.vendor},
        "worker": worker,
        "queue": queue_state(now),
    }


def details(now=None) -> dict:
    now = now or timezone.now()
    state = snapshot(now)
    if state["status"] == "down":
        return state
    return {
        **state,
        "by_kind": [{**row, "label": job_label(row["name"])} for row in by_kind(now)],
        "workers": [
            {**w, "age": _age(now, w["beat_at"])}
            for w in WorkerBeat.objects.order_by("-beat_at").values()[:10]
        ],
        "failures": failures(),
    }


def by_kind(now) -> list[dict]:
    rows = (
        Job.objects.exclude(status=Job.Status.DONE)
        .values("name")
        .annotate(
            pending=Count("pk", filter=Q(status=Job.Status.QUEUED, run_after__lte=now)),
            scheduled=Count("pk", filter=Q(status=Job.Status.QUEUED, run_after__gt=now)),
            running=Count("pk", filter=Q(status=Job.Status.RUNNING)),
            failed=Count("pk", filter=Q(status=Job.Status.FAILED)),
        )
        .order_by("name")
    )
    return list(rows)


def failures() -> list[dict]:
    """Failed jobs and jobs waiting for a retry after an error, latest first."""
    rows = (
        Job.objects.exclude(last_error="")
        .exclude(status=Job.Status.DONE)
        .order_by("-run_after")
        .values("pk", "name", "status", "attempts", "max_attempts", "run_after", "last_error")[
            :FAILURES_SHOWN
        ]
    )
    return [
        {
            **row,
            "label": job_label(row["name"]),
            "error": mask_numbers_in_text(_last_line(row.pop("last_error"))),
        }
        for row in rows
    ]


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


# What each job kind does, in the words the system administrator's page uses.
JOB_LABELS = {
    "audit.seal": "审计链封存",
    "audit.archive": "审计记录归档",
    "cases.deadline_warnings": "办件时限预警",
    "cases.commitments": "告知承诺到期核查",
    "common.send_outbox": "发送短信与邮件",
    "common.prune_jobs": "清理已完成的后台任务",
    "feedback.sla_watch": "12345 工单超时督办",
    "policies.run": "政策找人批次",
    "policies.refresh_matches": "政策匹配刷新",
    "policies.scheduled_grants": "免申即享定时发放",
    "registry.expiry_reminders": "证照过期标记与到期提醒",
    "registry.seal_pending": "电子证照签章",
    "registry.seal_sweep": "电子证照签章补漏",
    "registry.reseal_sweep": "电子证照加盐重签",
    "supervision.refresh": "效能监测数据汇总",
    "supervision.warnings": "效能监测预警",
    "supervision.case_fact": "办件监测数据更新",
}


def job_label(name: str) -> str:
    return JOB_LABELS.get(name, "其他后台任务")
