"""Writes of the integration: routing tasks to systems, the outbox of signed CloudEvents,
callbacks applied once and in order, polling and daily reconciliation.

Cases calls ``task_started`` / ``task_resumed`` / ``task_cancelled`` inside its own
transaction; the delivery rows commit with the task and leave after commit through the
worker (``deliver``). A callback is verified, validated, recorded and applied in one
transaction; applying goes back through ``cases.services`` so that an external approval
issues and seals the licence exactly as a reviewer's does.
"""

import json
import random
from datetime import timedelta

from django.conf import settings
from django.core import signing as django_signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from onething.cases import selectors as cases
from onething.common import audit, jobs
from onething.common.errors import Conflict, DomainError, NotFound, Unprocessable
from onething.common.events import record_event

from . import schemas, signing, transport
from .constants import (
    DECISIONS,
    EVENT_PREFIX,
    IN_TYPES,
    INTERNAL,
    OUT_TYPES,
    TOLERANCE_SECONDS,
    DeliveryStatus,
    InboundStatus,
    Outcome,
)
from .models import Delivery, Inbound, Link, System

MATERIAL_SALT = "integration.material"
OPEN_TASK = ("active", "supplement", "waiting")


def conf(name: str):
    defaults = {
        "RETRY_BASE_SECONDS": 2.0,  # first retry after about this long
        "RETRY_CAP_SECONDS": 600.0,  # no wait longer than this between attempts
        "MAX_ATTEMPTS": 10,  # then the delivery is dead-lettered
        "UNREACHABLE_AFTER": 3,  # failed attempts in a row before the system is flagged
        "MATERIAL_TOKEN_SECONDS": 900,
        "SILENT_AFTER_SECONDS": 600,  # poll a pushed task's status after this much silence
        "TIMEOUT_SECONDS": 5.0,
    }
    return getattr(settings, "ONETHING_INTEGRATION", {}).get(name, defaults[name])


# ---- routing -----------------------------------------------------------------------------


def _blueprint_item(task) -> dict:
    return next((i for i in task.case.blueprint["items"] if i["code"] == task.item), {})


def route(*, task) -> tuple[System | None, str]:
    """The system that decides this task, or None with the reason it is decided internally."""
    code = _blueprint_item(task).get("decided_by") or INTERNAL
    if code == INTERNAL:
        return None, ""
    system = System.objects.filter(code=code, active=True).select_related("region").first()
    if system is None:
        return None, f"部门业务系统“{code}”未接入或已停用"
    if task.item not in system.items:
        return None, f"{system.name}未登记办理该事项"
    if system.department_kind_id != task.department.kind_id:
        return None, f"{system.name}不属于{task.department.name}"
    if system.region and not task.department.region_id.startswith(system.region.prefix):
        return None, f"{system.name}不覆盖{task.department.name}所在区划"
    return system, ""


def task_started(*, task) -> bool:
    """Called by cases when a task starts; True when a department system decides it."""
    system, reason = route(task=task)
    if system is None:
        if reason:
            _case_event(task, "task.routed_internal", reason=reason)
        return False
    link, _ = Link.objects.get_or_create(task=task, defaults={"system": system})
    _case_event(task, "task.dispatched", system=system.code, system_name=system.name)
    _enqueue(link, "started")
    return True


def task_resumed(*, task) -> bool:
    link = _open_link(task)
    if link is None:
        return False
    _enqueue(link, "resumed")
    return True


def task_cancelled(*, task) -> bool:
    link = _open_link(task)
    if link is None:
        return False
    _enqueue(link, "cancelled")
    return True


def _open_link(task) -> Link | None:
    link = Link.objects.select_related("system").filter(task=task).first()
    return link if link and not link.handed_back else None


def _case_event(task, verb: str, **data) -> None:
    record_event(
        actor=None, verb=verb, obj=task.case, data={"task": task.pk, "item": task.item, **data}
    )


# ---- the outbox --------------------------------------------------------------------------


def _enqueue(link: Link, kind: str) -> Delivery:
    n = link.deliveries.filter(kind=kind).count()
    event = signing.cloudevent(
        type_=OUT_TYPES[kind],
        source=f"{settings.ONETHING_PUBLIC_BASE_URL}/api/integration",
        subject=str(link.ref),
        data=message_data(link),
    )
    delivery = Delivery.objects.create(
        link=link, kind=kind, dedup_key=f"{link.ref}:{kind}:{n}", body=event,
        next_attempt_at=timezone.now(),
    )  # fmt: skip
    jobs.enqueue(
        "integration.deliver", payload={"delivery": str(delivery.pk)}, dedup_key=f"deliver:{delivery.pk}:0"
    )  # fmt: skip
    return delivery


