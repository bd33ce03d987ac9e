"""Pages: apply (one form, one set of materials), the window, the department queue, a case."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from onething.accounts import selectors as accounts
from onething.accounts.constants import Role
from onething.catalog import selectors as catalog
from onething.catalog.compiler import CompileError
from onething.common.errors import DomainError

from . import checks, gateway, hooks, selectors, serialize, services
from .constants import CROSS_REGION_OK, AcceptanceDecision, Channel, TaskDecision
from .models import Commitment


@login_required
def index(request):
    user = request.user
    context = {
        "cases": selectors.cases_list(user, limit=100),
        "window": selectors.window_queue(user),
        "tasks": selectors.tasks_queue(user),
        "role": user.role,
    }
    return render(request, "cases/index.html", context)


# ---- applying ----------------------------------------------------------------------------


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
    fields = {f["field"] for f in bp["form"]["layout"]}
    commitments = {
        m["code"]: post.get(f"due_{m['code']}", "")
        for m in bp["materials"]
        if post.get(f"commit_{m['code']}") and m["commitment_allowed"]
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


def _full_numbers(request) -> bool:
    """Applicants see what they type (their own application); a clerk filing for someone sees
    that person's numbers masked until they ask (``?full=1``, audited)."""
    return request.user.role != Role.WINDOW_CLERK or request.GET.get("full") == "1"


def _context(request, code: str, draft, errors=None) -> dict:
    version = catalog.version_latest(code)
    holder = _page_holder(request.user)
    derived = _linked_answers(version, holder)
    try:
        bp = catalog.blueprint(version, {**(draft.answers or {}), **derived})
    except CompileError as exc:
        bp, errors = catalog.blueprint(version, derived), {**(errors or {}), **exc.fields}
    prefill = gateway.prefill(blueprint=bp, **holder)
    exempt = gateway.exemptions(blueprint=bp, **holder)
    full, is_clerk = _full_numbers(request), request.user.role == Role.WINDOW_CLERK
    return {
        "bp": bp, "ot": bp["onething"], "draft": draft, "prefill": prefill, "errors": errors or {},
        "rows": _material_rows(bp, draft, exempt), "fields": _field_rows(bp, draft, prefill, full),
        "applicant": serialize.shown(draft.applicant, full), "is_clerk": is_clerk, "full": full,
        "has_personal": is_clerk and bool(serialize.draft_fields(draft)),
        "derived": derived, "cross_region": bp["cross_region"] in CROSS_REGION_OK,
        "region_groups": _region_groups(bp), "draft_started": _draft_started(draft),
        **_accept_choice(request, bp, holder, draft.applicant or {}),
    }  # fmt: skip


def _draft_started(draft) -> bool:
    return any((draft.applicant, draft.form, draft.materials, draft.commitments))


def _region_groups(bp: dict) -> list:
    asks_region = any(f.get("type") == "region" for f in bp["form"]["layout"])
    return accounts.region_choices() if asks_region else []


def _linked_answers(version, holder: dict) -> dict:
    """一键三联: a change or de-registration asks nothing the licences held already answer, and
    the page shows those answers as submission will take them."""
    if not checks.is_linked_change(version.snapshot) or not any(holder.values()):
        return {}
    held = {lic.license_type_id for lic in gateway.licenses_of(**holder)}
    return checks.derived_answers(version.snapshot, held)


def _accept_choice(request, bp: dict, holder: dict, applicant: dict) -> dict:
    """跨域通办: an applicant may hand the case in at another window; the home region stays the
    place it is processed. A clerk's window is the accepting region."""
    user = request.user
    if bp["cross_region"] not in CROSS_REGION_OK:
        return {"accept_regions": [], "accept_region": ""}
    if user.role == Role.WINDOW_CLERK:
        return {"accept_regions": [], "accept_region": "", **_home_choice(request, bp, applicant)}
    entity, person = holder["entity"], holder["person"]
    home = (
        (entity and entity.registered_region_id) or (person and person.household_region_id)
        or user.region_id or ""
    )  # fmt: skip
    within = "" if bp["cross_region"] == "跨省通办" else home[:2]
    regions = list(accounts.window_regions(within=within).select_related("parent"))
    chosen = request.POST.get("accept_region") or home
    return {"accept_regions": regions, "accept_region": chosen, "home_region": home}


