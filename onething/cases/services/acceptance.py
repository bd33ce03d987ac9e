"""Acceptance at the window: accept (with or without tolerance), return for correction, refuse."""

from django.db import transaction
from django.utils import timezone

from onething.accounts import selectors as accounts
from onething.accounts.constants import Role
from onething.catalog.blueprint import Blueprint
from onething.common import workdays
from onething.common.errors import Conflict, NotFound, Unprocessable

from .. import checks, gateway, selectors
from ..constants import (
    AcceptanceDecision,
    CaseStatus,
    DocumentKind,
)
from ..models import (
    Case,
    Supplement,
)
from . import base
from .base import _event, _issue, _tell_applicant
from .licences import _holder_objects
from .tasks import _spawn_tasks


def _locked_case(number: str) -> Case:
    case = Case.objects.select_for_update().filter(number=number).first()
    if case is None:
        raise NotFound("办件不存在")
    return case


def _require_clerk(actor, case: Case) -> None:
    if actor.role != Role.WINDOW_CLERK or not checks.region_under(
        case.accept_region_id, actor.region
    ):
        raise NotFound("办件不存在")


@transaction.atomic
def case_accept(*, number: str, actor, decision: str, reason: str = "", problems=()) -> Case:
    case = _locked_case(number)
    _require_clerk(actor, case)
    if case.status != CaseStatus.SUBMITTED:
        raise Conflict(f"该办件当前状态为“{case.get_status_display()}”，不能再作受理决定")
    handlers = {
        AcceptanceDecision.ACCEPT: _accept,
        AcceptanceDecision.ACCEPT_WITH_TOLERANCE: _accept_with_tolerance,
        AcceptanceDecision.CORRECT: _return_for_correction,
        AcceptanceDecision.REFUSE: _refuse_acceptance,
    }
    if decision not in handlers:
        raise Unprocessable(
            "请选择受理决定", fields={"decision": base.choice_hint(AcceptanceDecision)}
        )
    handlers[decision](
        case, actor, reason=reason.strip(), problems=[str(p) for p in problems if str(p).strip()]
    )
    return case


def _accept(case: Case, actor, **_) -> None:
    if case.problems:
        raise Unprocessable("形式审查未通过，请一次性告知补正：" + "；".join(case.problems))
    if case.commitments.exists():
        raise Unprocessable("请选择容缺受理", fields={"decision": "本件有承诺后补的材料"})
    _start_processing(case, actor, tolerance=False)


def _accept_with_tolerance(case: Case, actor, **_) -> None:
    if case.problems:
        raise Unprocessable("形式审查未通过，请一次性告知补正：" + "；".join(case.problems))
    if not case.commitments.exists():
        raise Unprocessable("请选择受理", fields={"decision": "本件没有承诺后补的材料，无需容缺"})
    if has_breach(case.applicant_data):
        raise Unprocessable(
            "申请人有未履行告知承诺的失信记录，不能容缺受理", fields={"decision": "不能容缺受理"}
        )
    _start_processing(case, actor, tolerance=True)


def has_breach(applicant_data: dict) -> bool:
    subject = applicant_data.get("credit_code") or applicant_data.get("id_number")
    return bool(subject) and selectors.credit_records(subject).exists()


def _accepting_department(case: Case, actor):
    return actor.department or accounts.department_for(
        kind_code="data_bureau", region=case.accept_region
    )


def case_consent_scope(blueprint: dict) -> list[str]:
    """What the applicant's consent covers: the licence types the blueprint's materials use,
    and its shared data items as ``data:<registry field>`` — never the rest of the wallet."""
    materials = Blueprint.of(blueprint).materials
    types = {m.license_type for m in materials if m.license_type}
    fields = {f"data:{m.registry_field}" for m in materials if m.registry_field}
    return sorted(types | fields)


def _grant_case_consent(case: Case, actor) -> None:
    """The applicant consented to data use when submitting; the accepting clerk may now see
    the licences and data items this case uses (an empty scope would mean all: none granted)."""
    holder = _holder_objects(case)
    scope = case_consent_scope(case.blueprint)
    if scope and (holder["person"] is not None or holder["entity"] is not None):
        gateway.consent_grant(
            grantee=actor,
            purpose="办件",
            case_number=case.number,
            actor=actor,
            scope=scope,
            **holder,
        )


def _start_processing(case: Case, actor, *, tolerance: bool) -> None:
    today = base._today()
    case.status, case.tolerance, case.accepted_at = CaseStatus.PROCESSING, tolerance, timezone.now()
    case.accept_department = _accepting_department(case, actor)
    case.deadline = workdays.add_working_days(today, Blueprint.of(case.blueprint).promised_days)
    case.save()
    _grant_case_consent(case, actor)
    verb = "case.accepted_with_tolerance" if tolerance else "case.accepted"
    _event(case, actor, verb, deadline=str(case.deadline), process_region=case.process_region_id)
    lines = [
        f"您于{timezone.localtime(case.submitted_at):%Y年%m月%d日}提交的申请，经审查，符合受理条件，决定予以受理。"
    ]
    if tolerance:
        lines.append("部分材料按告知承诺容缺受理，请在承诺期限内补齐：")
    items = (
        [f"{c.name}（承诺于{c.due_date}前补交）" for c in case.commitments.all()]
        if tolerance
        else []
    )
    _issue(
        case,
        DocumentKind.ACCEPTANCE,
        case.accept_department,
        lines + [f"承诺办结期限：{case.deadline}"],
        items,
    )
    _tell_applicant(case, f"您的“{case.title}”申请已受理", "accepted", f"办件编号 {case.number}")
    _spawn_tasks(case, actor)


def _return_for_correction(case: Case, actor, *, problems: list[str], **_) -> None:
    listed = list(dict.fromkeys([*case.problems, *problems]))
    if not listed:
        raise Unprocessable("请列出需要补正的全部问题", fields={"problems": "必填"})
    case.status = CaseStatus.RETURNED
    case.save(update_fields=["status"])
    supplement = Supplement.objects.create(case=case, request="\n".join(listed))
    _event(case, actor, "case.returned", problems=listed, supplement=supplement.pk)
    lines = ["您提交的申请材料不齐全或不符合法定形式，现一次性告知需要补正的全部内容："]
    _issue(case, DocumentKind.CORRECTION, _accepting_department(case, actor), lines, listed)
    _tell_applicant(
        case,
        f"您的“{case.title}”申请需要补正",
        f"returned:{case.supplements.count()}",
        "；".join(listed),
    )


def _refuse_acceptance(case: Case, actor, *, reason: str, **_) -> None:
    if not reason:
        raise Unprocessable("请填写不予受理的理由", fields={"reason": "必填"})
    case.status, case.reason, case.finished_at = CaseStatus.REJECTED, reason, timezone.now()
    case.save(update_fields=["status", "reason", "finished_at"])
    _event(case, actor, "case.rejected", reason=reason)
    lines = [
        "您提交的申请，经审查，不予受理。理由：",
        reason,
        "如不服本决定，可依法申请行政复议或者提起行政诉讼。",
    ]
    _issue(case, DocumentKind.REJECTION, _accepting_department(case, actor), lines)
    _tell_applicant(case, f"您的“{case.title}”申请不予受理", "rejected", reason)