def message_data(link: Link) -> dict:
    """Exactly what the item uses: its form fields and materials (the blueprint's used_by)."""
    task = cases.task_for_system(link.task_id)
    case, item = task.case, task.item
    fields = [f["field"] for f in case.blueprint["form"]["layout"] if item in f["used_by"]]
    fields += _produced_fields(case, item)
    # The task's own copy: the case's form plus what earlier items produced (the registered
    # name, address and credit code of a new subject), as a reviewer's page shows it.
    form = task.data.get("form") or case.form
    base = settings.ONETHING_PUBLIC_BASE_URL
    return {
        "task": {
            "ref": str(link.ref), "item": item, "name": task.name, "status": task.status,
            "department": {"code": task.department.code, "name": task.department.name},
            "started_on": str(task.started_on or ""), "deadline": str(task.deadline or ""),
        },
        "case": {"number": case.number, "onething": case.onething, "title": case.title,
                 "region": case.process_region_id},
        "holder": {"kind": case.applicant_data.get("kind", ""), "name": case.applicant_data.get("name", "")},
        "form": {k: form[k] for k in fields if k in form},
        "inputs": task.data.get("from", {}),
        "materials": [_material(link, row) for row in cases.task_materials(task)],
        "reply_to": f"{base}/api/integration/{link.system.code}/events",
    }  # fmt: skip


def _produced_fields(case, item: str) -> list[str]:
    """Fields of the item an earlier item's result supplies (not in the form's layout)."""
    produced = {p["field"] for p in case.blueprint["form"].get("produced", [])}
    spec = next((i for i in case.version.snapshot["items"] if i["code"] == item), {})
    return [f for f in spec.get("fields", []) if f in produced]


def _material(link: Link, row) -> dict:
    out = {"code": row.material, "name": row.name, "state": row.state}
    if row.upload_id:
        token = django_signing.dumps(
            {"ref": str(link.ref), "m": row.material}, salt=MATERIAL_SALT, compress=True
        )
        out.update(
            sha256=row.upload.sha256,
            size=row.upload.size,
            content_type=row.upload.content_type,
            url=f"{settings.ONETHING_PUBLIC_BASE_URL}/api/integration/materials/{token}",
            expires_in=conf("MATERIAL_TOKEN_SECONDS"),
        )
    elif row.exemption:
        out["exemption"] = row.exemption
    return out


def material_open(*, token: str):
    """(upload, file) for a short-lived material link; NotFound when forged or expired."""
    try:
        claim = django_signing.loads(
            token, salt=MATERIAL_SALT, max_age=conf("MATERIAL_TOKEN_SECONDS")
        )
    except django_signing.BadSignature:
        raise NotFound("材料链接无效或已过期") from None
    link = Link.objects.filter(ref=claim["ref"]).first()
    if link is None:
        raise NotFound("材料链接无效或已过期")
    upload, handle = cases.open_material(cases.task_for_system(link.task_id), claim["m"])
    audit.record(
        category="read", action="read.integration_material", object=link,
        detail={"system": link.system.code, "material": claim["m"]},
    )  # fmt: skip
    return upload, handle


