"""Questions about a chosen one-thing, answered from its service guide with the part cited."""

from onething.catalog.blueprint import Blueprint

from . import checklist, llm
from . import text as tx

# Section of the guide (办事指南) → how people ask about it. Order matters: first match wins.
INTENTS: list[tuple[str, tuple[str, ...]]] = [
    ("收费标准", ("收费", "费用", "多少钱", "要钱", "花钱", "免费", "交钱", "付费", "钱")),
    (
        "办理时限",
        (
            "多久",
            "多长时间",
            "几天",
            "多少天",
            "时限",
            "多快",
            "什么时候能",
            "要多长",
            "几个工作日",
        ),
    ),
    (
        "办理地点和方式",
        ("在哪", "哪里办", "去哪", "地点", "地址", "网上办", "线上", "窗口", "手机上", "跑几次"),
    ),
    ("申请材料", ("材料", "带什么", "准备什么", "要带", "资料", "证件", "要交什么", "提交什么")),
    ("受理条件", ("条件", "资格", "能不能办", "符合", "可以办吗", "谁能办")),
    ("办理流程", ("流程", "步骤", "环节", "程序", "先办什么", "顺序")),
    ("设定依据", ("依据", "法律", "法规", "规定")),
]
MATERIALS = "申请材料"
FAQ = "常见问题"


def intent_of(message: str) -> str | None:
    normal = tx.normalise(message)
    return next((title for title, cues in INTENTS if any(c in normal for c in cues)), None)


def answer(bp: Blueprint, title: str, *, question: str = "", sheet: dict | None = None) -> dict:
    """A guide bubble: the cited lines verbatim, optionally worded by the language model."""
    found = faq_answer(bp, question) if question else None
    title, lines = found or (title, _lines(bp, title, sheet))
    name = bp.name
    default = f"关于“{name}”的{title}：" + "；".join(lines)
    worded = llm.word_answer(question, title, lines) if question else None
    return {
        "kind": "guide",
        "choices": [],
        "text": worded or default,
        "citation": {
            "code": bp.code,
            "name": name,
            "section": title,
            "lines": lines,
        },
    }


def _lines(bp: Blueprint, title: str, sheet: dict | None) -> list[str]:
    if title != MATERIALS:
        return checklist.section(bp, title) or ["办事指南暂无此项内容"]
    if sheet is None:
        return [f"{m.name}（{m.disposition_label}）" for m in bp.materials]
    lines = [f"{m['name']}（{m['note']}）" for m in sheet["bring"]]
    return lines + [f"{m['name']}（{m['why']}）" for m in sheet["not_needed"]]


def faq_answer(bp: Blueprint, question: str) -> tuple[str, list[str]] | None:
    """A published FAQ entry close to the question, by shared character bigrams."""
    asked = set(tx.bigrams(tx.normalise(question)))
    best, best_overlap = None, 0.0
    for q, a in bp.faq:
        grams = set(tx.bigrams(tx.normalise(q)))
        overlap = len(asked & grams) / (len(grams) or 1)
        if overlap > best_overlap:
            best, best_overlap = (q, a), overlap
    if best is None or best_overlap < 0.5:
        return None
    return FAQ, [f"问：{best[0]} 答：{best[1]}"]
