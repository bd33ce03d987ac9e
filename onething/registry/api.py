"""Licence and shared-data API (电子证照、共享数据)."""

import json

from django.http import JsonResponse
from ninja import Router

from onething.accounts.auth import API_AUTH
from onething.catalog import selectors as catalog
from onething.catalog.compiler import CompileError
from onething.common import audit
from onething.common.errors import DomainError, NotFound

from . import presenters, selectors, services
from .constants import HOLDER_CODE_SECONDS
from .models import Person
from .schemas import (
    HolderCodeOut,
    HolderOut,
    LicenseDetail,
    LicenseOut,
    PrefillIn,
    PrefillOut,
    ScanIn,
    UsageOut,
    VerifyOut,
)

router = Router(tags=["电子证照与共享数据"])
NOT_FOUND = "未找到该证照，或您无权查看"


@router.get("/me/licenses", response=list[LicenseOut], auth=API_AUTH, summary="我的证照（证照夹）")
def my_licenses(request):
    return [presenters.license_row(lic) for lic in selectors.wallet(request.user)]


@router.get("/me/usage-log", response=list[UsageOut], auth=API_AUTH, summary="我的证照使用记录")
def my_usage_log(request):
    return [_usage(row) for row in selectors.usage_log(request.user)[:500]]


def _usage(row) -> dict:
    return {
        "created_at": row.created_at,
        "actor": row.actor_label or str(row.actor or "系统"),
        "purpose": row.purpose,
        "case_number": row.case_number,
        "licenses": row.licenses,
        "fields": row.fields,
    }


@router.get(
    "/me/holder-code",
    response=HolderCodeOut,
    auth=API_AUTH,
    summary="我的身份码/企业码（5分钟有效）",
)
def my_holder_code(request):
    person, entity = (
        selectors.person_for_user(request.user),
        selectors.entity_for_user(request.user),
    )
    if person is None and entity is None:
        raise NotFound("您的账号尚未关联人口或经营主体信息")
    code = services.holder_code(person=None if entity else person, entity=entity)
    return {"code": code, "expires_in": HOLDER_CODE_SECONDS}


@router.post(
    "/holder-codes/scan",
    response=HolderOut,
    auth=API_AUTH,
    summary="窗口扫码：记录授权并查看持证主体的证照",
)
def scan(request, payload: ScanIn):
    holder = services.holder_from_code(code=payload.code, clerk=request.user)
    return _holder(holder)


def _holder(holder) -> dict:
    is_person = isinstance(holder, Person)
    kwargs = {"person": holder} if is_person else {"entity": holder}
    return {
        "kind": "person" if is_person else "entity",
        "name": holder.name,
        "number": holder.masked_id if is_person else holder.credit_code,
        "licenses": [presenters.license_row(lic) for lic in selectors.licenses_of(**kwargs)],
    }


@router.get(
    "/licenses/{identifier}",
    response=LicenseDetail,
    auth=API_AUTH,
    summary="证照详情（持证人或已获授权的工作人员；full=true 显示完整号码并记入审计）",
)
def license_detail(request, identifier: str, full: bool = False):
    lic = _visible(request, identifier)
    if full:
        presenters.audit_full_view(request.user, lic)
    return presenters.license_detail(lic, full=full)


def _visible(request, identifier: str):
    lic = selectors.license_for(request.user, identifier)
    if lic is None:
        raise NotFound(NOT_FOUND)
    if not selectors.is_holder(request.user, lic):
        services.usage_record(
            actor=request.user,
            purpose="查看电子证照",
            case_number="",
            person=lic.person,
            entity=lic.entity,
            licenses=[lic],
        )
    return lic


