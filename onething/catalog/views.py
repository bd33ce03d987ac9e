"""Public catalog pages: browse, detail with live situation answers."""

import json

from django.http import Http404
from django.shortcuts import render

from . import documents, selectors
from .compiler import CompileError
from .constants import STAGES_BY_SUBJECT, Subject


def index(request):
    subject = request.GET.get("subject") or ""
    stage = request.GET.get("stage") or ""
    q = (request.GET.get("q") or "").strip()[:50]
    found = selectors.codes_matching(q) if q else None
    rows = [
        r
        for r in selectors.summaries(region=getattr(request.user, "region", None))
        if (not subject or r["subject"] == subject)
        and (not stage or r["stage"] == stage)
        and (found is None or r["code"] in found)
    ]
    if found:  # best match first
        rank = {code: n for n, code in enumerate(found)}
        rows.sort(key=lambda r: rank[r["code"]])
    stages = STAGES_BY_SUBJECT.get(subject) or [s for v in STAGES_BY_SUBJECT.values() for s in v]
    context = {
        "rows": rows,
        "subjects": Subject.choices,
        "stages": stages,
        "subject": subject,
        "stage": stage,
        "q": q,
        "averages": selectors.catalog_averages(rows),
        "oneclasses": selectors.oneclasses(),
    }
    return render(request, "catalog/index.html", context)


def _answers_from(request) -> dict:
    params = request.POST if request.method == "POST" else request.GET
    return {k[2:]: v for k, v in params.items() if k.startswith("a_")}


def _blueprint_or_errors(version, answers):
    try:
        bp, errors = selectors.blueprint(version, answers), {}
    except CompileError as exc:
        bp, errors = selectors.blueprint(version, {}), exc.fields
    return bp, errors


def _context(bp: dict, errors: dict) -> dict:
    return {
        "bp": bp,
        "errors": errors,
        "answers_json": json.dumps(bp["answers"], ensure_ascii=False),
        # The guide (page and PDF) follows the situation chosen, as the materials do.
        "guide": documents.guide_sections(bp),
        "reduction_rows": _reduction_rows(bp["reductions"]),
    }


REDUCTION_LABELS = [
    ("time", "办理时间（工作日）"),
    ("materials", "申请材料（份）"),
    ("steps", "办理环节（个）"),
    ("visits", "跑动次数（次）"),
]


def _reduction_rows(red: dict) -> list[dict]:
    """One row per figure with how it is counted (older versions carry no explanations)."""
    figures = red.get("figures") or {}
    return [
        {
            "key": key,
            "label": label,
            "before": red["before"][key],
            "after": red["after"][key],
            "percent": red["percent"][key],
            "explanation": figures.get(key, {}).get("explanation", ""),
            "reason": figures.get(key, {}).get("reason"),
        }
        for key, label in REDUCTION_LABELS
    ]


def _version_or_404(code):
    version = selectors.version_latest(code)
    if version is None:
        raise Http404("一件事不存在")
    return version


def detail(request, code):
    version = _version_or_404(code)
    bp, errors = _blueprint_or_errors(version, _answers_from(request))
    return render(
        request,
        "catalog/detail.html",
        {**_context(bp, errors), "ot": bp["onething"]},
    )


def situation(request, code):
    """htmx: the materials, form and figures for the answers chosen so far."""
    version = _version_or_404(code)
    bp, errors = _blueprint_or_errors(version, _answers_from(request))
    return render(request, "catalog/_situation.html", _context(bp, errors))