def _claim(delivery_id) -> Delivery | None:
    now = timezone.now()
    with transaction.atomic():
        d = (
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if d is None or (d.locked_until and d.locked_until > now):
            return None
        d.locked_until = now + timedelta(seconds=conf("TIMEOUT_SECONDS") * 3)
        d.attempts += 1
        d.save(update_fields=["locked_until", "attempts"])
    return d


def deliver(*, delivery_id) -> str:
    """One attempt at one delivery, outside any transaction (the HTTP call holds no lock)."""
    d = _claim(delivery_id)
    if d is None:
        return "skipped"
    system = System.objects.get(pk=d.link.system_id)
    error = transport.post_event(system, d.body, msg_id=str(d.pk), timeout=conf("TIMEOUT_SECONDS"))
    return _settle(d, system, error)


def backoff(attempts: int) -> float:
    """Exponential with full jitter: uniform in [base·2^(n-1)/2, base·2^(n-1)], capped."""
    ceiling = min(conf("RETRY_CAP_SECONDS"), conf("RETRY_BASE_SECONDS") * 2 ** (attempts - 1))
    return random.uniform(ceiling / 2, ceiling)


@transaction.atomic
def _settle(d: Delivery, system: System, error: str) -> str:
    now = timezone.now()
    if not error:
        Delivery.objects.filter(pk=d.pk).update(
            status=DeliveryStatus.DELIVERED, delivered_at=now, locked_until=None, last_error=""
        )
        System.objects.filter(pk=system.pk).update(last_ok_at=now, unreachable_since=None)
        return "delivered"
    dead = d.attempts >= conf("MAX_ATTEMPTS")
    wait = backoff(d.attempts)
    Delivery.objects.filter(pk=d.pk).update(
        status=DeliveryStatus.DEAD if dead else DeliveryStatus.PENDING,
        next_attempt_at=now + timedelta(seconds=wait), locked_until=None, last_error=error[:500],
    )  # fmt: skip
    if d.attempts >= conf("UNREACHABLE_AFTER") and system.unreachable_since is None:
        System.objects.filter(pk=system.pk, unreachable_since__isnull=True).update(
            unreachable_since=now
        )
    if dead:
        task = cases.task_for_system(d.link.task_id)
        _case_event(task, "task.dispatch_dead", system=system.code, attempts=d.attempts)
        return "dead"
    jobs.enqueue(
        "integration.deliver", payload={"delivery": str(d.pk)},
        dedup_key=f"deliver:{d.pk}:{d.attempts}", delay=timedelta(seconds=wait),
    )  # fmt: skip
    return "retry"


def deliver_due(*, limit: int = 200) -> dict:
    """The sweeper: every pending delivery that is due (a lost job, a worker that died)."""
    now = timezone.now()
    due = Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
    counts: dict[str, int] = {}
    for pk in due.order_by("next_attempt_at").values_list("pk", flat=True)[:limit]:
        result = deliver(delivery_id=pk)
        counts[result] = counts.get(result, 0) + 1
    return counts


@transaction.atomic
def delivery_replay(*, delivery_id, actor) -> Delivery:
    """An operator sends a dead (or cancelled) delivery again, from a fresh attempt count."""
    d = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
    if d is None:
        raise NotFound("推送消息不存在")
    if d.status == DeliveryStatus.DELIVERED:
        raise Conflict("该消息已送达，无需重发")
    d.status, d.attempts, d.next_attempt_at, d.locked_until = (
        DeliveryStatus.PENDING, 0, timezone.now(), None,
    )  # fmt: skip
    d.save()
    record_event(actor=actor, verb="integration.delivery_replayed", obj=d)
    jobs.enqueue(
        "integration.deliver", payload={"delivery": str(d.pk)},
        dedup_key=f"deliver:{d.pk}:replay:{timezone.now().timestamp()}",
    )  # fmt: skip
    return d


@transaction.atomic
def delivery_cancel(*, delivery_id, actor) -> Delivery:
    d = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
    if d is None:
        raise NotFound("推送消息不存在")
    if d.status == DeliveryStatus.DELIVERED:
        raise Conflict("该消息已送达，不能取消")
    d.status = DeliveryStatus.CANCELLED
    d.save(update_fields=["status"])
    record_event(actor=actor, verb="integration.delivery_cancelled", obj=d)
    return d


# ---- callbacks ---------------------------------------------------------------------------


def _refuse(system_code: str, reason: str, status: int, code: str, fields=None, detail=None):
    audit.security_event(
        "integration.callback_refused", result="failure",
        detail={"system": system_code, "reason": reason, **(detail or {})},
    )  # fmt: skip
    exc = DomainError(reason, fields=fields or {}, code=code)
    exc.status = status
    raise exc


def callback_receive(*, system_code: str, headers, body: bytes, now: float | None = None) -> dict:
    """Verify, validate, record and apply one callback; the same event twice is applied once."""
    system = System.objects.filter(code=system_code, active=True).first()
    if system is None:
        _refuse(system_code, "部门业务系统不存在或未启用", 404, "not_found")
    try:
        msg_id = signing.verify(
            [system.secret], headers, body, tolerance=TOLERANCE_SECONDS, now=now
        )
    except signing.SignatureError as exc:
        _refuse(system_code, exc.message, 401, "bad_signature", {exc.field: exc.message})
    event = _parsed(system_code, body)
    if event["id"] != msg_id:
        _refuse(
            system_code,
            "事件 id 与 webhook-id 不一致",
            422,
            "invalid",
            {"id": "应与 webhook-id 相同"},
        )
    link = Link.objects.select_related("system").filter(ref=event["subject"]).first()
    if link is None or link.system_id != system.pk:
        _refuse(system_code, "该任务不属于本系统", 403, "forbidden", {"subject": "不是推送给本系统的任务"},
                {"subject": event["subject"]})  # fmt: skip
    return record_and_apply(system=system, link=link, event=event)


def _parsed(system_code: str, body: bytes) -> dict:
    try:
        event = json.loads(body)
    except ValueError:
        _refuse(system_code, "请求体不是合法的 JSON", 422, "invalid", {"body": "应为合法的 JSON"})
    if errors := schemas.problems("callback", event):
        _refuse(system_code, "回调事件不符合规范：" + "；".join(f"{k}：{v}" for k, v in errors.items()),
                422, "invalid", errors)  # fmt: skip
    return event


def record_and_apply(*, system: System, link: Link, event: dict) -> dict:
    outcome = IN_TYPES[event["type"]]
    data = event["data"]
    try:
        with transaction.atomic():
            Inbound.objects.create(
                system=system, event_id=event["id"], link=link, seq=data["seq"], outcome=outcome,
                data=data, status=InboundStatus.WAITING,
            )  # fmt: skip
            audit.record(
                category="write", action="integration.callback_received", object=link,
                detail={"system": system.code, "event": event["id"], "type": outcome, "seq": data["seq"]},
            )  # fmt: skip
    except IntegrityError:
        row = Inbound.objects.get(system=system, event_id=event["id"])
        return {"id": row.event_id, "status": row.status, "duplicate": True}
    _drain(link.pk)
    row = Inbound.objects.get(system=system, event_id=event["id"])
    return {"id": row.event_id, "status": row.status, "duplicate": False}


def _drain(link_id: int) -> int:
    """Apply waiting events in sequence order; an event ahead of a gap waits for it."""
    applied = 0
    while True:
        with transaction.atomic():
            link = Link.objects.select_for_update().select_related("system").get(pk=link_id)
            waiting = link.inbound.filter(status=InboundStatus.WAITING).order_by("seq")
            for stale in waiting.filter(seq__lte=link.last_seq):
                _mark(stale, InboundStatus.STALE, "序号不大于已应用的序号")
            nxt = waiting.filter(seq=link.last_seq + 1).first()
            if nxt is None:
                return applied
            _apply(link, nxt)
            applied += 1


def _mark(row: Inbound, status: str, note: str = "") -> None:
    row.status, row.note, row.applied_at = status, note[:300], timezone.now()
    row.save(update_fields=["status", "note", "applied_at"])


def _apply(link: Link, row: Inbound) -> None:
    from onething.cases import services as case_services  # cases calls us: import late

    data, code = row.data, link.system.code
    link.last_seq, link.remote_status, link.last_heard_at = row.seq, row.outcome, timezone.now()
    link.save(update_fields=["last_seq", "remote_status", "last_heard_at"])
    try:
        with transaction.atomic():
            if row.outcome in DECISIONS:
                decision = {Outcome.APPROVED: "approve", Outcome.REFUSED: "refuse",
                            Outcome.SUPPLEMENT: "supplement"}[row.outcome]  # fmt: skip
                case_services.task_decide_by_system(
                    task_id=link.task_id, system=code, decision=decision,
                    opinion=data.get("opinion", ""), result=data.get("result") or {},
                )  # fmt: skip
            elif row.outcome == Outcome.WITHDRAWN:
                Link.objects.filter(pk=link.pk).update(handed_back=True)
                case_services.task_note_by_system(
                    task_id=link.task_id, system=code, verb="task.handed_back", note=data.get("opinion", "")
                )  # fmt: skip
            else:
                case_services.task_note_by_system(
                    task_id=link.task_id, system=code, verb="task.received_by_system"
                )
    except DomainError as exc:
        _mark(row, InboundStatus.REJECTED, exc.message)
        return
    _mark(row, InboundStatus.APPLIED)


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
    the link and raised as supervision warnings."""
    from onething.supervision import services as supervision

    now = now or timezone.now()
    counts = {"systems": 0, "checked": 0, "mismatches": 0, "unreachable": 0}
    for system in System.objects.filter(active=True, can_status=True):
        counts["systems"] += 1
        counts.update(_reconcile_system(system, now, counts))
    supervision.default_rules_ensure()
    supervision.warnings_evaluate(now=now)
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


# ---- configuration -----------------------------------------------------------------------


@transaction.atomic
def system_save(*, actor, system: System, changed: list[str]) -> System:
    """The admin's save: audited by the model signal; secrets are never written to events."""
    if not system.secret or not system.signing_key:
        raise Unprocessable("请填写回调验签密钥和推送签名密钥", fields={"secret": "必填"})
    system.save()
    record_event(actor=actor, verb="integration.system_saved", obj=system,
                 data={"changed": [c for c in changed if c not in ("secret", "signing_key", "token")]})  # fmt: skip
    return system


def unknown_type(event_type: str) -> bool:
    return not event_type.startswith(EVENT_PREFIX) or event_type not in IN_TYPES
