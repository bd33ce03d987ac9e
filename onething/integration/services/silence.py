"""When a system is silent: polling its status endpoint and the daily reconciliation (对账)."""

from datetime import timedelta

from django.utils import timezone

from onething.common import jobs

from .. import schemas, transport
from ..models import Link, System
from .callbacks import record_and_apply
from .common import OPEN_TASK, conf

# ---- when a system is silent -------------------------------------------------------------


def poll(*, now=None, force: bool = False) -> dict:
    """Ask the status endpoint about open tasks not heard of for a while (or always, for
    systems that do not call back) and apply what they say through the callback path."""
    now = now or timezone.now()
    quiet = now - timedelta(seconds=conf("SILENT_AFTER_SECONDS"))
    links = Link.objects.filter(
        system__active=True, system__can_status=True, handed_back=False, task__status__in=OPEN_TASK
    ).select_related("system")
    counts = {"asked": 0, "applied": 0, "failed": 0}
    for link in links:
        heard = link.last_heard_at or link.created_at
        if not (force or link.system.can_poll or heard < quiet):
            continue
        counts["asked"] += 1
        result = transport.get_status(link.system, link.ref, timeout=conf("TIMEOUT_SECONDS"))
        Link.objects.filter(pk=link.pk).update(polled_at=now)
        if result is None:
            counts["failed"] += 1
            _mark_unreachable(link.system, now)
            continue
        counts["applied"] += _catch_up(link, result)
    return counts


def _mark_unreachable(system: System, now) -> None:
    System.objects.filter(pk=system.pk, unreachable_since__isnull=True).update(
        unreachable_since=now
    )


def _catch_up(link: Link, status: dict) -> int:
    applied = 0
    for event in status.get("events", []):
        if schemas.problems("callback", event) or event.get("subject") != str(link.ref):
            continue
        result = record_and_apply(system=link.system, link=link, event=event)
        applied += not result["duplicate"]
    System.objects.filter(pk=link.system_id).update(
        last_ok_at=timezone.now(), unreachable_since=None
    )
    return applied


def reconcile(*, now=None) -> dict:
    """Daily 对账: every open external task against its system; differences are recorded on
    the link and raised as supervision warnings at once: a job supervision runs (integration
    sits below supervision and names the job instead of importing it)."""
    now = now or timezone.now()
    counts = {"systems": 0, "checked": 0, "mismatches": 0, "unreachable": 0}
    for system in System.objects.filter(active=True, can_status=True):
        counts["systems"] += 1
        counts.update(_reconcile_system(system, now, counts))
    jobs.enqueue(
        "supervision.warnings_now",
        payload={"at": now.isoformat()},
        dedup_key=f"integration.reconcile:{now.isoformat()}",
    )
    return counts


def _reconcile_system(system: System, now, counts: dict) -> dict:
    remote = transport.get_open(system, timeout=conf("TIMEOUT_SECONDS"))
    if remote is None:
        _mark_unreachable(system, now)
        counts["unreachable"] += 1
        return counts
    theirs = {t["ref"]: t for t in remote.get("tasks", [])}
    ours = Link.objects.filter(system=system, handed_back=False, task__status__in=OPEN_TASK)
    for link in ours.select_related("system"):
        counts["checked"] += 1
        problem = _reconcile_link(link, theirs.pop(str(link.ref), None))
        counts["mismatches"] += bool(problem)
    for ref in theirs:  # open there, closed (or never sent) here
        counts["mismatches"] += Link.objects.filter(system=system, ref=ref).update(
            mismatch="平台已办结，部门系统仍在办理"
        )
    System.objects.filter(pk=system.pk).update(
        reconciled_at=now, last_ok_at=now, unreachable_since=None
    )
    return counts


def _reconcile_link(link: Link, entry: dict | None) -> str:
    """Catch up first (a lost callback is not a difference once applied), then compare."""
    status = None
    if entry is None or entry.get("seq", 0) > link.last_seq:
        status = transport.get_status(link.system, link.ref, timeout=conf("TIMEOUT_SECONDS"))
        if status:
            _catch_up(link, status)
            link.refresh_from_db()
    closed = not Link.objects.filter(pk=link.pk, task__status__in=OPEN_TASK).exists()
    problem = "" if closed else _difference(link, entry or status)
    Link.objects.filter(pk=link.pk).update(mismatch=problem)
    return problem


def _difference(link: Link, entry: dict | None) -> str:
    if not entry:
        return "部门系统中无此任务"
    if entry.get("seq", 0) > link.last_seq:
        return f"部门系统序号 {entry.get('seq')}，平台仅应用到 {link.last_seq}"
    if entry.get("status") and link.remote_status and entry["status"] != link.remote_status:
        return f"状态不一致：部门系统为 {entry['status']}，平台记录为 {link.remote_status}"
    return ""
