"""The personalised list: what to bring, what not and why, how long, how much, where.

Every fact here comes from the compiled blueprint, never from free text or a language model.
"""

import json
from urllib.parse import quote

from onething.catalog import documents
from onething.catalog import selectors as catalog
from onething.catalog.blueprint import Blueprint, MaterialPlan

BRING = ("upload", "commitment")


def exemption_reason(material: MaterialPlan, *, bp: Blueprint, user=None) -> str:
    """Why a material need not be handed in.

    The single place for this line: once the registry app exists it can consult ``user``'s
    actual licences here ("已通过电子证照获取：营业执照（证号…）").
    """
    kind = material.disposition
    if kind == "license":
        return f"已通过电子证照获取：{material.license_type_name or material.name}"
    if kind == "shared_data":
        return "已通过部门共享数据获取，无需提交"
    if kind == "earlier_item":
        producer = bp.item_name(material.produced_by, "前序事项")
        return f"由“{producer}”办结后自动获取，无需提交"
    return material.disposition_label or "无需提交"


def apply_url(code: str, answers: dict) -> str:
    """The cases app's application page, with the situation answers carried over."""
    body = json.dumps(answers, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return f"/cases/apply/{quote(code)}?answers={quote(body)}"


def fee_text(bp: Blueprint) -> str:
    return f"合计 {bp.raw.get('fee')} 元" if bp.fee else "不收费"


def section(bp: Blueprint, title: str) -> list[str]:
    return next((lines for t, lines in documents.guide_sections(bp.raw) if t == title), [])


def build(version, answers: dict, *, user=None) -> dict:
    bp = Blueprint.of(catalog.blueprint(version, answers))
    return {
        "code": bp.code,
        "name": bp.name,
        "version": version.number,
        "answers": [{"question": q.text, "answer": q.answer_label} for q in bp.questions],
        "bring": [_bring_row(m) for m in bp.materials if m.disposition in BRING],
        "not_needed": [
            {"code": m.code, "name": m.name, "why": exemption_reason(m, bp=bp, user=user)}
            for m in bp.materials
            if m.disposition not in BRING
        ],
        "items": [i.name for i in bp.items],
        "promised_days": bp.promised_days,
        "legal_days": bp.legal_days,
        "fee": bp.raw.get("fee"),
        "fee_text": fee_text(bp),
        "where": section(bp, "办理地点和方式"),
        "apply_url": apply_url(bp.code, dict(bp.answers)),
    }


def _bring_row(m: MaterialPlan) -> dict:
    note = "可先书面承诺、办理后补交" if m.disposition == "commitment" else "需提交"
    if m.description:
        note += f"（{m.description}）"
    return {"code": m.code, "name": m.name, "note": note}


def summary(sheet: dict) -> str:
    """One sentence over the list, for the chat bubble and the CLI."""
    return (
        f"根据您的情况，办理“{sheet['name']}”需要准备 {len(sheet['bring'])} 份材料，"
        f"另有 {len(sheet['not_needed'])} 份无需提交；承诺 {sheet['promised_days']} 个工作日办结，"
        f"{sheet['fee_text']}。"
    )
