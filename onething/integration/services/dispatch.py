"""Dispatch: routing a task to its system and the outbox of signed CloudEvents (retries with
backoff and jitter, dead letters, the operator's replay and cancel), and the material links.

Cases calls ``task_started`` / ``task_resumed`` / ``task_cancelled`` inside its own
transaction; the delivery rows commit with the task and leave after commit through the
worker (``deliver``).
"""

import random
from datetime import timedelta

from django.conf import settings
from django.core import signing as django_signing
from django.db import transaction
from django.utils import timezone

from onething.cases import selectors as cases
from onething.catalog.blueprint import Blueprint
from onething.common import audit, jobs
from onething.common.errors import Conflict, NotFound
from onething.common.events import record_event

from .. import signing, transport
from ..constants import INTERNAL, OUT_TYPES, DeliveryStatus
from ..models import Delivery, Link, System
from .common import MATERIAL_SALT, _case_event, conf

# ---- routing -----------------------------------------------------------------------------


def route(*, task) -> tuple[System | None, str]:
    """The system that decides this task, or None with the reason it is decided internally."""
    item = Blueprint.of(task.case.blueprint).item(task.item)
    code = item.decided_by if item else INTERNAL
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
    link, created = Link.objects.get_or_create(task=task, defaults={"system": system})
    delivery = _enqueue(link, "started")
    _case_event(
        task,
        "task.dispatched",
        objects=[*([link] if created else []), delivery],
        system=system.code,
        system_name=system.name,
    )
    return True


def task_resumed(*, task) -> bool:
    return _tell_system(task, "resumed")


def task_cancelled(*, task) -> bool:
    return _tell_system(task, "cancelled")


def _tell_system(task, kind: str) -> bool:
    link = _open_link(task)
    if link is None:
        return False
    delivery = _enqueue(link, kind)
    _case_event(task, f"task.dispatch_{kind}", objects=[delivery], system=link.system.code)
    return True


def _open_link(task) -> Link | None:
    link = Link.objects.select_related("system").filter(task=task).first()
    return link if link and not link.handed_back else None


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
        link=link,
        kind=kind,
        dedup_key=f"{link.ref}:{kind}:{n}",
        body=event,
        next_attempt_at=timezone.now(),
    )
    jobs.enqueue(
        "integration.deliver",
        payload={"delivery": str(delivery.pk)},
        dedup_key=f"deliver:{delivery.pk}:0",
    )
    return delivery


def message_data(link: Link) -> dict:
    """Exactly what the item uses: its form fields and materials (the blueprint's used_by)."""
    task = cases.task_for_system(link.task_id)
    case, item = task.case, task.item
    bp = Blueprint.of(case.blueprint)
    fields = bp.fields_used_by(item) + _produced_fields(case, bp, item)
    # The task's own copy: the case's form plus what earlier items produced (the registered
    # name, address and credit code of a new subject), as a reviewer's page shows it.
    form = task.data.get("form") or case.form
    base = settings.ONETHING_PUBLIC_BASE_URL
    return {
        "task": {
            "ref": str(link.ref),
            "item": item,
            "name": task.name,
            "status": task.status,
            "department": {"code": task.department.code, "name": task.department.name},
            "started_on": str(task.started_on or ""),
            "deadline": str(task.deadline or ""),
        },
        "case": {
            "number": case.number,
            "onething": case.onething,
            "title": case.title,
            "region": case.process_region_id,
        },
        "holder": {
            "kind": case.applicant_data.get("kind", ""),
            "name": case.applicant_data.get("name", ""),
        },
        "form": {k: form[k] for k in fields if k in form},
        "inputs": task.data.get("from", {}),
        "materials": [_material(link, row) for row in cases.task_materials(task)],
        "reply_to": f"{base}/api/integration/{link.system.code}/events",
    }


def _produced_fields(case, bp: Blueprint, item: str) -> list[str]:
    """Fields of the item an earlier item's result supplies (not in the form's layout)."""
    produced = bp.produced_fields
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
        category="read",
        action="read.integration_material",
        object=link,
        detail={"system": link.system.code, "material": claim["m"]},
    )
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
        next_attempt_at=now + timedelta(seconds=wait),
        locked_until=None,
        last_error=error[:500],
    )
    if d.attempts >= conf("UNREACHABLE_AFTER") and system.unreachable_since is None:
        System.objects.filter(pk=system.pk, unreachable_since__isnull=True).update(
            unreachable_since=now
        )
    if dead:
        task = cases.task_for_system(d.link.task_id)
        _case_event(task, "task.dispatch_dead", system=system.code, attempts=d.attempts)
        return "dead"
    jobs.enqueue(
        "integration.deliver",
        payload={"delivery": str(d.pk)},
        dedup_key=f"deliver:{d.pk}:{d.attempts}",
        delay=timedelta(seconds=wait),
    )
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
        DeliveryStatus.PENDING,
        0,
        timezone.now(),
        None,
    )
    d.save()
    record_event(actor=actor, verb="integration.delivery_replayed", obj=d)
    jobs.enqueue(
        "integration.deliver",
        payload={"delivery": str(d.pk)},
        dedup_key=f"deliver:{d.pk}:replay:{timezone.now().timestamp()}",
    )
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
