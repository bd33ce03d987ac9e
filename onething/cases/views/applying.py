"""Applying: the apply page, its autosave, saving, previewing, submitting and discarding a draft."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from onething.accounts.constants import Role
from onething.catalog import selectors as catalog
from onething.catalog.blueprint import Blueprint
from onething.common.errors import DomainError

from .. import selectors, serialize, services
from ..constants import Channel
from .apply_page import _context


def _may_apply(user) -> bool:
    return user.is_applicant or user.role == Role.WINDOW_CLERK


def _answers_param(request) -> dict:
    answers = {k[2:]: v for k, v in request.GET.items() if k.startswith("a_")}
    try:
        given = json.loads(request.GET.get("answers") or "{}")
    except json.JSONDecodeError:
        given = {}
    return {**(given if isinstance(given, dict) else {}), **answers}


def _posted(request, bp: dict) -> dict:
    """The draft parts in a POSTed apply form (files are stored separately)."""
    post = request.POST
    plan = Blueprint.of(bp)
    fields = {f.field for f in plan.fields}
    commitments = {
        m.code: post.get(f"due_{m.code}", "")
        for m in plan.materials
        if post.get(f"commit_{m.code}") and m.commitment_allowed
    }
    return {
        "answers": {k[2:]: v for k, v in post.items() if k.startswith("a_")},
        "form": {
            k[2:]: v for k, v in post.items() if k.startswith("f_") and k[2:] in fields and v != ""
        },
        "commitments": commitments,
        "applicant": {k[10:]: v for k, v in post.items() if k.startswith("applicant_") and v},
    }


def _unmasked(parts: dict, draft) -> dict:
    """A clerk's page shows the applicant's numbers masked: a masked value posted back unchanged
    stands for the stored number, not for a new one."""
    for name in ("form", "applicant"):
        stored = getattr(draft, name)
        parts[name] = {
            k: stored[k] if k in stored and v == serialize.masked(k, stored[k]) else v
            for k, v in parts[name].items()
        }
    return parts


@login_required
def apply(request, code):
    if catalog.version_latest(code) is None or not _may_apply(request.user):
        raise Http404("一件事不存在")
    if request.method == "POST":
        return _apply_post(request, code)
    draft = selectors.draft_open(request.user, code)
    answers = _answers_param(request)
    if draft is None or answers:
        base = draft.answers if draft else {}
        draft = services.draft_save(user=request.user, onething=code, answers={**base, **answers})
    context = _context(request, code, draft)
    if context["has_personal"] and context["full"]:
        serialize.audit_draft_view(request.user, draft)
    return render(request, "cases/apply.html", context)


@login_required
@require_POST
def discard(request, code):
    if services.draft_discard(user=request.user, onething=code):
        clerk = request.user.role == Role.WINDOW_CLERK
        messages.success(request, "草稿已清空，可以为下一位申请人办理" if clerk else "草稿已清空")
    return redirect("cases:apply", code=code)


def _apply_post(request, code):
    draft = selectors.draft_open(request.user, code) or services.draft_save(
        user=request.user, onething=code
    )
    bp = _context(request, code, draft)["bp"]
    parts = _unmasked(_posted(request, bp), draft)
    try:
        materials = {**draft.materials, **_store_files(request, bp)}
    except DomainError as exc:
        return render(
            request, "cases/apply.html", _context(request, code, draft, exc.fields), status=422
        )
    draft = services.draft_save(user=request.user, onething=code, materials=materials, **parts)
    action = request.POST.get("action", "save")
    if action == "preview":
        return render(request, "cases/preview.html", _context(request, code, draft))
    if action == "submit":
        return _submit(request, code, draft)
    messages.success(request, "草稿已保存")
    return redirect("cases:apply", code=code)


def _store_files(request, bp: dict) -> dict:
    stored = {}
    for m in Blueprint.of(bp).materials:
        upload = request.FILES.get(f"file_{m.code}")
        if upload:
            stored[m.code] = str(
                services.upload_create(
                    owner=request.user, name=upload.name, chunks=upload.chunks()
                ).pk
            )
    return stored


def _submit(request, code, draft):
    if not request.POST.get("consent"):
        errors = {"consent": "请阅读并同意数据使用授权"}
        return render(
            request, "cases/preview.html", _context(request, code, draft, errors), status=422
        )
    channel = Channel.WINDOW if request.user.role == Role.WINDOW_CLERK else Channel.PORTAL
    try:
        case = services.draft_submit(
            user=request.user,
            draft=draft,
            channel=channel,
            accept_region=request.POST.get("accept_region") or None,
        )
    except DomainError as exc:
        ctx = _context(request, code, draft, exc.fields)
        ctx["message"] = exc.message
        return render(request, "cases/preview.html", ctx, status=exc.status)
    messages.success(request, f"申请已提交，办件编号 {case.number}")
    return redirect("cases:detail", number=case.number)


@login_required
@require_POST
def autosave(request, code):
    """htmx: save the form as the applicant types (files go with the full form)."""
    if catalog.version_latest(code) is None or not _may_apply(request.user):
        raise Http404("一件事不存在")
    draft = selectors.draft_open(request.user, code) or services.draft_save(
        user=request.user, onething=code
    )
    bp = _context(request, code, draft)["bp"]
    parts = _unmasked(_posted(request, bp), draft)
    parts["answers"] = parts["answers"] or None
    services.draft_save(user=request.user, onething=code, **parts)
    return render(request, "cases/_saved.html")