def _home_choice(request, bp: dict, applicant: dict) -> dict:
    """At a window, a walk-in's home region (户籍地或登记地) is where the case is processed; the
    clerk picks it for a person typed in (a holder's code brings its own)."""
    user = request.user
    within = "" if bp["cross_region"] == "跨省通办" else user.region_id[:2]
    regions = list(accounts.window_regions(within=within).select_related("parent"))
    chosen = request.POST.get("applicant_region") or applicant.get("region") or user.region_id
    return {"home_regions": regions, "home_region": chosen}


def _page_holder(user) -> dict:
    if not user.is_applicant:
        return {"person": None, "entity": None}
    return {"person": gateway.person_for_user(user), "entity": gateway.entity_for_user(user)}


def _material_rows(bp: dict, draft, exempt: dict) -> list[dict]:
    rows = []
    for m in bp["materials"]:
        reason = (exempt.get(m["code"]) or {}).get("reason")
        if m["disposition"] == "earlier_item":
            reason = f"免交：前序事项办结后自动获取（{m['license_type_name'] or m['name']}）"
        rows.append({**m, "exempt_reason": reason, "file_id": draft.materials.get(m["code"]),
                     "due": draft.commitments.get(m["code"], "")})  # fmt: skip
    return rows


def _field_rows(bp: dict, draft, prefill: dict, full: bool) -> list[dict]:
    schema = bp["form"]["schema"]["properties"]
    rows = []
    for f in bp["form"]["layout"]:
        entry = prefill.get(f["field"]) or {}
        # Only a locked value shows as read-only; one that fails its field is a suggestion.
        locked = entry if entry.get("read_only") else None
        typed = draft.form.get(f["field"])
        value = (
            entry["value"]
            if locked
            else (typed if typed not in (None, "") else entry.get("value", ""))
        )
        shown = value if full else serialize.masked(f["field"], value)
        rows.append({**f, "schema": schema[f["field"]], "source": locked,
                     "value": shown, "value_label": _option_label(f, shown)})  # fmt: skip
    return rows


