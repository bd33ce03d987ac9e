import json

from django.http import HttpResponse
from ninja import Query, Router, Schema

from onething.common.errors import DomainError, NotFound

from . import documents, selectors
from .compiler import CompileError
from .schemas import Blueprint, OneThingSummary

router = Router(tags=["一件事目录"])


class ListFilters(Schema):
    subject: str | None = None
    stage: str | None = None
    q: str = ""


def _version(code: str, version: int | None):
    found = selectors.version_get(code, version) if version else selectors.version_latest(code)
    if found is None:
        raise NotFound(f"一件事不存在：{code}" + (f" v{version}" if version else ""))
    return found


def _answers(raw: str | None) -> dict:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise DomainError(
            "answers 不是合法的 JSON", fields={"answers": '应为 JSON 对象，如 {"q": "yes"}'}
        ) from exc
    if not isinstance(value, dict):
        raise DomainError("answers 应为 JSON 对象", fields={"answers": "应为 JSON 对象"})
    return value


def compile_for(code: str, answers: str | None = None, version: int | None = None) -> dict:
    try:
        return selectors.blueprint(_version(code, version), _answers(answers))
    except CompileError as exc:
        raise DomainError(exc.message, fields=exc.fields) from exc


@router.get("/onethings", response=list[OneThingSummary], summary="一件事列表（含减负比例）")
def list_onethings(request, filters: Query[ListFilters]):
    rows = selectors.summaries(region=getattr(request.user, "region", None))
    return [
        r
        for r in rows
        if (not filters.subject or r["subject"] == filters.subject)
        and (not filters.stage or r["stage"] == filters.stage)
        and (not filters.q or filters.q in r["name"])
    ]


@router.get(
    "/onethings/{code}", response=Blueprint, summary="一件事蓝图（answers 为情形答案 JSON）"
)
def get_blueprint(request, code: str, answers: str | None = None, version: int | None = None):
    return compile_for(code, answers, version)


@router.get("/onethings/{code}/guide.pdf", summary="办事指南 PDF")
def guide_pdf(request, code: str, answers: str | None = None):
    body = documents.guide_pdf(compile_for(code, answers))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{code}-guide.pdf"'
    return response


@router.get("/onethings/{code}/bpmn", summary="BPMN 2.0 流程（每阶段一个并行网关）")
def bpmn(request, code: str, answers: str | None = None):
    body = documents.bpmn_xml(compile_for(code, answers))
    response = HttpResponse(body, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{code}.bpmn"'
    return response
