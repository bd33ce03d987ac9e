"""Commitments (告知承诺): fulfilling one, reminding before it is due, recording a breach after."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from onething.catalog.blueprint import Blueprint
from onething.common.errors import Conflict, NotFound

from ..constants import (
    REMIND_DAYS_BEFORE,
    CommitmentStatus,
    MaterialState,
)
from ..models import (
    CaseMaterial,
    Commitment,
    CreditRecord,
    Task,
)
from . import base
from .base import _event, _tell_applicant, _tell_department
from .preparation import _uploads
from .supplements import _require_applicant


@transaction.atomic
def commitment_fulfil(*, commitment_id: int, actor, file_id: str) -> Commitment:
    commitment = (
        Commitment.objects.select_for_update()
        .select_related("case")
        .filter(pk=commitment_id)
        .first()
    )
    if commitment is None:
        raise NotFound("承诺不存在")
    case = commitment.case
    _require_applicant(actor, case)
    if commitment.status != CommitmentStatus.PENDING:
        raise Conflict(f"该承诺当前状态为“{commitment.get_status_display()}”，不能再履行")
    upload = _uploads(
        actor, {"materials": [{"material": commitment.material, "file_id": file_id}]}
    )[commitment.material]
    commitment.status, commitment.upload, commitment.closed_at = (
        CommitmentStatus.FULFILLED,
        upload,
        timezone.now(),
    )
    commitment.save()
    materials = list(
        case.materials.filter(material=commitment.material).values_list("pk", flat=True)
    )
    CaseMaterial.objects.filter(pk__in=materials).update(
        state=MaterialState.UPLOADED, upload=upload
    )
    _event(
        case,
        actor,
        "commitment.fulfilled",
        objects=[(CaseMaterial, pk) for pk in materials],
        commitment=commitment.pk,
        material=commitment.material,
    )
    _tell_applicant(case, f"已收到您承诺补交的“{commitment.name}”", f"fulfilled:{commitment.pk}")
    return commitment


def commitments_remind(*, today: date | None = None) -> int:
    today = today or base._today()
    horizon = today + timedelta(days=REMIND_DAYS_BEFORE)
    due = Commitment.objects.filter(
        status=CommitmentStatus.PENDING, reminded_on__isnull=True, due_date__lte=horizon
    )
    count = 0
    for commitment_id in due.values_list("pk", flat=True):
        count += _remind_one(commitment_id, today)
    return count


@transaction.atomic
def _remind_one(commitment_id: int, today: date) -> int:
    c = Commitment.objects.select_for_update().select_related("case").get(pk=commitment_id)
    if c.status != CommitmentStatus.PENDING or c.reminded_on:
        return 0
    c.reminded_on = today
    c.save(update_fields=["reminded_on"])
    _event(c.case, None, "commitment.reminded", commitment=c.pk, due_date=str(c.due_date))
    _tell_applicant(
        c.case, f"请于{c.due_date}前补交“{c.name}”", f"remind:{c.pk}", "逾期未补交将记入信用记录。"
    )
    return 1


def commitments_breach(*, today: date | None = None) -> int:
    today = today or base._today()
    overdue = Commitment.objects.filter(status=CommitmentStatus.PENDING, due_date__lt=today)
    return sum(_breach_one(pk) for pk in overdue.values_list("pk", flat=True))


@transaction.atomic
def _breach_one(commitment_id: int) -> int:
    c = Commitment.objects.select_for_update().select_related("case").get(pk=commitment_id)
    if c.status != CommitmentStatus.PENDING:
        return 0
    case = c.case
    c.status, c.closed_at = CommitmentStatus.BREACHED, timezone.now()
    c.save(update_fields=["status", "closed_at"])
    data = case.applicant_data
    record = CreditRecord.objects.create(
        subject=data.get("credit_code") or data.get("id_number") or f"case:{case.pk}",
        name=data.get("name", ""),
        case=case,
        commitment=c,
        note=f"未在{c.due_date}前按承诺补交“{c.name}”（办件 {case.number}）",
    )
    case.flagged = True
    case.save(update_fields=["flagged"])
    material = Blueprint.of(case.blueprint).material(c.material)
    users = list(material.used_by) if material else []
    tasks = list(case.tasks.filter(item__in=users))
    for task in tasks:
        Task.objects.filter(pk=task.pk).update(flagged=True)
        _tell_department(
            task, f"告知承诺未履行，请复核：{case.title} · {task.name}", f"breach:{c.pk}"
        )
    _event(
        case,
        None,
        "commitment.breached",
        objects=[record, *tasks],
        commitment=c.pk,
        material=c.material,
        flagged_items=users,
    )
    _tell_applicant(
        case,
        f"您未按承诺补交“{c.name}”",
        f"breach:{c.pk}",
        "已记入信用记录，相关审批结果将被复核。",
    )
    return 1
