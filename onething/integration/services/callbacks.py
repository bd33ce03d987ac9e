"""Results back: a callback is verified, validated, recorded and applied once and in sequence,
in one transaction; applying goes back through ``cases.services`` so that an external approval
issues and seals the licence exactly as a reviewer's does."""

import json

from django.db import IntegrityError, transaction
from django.utils import timezone

from onething.common import audit
from onething.common.errors import DomainError

from .. import schemas, signing
from ..constants import DECISIONS, IN_TYPES, TOLERANCE_SECONDS, InboundStatus, Outcome
from ..models import Inbound, Link, System

# ---- callbacks ---------------------------------------------------------------------------


def _refuse(system_code: str, reason: str, status: int, code: str, fields=None, detail=None):
    audit.security_event(
        "integration.callback_refused",
        result="failure",
        detail={"system": system_code, "reason": reason, **(detail or {})},
    )
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
        _refuse(
            system_code,
            "该任务不属于本系统",
            403,
            "forbidden",
            {"subject": "不是推送给本系统的任务"},
            {"subject": event["subject"]},
        )
    return record_and_apply(system=system, link=link, event=event)


def _parsed(system_code: str, body: bytes) -> dict:
    try:
        event = json.loads(body)
    except ValueError:
        _refuse(system_code, "请求体不是合法的 JSON", 422, "invalid", {"body": "应为合法的 JSON"})
    if errors := schemas.problems("callback", event):
        _refuse(
            system_code,
            "回调事件不符合规范：" + "；".join(f"{k}：{v}" for k, v in errors.items()),
            422,
            "invalid",
            errors,
        )
    return event


def record_and_apply(*, system: System, link: Link, event: dict) -> dict:
    outcome = IN_TYPES[event["type"]]
    data = event["data"]
    try:
        with transaction.atomic():
            row = Inbound.objects.create(
                system=system,
                event_id=event["id"],
                link=link,
                seq=data["seq"],
                outcome=outcome,
                data=data,
                status=InboundStatus.WAITING,
            )
            audit.written_many(
                action="integration.callback_received",
                objects=[link, row],
                detail={
                    "system": system.code,
                    "event": event["id"],
                    "type": outcome,
                    "seq": data["seq"],
                },
            )
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
                decision = {
                    Outcome.APPROVED: "approve",
                    Outcome.REFUSED: "refuse",
                    Outcome.SUPPLEMENT: "supplement",
                }[row.outcome]
                case_services.task_decide_by_system(
                    task_id=link.task_id,
                    system=code,
                    decision=decision,
                    opinion=data.get("opinion", ""),
                    result=data.get("result") or {},
                )
            elif row.outcome == Outcome.WITHDRAWN:
                Link.objects.filter(pk=link.pk).update(handed_back=True)
                case_services.task_note_by_system(
                    task_id=link.task_id,
                    system=code,
                    verb="task.handed_back",
                    note=data.get("opinion", ""),
                )
            else:
                case_services.task_note_by_system(
                    task_id=link.task_id, system=code, verb="task.received_by_system"
                )
    except DomainError as exc:
        _mark(row, InboundStatus.REJECTED, exc.message)
        return
    _mark(row, InboundStatus.APPLIED)
