"""Supplements from the applicant: the answer to a department's request, and resuming the paused tasks."""

from django.db import transaction
from django.utils import timezone

from onething.catalog.blueprint import Blueprint
from onething.common import workdays
from onething.common.errors import Conflict, NotFound, Unprocessable

from .. import hooks, validation
from ..constants import (
    CaseStatus,
    MaterialState,
    TaskStatus,
)
from ..models import (
    Case,
    CaseMaterial,
    Task,
)
from . import base
from .acceptance import _locked_case
from .base import _event, _tell_department
from .preparation import _uploads


def _require_applicant(actor, case: Case) -> None:
    if actor.pk not in (case.applicant_id, case.submitted_by_id):
        raise NotFound("办件不存在")


@transaction.atomic
def case_supplement(
    *, number: str, actor, form: dict | None = None, files: dict | None = None, note: str = ""
) -> Case:
    """Answer an open supplement request (补正): a returned case goes back to the window,
    a paused task resumes with its clock extended by the pause."""
    case = _locked_case(number)
    _require_applicant(actor, case)
    open_rows = list(case.supplements.select_for_update().filter(supplied_at__isnull=True))
    if not open_rows:
        raise Conflict("该办件没有待补正的事项")
    uploads = _uploads(
        actor, {"materials": [{"material": m, "file_id": f} for m, f in (files or {}).items()]}
    )
    materials = _apply_supplement(case, form or {}, uploads)
    for row in open_rows:
        row.response, row.supplied_at = (
            {"form": form or {}, "files": files or {}, "note": note},
            timezone.now(),
        )
        row.save(update_fields=["response", "supplied_at"])
    _event(
        case,
        actor,
        "case.supplemented",
        objects=[*open_rows, *materials],
        files=list((files or {}).keys()),
        fields=list((form or {}).keys()),
    )
    _resume(case, actor, [r.task for r in open_rows if r.task_id])
    return case


def _apply_supplement(case: Case, form: dict, uploads: dict) -> list[tuple]:
    """Merge the form and the files into the case; the material rows it updated, to audit."""
    if form:
        merged = {**case.form, **{k: v for k, v in form.items() if k not in case.prefilled}}
        if errors := validation.form_problems(Blueprint.of(case.blueprint).form_schema, merged):
            raise Unprocessable("表单填写有误：" + "；".join(errors.values()), fields=errors)
        case.form = merged
    touched = []
    for material, upload in uploads.items():
        rows = list(case.materials.filter(material=material).values_list("pk", flat=True))
        if not rows:
            raise Unprocessable("不是本事项需要的材料", fields={f"files.{material}": "未知材料"})
        CaseMaterial.objects.filter(pk__in=rows).update(state=MaterialState.UPLOADED, upload=upload)
        touched += [(CaseMaterial, pk) for pk in rows]
    rows = list(case.materials.values("material", "name", "state"))
    case.problems = [
        f"缺少材料：{r['name']}"
        for r in rows
        if r["state"] == MaterialState.MISSING and _required(case, r)
    ]
    case.save(update_fields=["form", "problems"])
    return touched


def _required(case: Case, row: dict) -> bool:
    material = Blueprint.of(case.blueprint).material(row["material"])
    return bool(material and material.required)


def _resume(case: Case, actor, tasks: list[Task]) -> None:
    if case.status == CaseStatus.RETURNED:
        case.status = CaseStatus.SUBMITTED
        case.save(update_fields=["status"])
        _event(case, actor, "case.resubmitted")
        return
    for task in tasks:
        task.refresh_from_db()
        if task.status != TaskStatus.SUPPLEMENT:
            continue
        paused = workdays.working_days_between(task.paused_on, base._today())
        task.status, task.paused_on, task.paused_days = (
            TaskStatus.ACTIVE,
            None,
            task.paused_days + paused,
        )
        task.deadline = workdays.add_working_days(task.deadline, paused)
        task.save(update_fields=["status", "paused_on", "paused_days", "deadline"])
        if case.deadline:
            case.deadline = workdays.add_working_days(case.deadline, paused)
            case.save(update_fields=["deadline"])
        _event(
            case,
            actor,
            "task.resumed",
            task=task.pk,
            item=task.item,
            paused_days=paused,
            deadline=str(task.deadline),
        )
        if not hooks.dispatch().task_resumed(task=task):
            _tell_department(
                task, f"申请人已补正：{case.title} · {task.name}", f"resumed:{task.paused_days}"
            )
