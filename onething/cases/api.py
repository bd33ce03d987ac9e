"""Cases API: submit (idempotent), accept at one window, decide tasks in parallel."""

import hashlib

from django.http import FileResponse, HttpResponse
from ninja import File, Query, Router, Status, UploadedFile

from onething.accounts.auth import API_AUTH
from onething.common.errors import Forbidden

from . import gateway, selectors, serialize, services
from .constants import Channel
from .schemas import (
    AcceptanceIn,
    CaseBrief,
    CaseIn,
    CaseOut,
    CommitmentOut,
    DecisionIn,
    DocumentVerifyOut,
    EventOut,
    FileOut,
    FulfilIn,
    SupplementIn,
    TaskOut,
)

router = Router(tags=["办件（一窗受理、并联审批）"], auth=API_AUTH)


@router.post("/files", response={201: FileOut}, summary="上传材料文件（PDF/JPEG/PNG/OFD）")
def upload_file(request, file: File[UploadedFile]):
    upload = services.upload_create(owner=request.user, name=file.name or "", chunks=file.chunks())
    out = {"id": str(upload.pk), "sha256": upload.sha256, "size": upload.size}
    return Status(201, {**out, "content_type": upload.content_type})


@router.post(
    "/cases",
    response={201: CaseOut, 200: CaseOut},
    summary="提交申请（支持 Idempotency-Key 请求头：同一键重复提交返回同一办件）",
)
def submit_case(request, payload: CaseIn):
    data = payload.dict()
    if request.user.role == "window_clerk":
        data["channel"] = Channel.WINDOW
    key = request.headers.get("Idempotency-Key")
    case, created = services.case_submit(user=request.user, data=data, idempotency_key=key)
    return Status(201 if created else 200, serialize.case_dict(case))


@router.get("/cases", response=list[CaseBrief], summary="我可见的办件")
def list_cases(request, status: str | None = None):
    return [serialize.brief(c) for c in selectors.cases_list(request.user, status=status)]


FULL = Query(
    False,
    description="true：显示完整的证件号码和电话（申请人本人、窗口与审批人员可用；每次查看记入审计日志）",
)


@router.get(
    "/cases/{number}",
    response=CaseOut,
    summary="办件详情（证件号码、电话默认脱敏；full=true 显示完整号码并记入审计）",
)
def get_case(request, number: str, full: bool = FULL):
    case = selectors.case_get(request.user, number)
    if full:
        if not selectors.may_see_full(request.user, case):
            raise Forbidden("无权查看完整的证件号码和电话")
        serialize.audit_full_view(request.user, case)
    return serialize.case_dict(case, full=full)


TIMELINE_FULL = Query(
    False,
    description="true：显示审批意见、结果等文字中完整的证件号码、手机号码（申请人本人、窗口与审批人员"
    "可用；每次查看记入审计日志）",
)


@router.get(
    "/cases/{number}/timeline",
    response=list[EventOut],
    summary="办件时间线（文字中的证件号码、手机号码默认脱敏；full=true 显示完整号码并记入审计）",
)
def get_timeline(request, number: str, full: bool = TIMELINE_FULL):
    case = selectors.case_get(request.user, number)
    events = selectors.timeline(case)
    if full:
        if not selectors.may_see_full(request.user, case):
            raise Forbidden("无权查看完整的证件号码和电话")
        serialize.audit_text_view(request.user, case, serialize.timeline_fields(events))
    return serialize.timeline(events, full=full)


@router.post("/cases/{number}/acceptance", response=CaseOut, summary="综合窗口受理决定")
def accept_case(request, number: str, payload: AcceptanceIn):
    selectors.case_get(request.user, number)
    case = services.case_accept(
        number=number,
        actor=request.user,
        decision=payload.decision,
        reason=payload.reason,
        problems=payload.problems,
    )
    return serialize.case_dict(case)


@router.post("/cases/{number}/supplements", response=CaseOut, summary="申请人补正")
def supplement_case(request, number: str, payload: SupplementIn):
    selectors.case_get(request.user, number)
    case = services.case_supplement(
        number=number, actor=request.user, form=payload.form, files=payload.files, note=payload.note
    )
    return serialize.case_dict(case)


@router.get(
    "/cases/{number}/materials/{material}",
    summary="申请材料原件（申请人、窗口、使用该材料的审批部门；查看记入审计日志）",
)
def material_file(request, number: str, material: str):
    case, upload, handle = selectors.material_open(request.user, number, material)
    serialize.audit_material_view(request.user, case, material)
    return FileResponse(handle, content_type=upload.content_type, filename=upload.name)


@router.get("/cases/{number}/documents/{doc_id}.pdf", summary="文书 PDF（已加盖电子印章）")
def document_pdf(request, number: str, doc_id: int):
    doc = selectors.document_get(request.user, number, doc_id)
    response = HttpResponse(bytes(doc.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{number}-{doc.kind}.pdf"'
    return response


@router.get(
    "/cases/{number}/documents/{doc_id}/verify",
    response=DocumentVerifyOut,
    summary="核验文书电子印章",
)
def document_verify(request, number: str, doc_id: int):
    doc = selectors.document_get(request.user, number, doc_id)
    body = bytes(doc.pdf)
    valid = hashlib.sha256(body).hexdigest() == doc.sha256 and gateway.seal_verify(
        payload=body, seal=doc.seal
    )
    return {"sha256": doc.sha256, "sealed": bool(doc.seal), "valid": valid, "seal": doc.seal}


@router.get("/tasks", response=list[TaskOut], summary="本部门审批任务（按期限排序）")
def list_tasks(request):
    return [serialize.task_dict(t) for t in selectors.tasks_queue(request.user)]


@router.post(
    "/tasks/{task_id}/decision",
    response=TaskOut,
    summary="审批决定：准予、不予或要求补正（响应中本人填写的意见和结果原样显示）",
)
def decide_task(request, task_id: int, payload: DecisionIn):
    task = services.task_decide(
        task_id=task_id,
        actor=request.user,
        decision=payload.decision,
        opinion=payload.opinion,
        result=payload.result,
    )
    return serialize.decision_dict(task, request.user)


@router.post(
    "/commitments/{commitment_id}/fulfil",
    response=CommitmentOut,
    summary="履行告知承诺（补交材料）",
)
def fulfil_commitment(request, commitment_id: int, payload: FulfilIn):
    c = services.commitment_fulfil(
        commitment_id=commitment_id, actor=request.user, file_id=payload.file_id
    )
    return {
        "id": c.pk,
        "material": c.material,
        "name": c.name,
        "due_date": c.due_date,
        "status": c.status,
    }
