"""Reading pages: the cases list with the window and task queues, and one case."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render

from onething.common.errors import DomainError

from .. import hooks, selectors, serialize
from ..constants import AcceptanceDecision, TaskDecision
from .apply_page import _option_label

PER_PAGE = 50


@login_required
def index(request):
    user = request.user
    q = request.GET.get("q", "")[:64]
    page = Paginator(selectors.cases_found(user, q=q), PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "cases": page,
        "q": q,
        "window": selectors.window_queue(user),
        "tasks": selectors.tasks_queue(user),
        "role": user.role,
    }
    return render(request, "cases/index.html", context)


@login_required
def material(request, number, material):
    """An uploaded material, opened in the browser by whoever may read it (audited)."""
    try:
        case, upload, handle = selectors.material_open(request.user, number, material)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    serialize.audit_material_view(request.user, case, material)
    return FileResponse(handle, content_type=upload.content_type, filename=upload.name)


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
    data = serialize.case_dict(case, text_full=full)
    fields, materials = selectors.readable(user, case)
    context = {
        **typed,
        "case": case,
        "data": data,
        "form_rows": _form_rows(case, data["form"], fields),
        "openable": materials,
        "timeline": _named_items(serialize.timeline(selectors.timeline(case), full=full), names),
        "can_accept": selectors.can_accept(user, case),
        "is_applicant": is_applicant,
        "my_tasks": [
            _with_inputs(t, names, case) for t in tasks if t.department_id == user.department_id
        ],
        "open_supplements": case.supplements.filter(supplied_at__isnull=True),
        "optional": {
            m["code"]
            for m in (case.blueprint or {}).get("materials", [])
            if not m.get("required", True)
        },
        "decisions": AcceptanceDecision.choices,
        "task_decisions": TaskDecision.choices,
        "external": _held_by_systems(tasks),
    }
    return render(request, "cases/detail.html", context)


def _form_rows(case, form: dict, fields: frozenset[str]) -> list[tuple[str, object]]:
    """The one form as its labels and the values given in words (numbers masked), the fields the
    viewer may read, in the form's order."""
    return [
        (f["label"], _option_label(f, form[f["field"]]))
        for f in (case.blueprint or {}).get("form", {}).get("layout", [])
        if f["field"] in fields and form.get(f["field"]) not in (None, "")
    ]


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
        {
            "item": names.get(code, code),
            "values": [
                (RESULT_LABELS.get(k) or labels[k], v)
                for k, v in (result or {}).items()
                if v not in ("", None) and (k in RESULT_LABELS or k in labels)
            ],
        }
        for code, result in (task.data.get("from") or {}).items()
    ]
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