def _option_label(field: dict, value) -> str:
    """What a person reads for a value: an enum's label (有限责任公司), never its code (llc);
    a region's name (武汉市江岸区), never its GB/T 2260 code."""
    if field.get("type") == "region":
        return accounts.region_label(str(value or ""))
    labels = {str(o["value"]): o["label"] for o in field.get("options") or []}
    return labels.get(str(value), value)


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
    for m in bp["materials"]:
        upload = request.FILES.get(f"file_{m['code']}")
        if upload:
            stored[m["code"]] = str(
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
        case = services.draft_submit(user=request.user, draft=draft, channel=channel,
                                     accept_region=request.POST.get("accept_region") or None)  # fmt: skip
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


# ---- one case ----------------------------------------------------------------------------


@login_required
def detail(request, number):
    try:
        case = selectors.case_get(request.user, number)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    user = request.user
    is_applicant = selectors.is_applicant_of(user, case)
    typed = _typed_text(user, case, request.GET.get("full") == "1", is_applicant)
    full = typed["full"]
    tasks = list(selectors.tasks_of(case))
    names = {t.item: t.name for t in tasks}
    context = {
        **typed, "case": case, "data": serialize.case_dict(case, text_full=full),
        "timeline": _named_items(serialize.timeline(selectors.timeline(case), full=full), names),
        "can_accept": selectors.can_accept(user, case), "is_applicant": is_applicant,
        "my_tasks": [_with_inputs(t, names, case) for t in tasks
                     if t.department_id == user.department_id],
        "open_supplements": case.supplements.filter(supplied_at__isnull=True),
        "optional": {m["code"] for m in (case.blueprint or {}).get("materials", [])
                     if not m.get("required", True)},
        "decisions": AcceptanceDecision.choices, "task_decisions": TaskDecision.choices,
        "external": _held_by_systems(tasks),
    }  # fmt: skip
    return render(request, "cases/detail.html", context)


def _held_by_systems(tasks) -> set[str]:
    """Items a connected department system holds: decided there, not on this page."""
    held = hooks.dispatch().decided_externally
    return {t.item for t in tasks if held(task=t)}


# What an earlier item's result holds, in words (a result is a dict of codes and numbers).
RESULT_LABELS = {"license": "电子证照", "credit_code": "统一社会信用代码", "name": "名称"}


def _named_items(events: list[dict], names: dict) -> list[dict]:
    """The timeline says which item an event concerns by its name, not its catalog code."""
    return [{**e, "item_name": names.get((e.get("data") or {}).get("item"), "")} for e in events]


def _with_inputs(task, names: dict, case):
    """The reviewer sees each earlier item's result as name and labelled values."""
    labels = {
        f["field"]: f["label"] for f in (case.blueprint or {}).get("form", {}).get("layout", [])
    }
    task.inputs = [
        {"item": names.get(code, code),
         "values": [(RESULT_LABELS.get(k) or labels[k], v) for k, v in (result or {}).items()
                    if v not in ("", None) and (k in RESULT_LABELS or k in labels)]}
        for code, result in (task.data.get("from") or {}).items()
    ]  # fmt: skip
    return task


def _typed_text(user, case, asked: bool, is_applicant: bool) -> dict:
    """Numbers in what reviewers typed stay masked unless a viewer who may see the case's numbers
    asks; that view is audited."""
    may = selectors.may_see_full(user, case)
    masked = serialize.text_fields(case, supplements=is_applicant)
    full = asked and may
    if full:
        serialize.audit_text_view(user, case, masked)
    return {"full": full, "offer_full": bool(masked) and may, "masked": bool(masked) and not full}


def _run(request, fn, ok: str):
    try:
        fn()
    except DomainError as exc:
        messages.error(
            request, exc.message + ("：" + "；".join(exc.fields.values()) if exc.fields else "")
        )
        return False
    messages.success(request, ok)
    return True


@login_required
@require_POST
def accept(request, number):
    problems = [p.strip() for p in request.POST.get("problems", "").splitlines() if p.strip()]
    _run(request, lambda: services.case_accept(
        number=number, actor=request.user, decision=request.POST.get("decision", ""),
        reason=request.POST.get("reason", ""), problems=problems,
    ), "已作出受理决定")  # fmt: skip
    return redirect("cases:detail", number=number)


@login_required
@require_POST
def decide(request, task_id):
    result = {k[2:]: v for k, v in request.POST.items() if k.startswith("r_") and v}
    holder = {}
    ok = _run(request, lambda: holder.setdefault("task", services.task_decide(
        task_id=task_id, actor=request.user, decision=request.POST.get("decision", ""),
        opinion=request.POST.get("opinion", ""), result=result,
    )), "已作出审批决定")  # fmt: skip
    task = holder.get("task")
    return redirect("cases:detail", number=task.case.number) if ok else redirect("cases:index")


@login_required
@require_POST
def supplement(request, number):
    def go():
        files = {}
        for key, upload in request.FILES.items():
            if key.startswith("file_"):
                files[key[5:]] = str(
                    services.upload_create(
                        owner=request.user, name=upload.name, chunks=upload.chunks()
                    ).pk
                )
        form = {k[2:]: v for k, v in request.POST.items() if k.startswith("f_") and v}
        services.case_supplement(number=number, actor=request.user, form=form, files=files,
                                 note=request.POST.get("note", ""))  # fmt: skip

    _run(request, go, "补正材料已提交")
    return redirect("cases:detail", number=number)


@login_required
@require_POST
def fulfil(request, commitment_id):
    commitment = Commitment.objects.select_related("case").filter(pk=commitment_id).first()
    if commitment is None or not selectors.is_applicant_of(request.user, commitment.case):
        raise Http404("承诺不存在")

    def go():
        upload = request.FILES.get("file")
        if upload is None:
            raise DomainError("请选择要补交的文件", fields={"file": "必填"})
        stored = services.upload_create(
            owner=request.user, name=upload.name, chunks=upload.chunks()
        )
        services.commitment_fulfil(
            commitment_id=commitment_id, actor=request.user, file_id=str(stored.pk)
        )

    _run(request, go, "承诺材料已补交")
    return redirect("cases:detail", number=commitment.case.number)