@router.get(
    "/licenses/{identifier}/signed", auth=API_AUTH, summary="下载签章 JSON（onething.license/1）"
)
def license_signed(request, identifier: str):
    lic = _visible(request, identifier)
    presenters.audit_full_view(request.user, lic, what="license.download")
    response = JsonResponse(
        presenters.signed_document(lic), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Content-Disposition"] = f'attachment; filename="{identifier}.json"'
    return response


@router.get(
    "/licenses/{identifier}/verify", response=VerifyOut, summary="公开核验（只显示脱敏的持证主体）"
)
def license_verify(request, identifier: str):
    lic, verdict = selectors.verify(identifier)
    return presenters.verdict_row(identifier, lic, verdict)


@router.post(
    "/prefill/{onething_code}",
    response=PrefillOut,
    auth=API_AUTH,
    summary="一件事申请表预填与免交材料（申请人证件号码放在请求体中）",
)
def prefill_from_body(request, onething_code: str, payload: PrefillIn):
    return _prefill(request.user, onething_code, payload.applicant, payload.answers)


@router.get(
    "/prefill/{onething_code}",
    response=PrefillOut,
    auth=API_AUTH,
    deprecated=True,
    summary="一件事申请表预填与免交材料（已弃用：证件号码会出现在访问日志中，请改用 POST）",
)
def prefill(request, onething_code: str, applicant: str = "", answers: str | None = None):
    # Kept for existing clients (same operation id as before); the number sits in the URL.
    return _prefill(request.user, onething_code, applicant, _answers(answers))


def _prefill(user, onething_code: str, applicant: str, answers: dict) -> dict:
    version = catalog.version_latest(onething_code)
    if version is None:
        raise NotFound(f"一件事不存在：{onething_code}")
    person, entity = _applicant(user, applicant)
    bp = _blueprint(version, answers)
    out = {
        "onething": onething_code,
        "version": version.number,
        "holder": _holder_name(person, entity),
        "prefill": services.prefill(blueprint=bp, person=person, entity=entity),
        "exemptions": services.exemptions(blueprint=bp, person=person, entity=entity),
    }
    if applicant:
        services.usage_record(
            actor=user,
            purpose=f"预填“{version.onething.name}”申请表",
            case_number="",
            person=person,
            entity=entity,
            fields=[v["source"] for v in out["prefill"].values()],
        )
    _audit_full_numbers(user, out["prefill"], person or entity)
    return out


def _audit_full_numbers(user, prefilled: dict, holder) -> None:
    """A form is prefilled with numbers in full (the applicant submits them): record the read."""
    shown = [
        field
        for field, v in prefilled.items()
        if presenters.is_personal_number(field, v["value"])
        or v["source"].endswith((".id_number", ".phone", ".legal_rep_id_number"))
    ]
    if shown and holder is not None:
        audit.sensitive_read(actor=user, object=holder, what="registry.prefill", fields=shown)


def _applicant(user, applicant: str):
    if not applicant:
        person, entity = selectors.person_for_user(user), selectors.entity_for_user(user)
        if person is None and entity is None:
            raise NotFound("您的账号尚未关联人口或经营主体信息")
        # An entity acts through its legal representative: person.* fields are theirs.
        return person or (entity.legal_rep if entity else None), entity
    holder = selectors.holder_for_clerk(user, applicant)
    if holder is None:
        raise NotFound(
            "未找到已授权的申请人：请先扫描申请人出示的身份码/企业码",
            fields={"applicant": "未授权或不存在"},
        )
    if isinstance(holder, Person):
        return holder, None
    return holder.legal_rep, holder


def _holder_name(person, entity) -> str:
    if entity is not None:
        return entity.name
    return f"{person.name}（{person.masked_id}）"


def _answers(raw: str | None) -> dict:
    try:
        value = json.loads(raw) if raw else {}
    except ValueError as exc:
        raise DomainError("情形答案有误", fields={"answers": "应为 JSON 对象"}) from exc
    return value


def _blueprint(version, answers) -> dict:
    try:
        return catalog.blueprint(version, answers)
    except (CompileError, ValueError, TypeError) as exc:
        raise DomainError(
            "情形答案有误", fields=getattr(exc, "fields", {"answers": "应为 JSON 对象"})
        ) from exc
