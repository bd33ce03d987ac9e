"""Parallel tasks: spawning them after acceptance, each department's decision, completing the case (the licence an approval issues: ``licences``)."""

from django.db import transaction
from django.utils import timezone

from onething.accounts import selectors as accounts
from onething.catalog.blueprint import Blueprint
from onething.common import workdays
from onething.common.errors import Conflict, DomainError, NotFound, Unprocessable

from .. import checks, hooks
from ..constants import (
    DECISION_WORDS,
    OPEN_TASK_STATUSES,
    OTHER_DECISION_WORDS,
    CaseStatus,
    DocumentKind,
    TaskDecision,
    TaskStatus,
)
from ..models import (
    Case,
    Supplement,
    Task,
)
from . import base
from .base import REVIEWER_ROLES, _event, _issue, _tell_applicant, _tell_department
from .licences import (
    _fulfil_with,
    _issue_licence,
    _registers_subject,
    _subject_licences,
)


def department_for_item(item: dict, region):
    dept = accounts.department_for(
        kind_code=item["department"]["code"], region=checks.climb(region, item["level"])
    )
    if dept is None:
        raise DomainError(f"未找到“{item['name']}”的办理部门", code="no_department")
    return dept


def _spawn_tasks(case: Case, actor) -> None:
    bp = Blueprint.of(case.blueprint)
    held = _subject_licences(case)
    tasks = [
        Task(
            case=case,
            item=item.code,
            name=item.name,
            stage=item.stage,
            department=department_for_item(item.routing, case.process_region),
            requires=list(bp.dependencies.get(item.code, ())),
            result_type=item.result,
            days=item.days,  # inside this one-thing
            status=TaskStatus.WAITING,
        )
        for item in bp.items
    ]
    fulfilled = [
        _fulfil_with(task, held[item.result])
        for task, item in zip(tasks, bp.items, strict=True)
        if _registers_subject(item) and item.result in held
    ]
    Task.objects.bulk_create(tasks)
    _event(case, actor, "case.tasks_created", objects=tasks, tasks=len(tasks))
    for task in fulfilled:
        _event(
            case,
            actor,
            "task.fulfilled_by_licence",
            task=task.pk,
            item=task.item,
            license=task.result["license"],
        )
    _start_ready(case, actor)


def _start_ready(case: Case, actor) -> list[Task]:
    """Start every waiting task whose prerequisites are approved, handing on their results."""
    tasks = list(case.tasks.select_for_update().order_by("id"))
    done = {t.item: t for t in tasks if t.status == TaskStatus.APPROVED}
    started = [t for t in tasks if t.status == TaskStatus.WAITING and set(t.requires) <= set(done)]
    produced = _produced(case.blueprint, {code: t.result for code, t in done.items()})
    for task in started:
        inputs = {code: done[code].result for code in task.requires}
        _start(task, actor, inputs=inputs, produced=produced)
    return started


def _produced(blueprint: dict, results: dict) -> dict:
    """Form fields an earlier item's result supplies (the credit code a registration assigns)."""
    out = {}
    for entry in Blueprint.of(blueprint).produced:
        face = (results.get(entry.produced_by) or {}).get("license_data") or {}
        if face.get(entry.source) not in (None, ""):
            out[entry.field] = face[entry.source]
    return out


def _start(task: Task, actor, *, inputs: dict, produced: dict | None = None) -> None:
    today = base._today()
    task.status, task.started_on = TaskStatus.ACTIVE, today
    task.deadline = workdays.add_working_days(today, task.days)
    task.data = {**task.data, "form": {**task.case.form, **(produced or {})}, "from": inputs}
    task.save(update_fields=["status", "started_on", "deadline", "data"])
    _event(
        task.case,
        actor,
        "task.started",
        task=task.pk,
        item=task.item,
        department=task.department.name,
        deadline=str(task.deadline),
        inputs=inputs,
    )
    if not hooks.dispatch().task_started(task=task):
        _tell_department(task, f"新的审批任务：{task.case.title} · {task.name}", "started")


def _locked_task(task_id: int, actor) -> Task:
    # The case first, then the task only (of=self), as acceptance and supplements do: locking the
    # task first let two reviewers of sibling tasks each hold what the other's _start_ready needed.
    case_id = Task.objects.filter(pk=task_id).values_list("case_id", flat=True).first()
    list(Case.objects.select_for_update().filter(pk=case_id).values_list("pk"))
    task = (
        Task.objects.select_for_update(of=("self",))
        .select_related("case", "department")
        .filter(pk=task_id)
        .first()
    )
    if (
        task is None
        or actor.role not in REVIEWER_ROLES
        or task.department_id != actor.department_id
    ):
        raise NotFound("审批任务不存在")
    return task


@transaction.atomic
def task_decide(
    *, task_id: int, actor, decision: str, opinion: str = "", result: dict | None = None
) -> Task:
    task = _locked_task(task_id, actor)
    if task.status != TaskStatus.ACTIVE:
        raise Conflict(f"该审批任务当前状态为“{task.get_status_display()}”，不能再作出决定")
    if hooks.dispatch().decided_externally(task=task):
        raise Conflict("该事项由部门业务系统办理，结果以系统回传为准")
    handlers = {
        TaskDecision.APPROVE: _approve,
        TaskDecision.REFUSE: _refuse,
        TaskDecision.SUPPLEMENT: _ask_supplement,
    }
    if decision not in handlers:
        raise Unprocessable("请选择审批决定", fields={"decision": base.choice_hint(TaskDecision)})
    if decision != TaskDecision.APPROVE and not opinion.strip():
        raise Unprocessable("请填写审批意见", fields={"opinion": "必填"})
    task.opinion, task.decided_by, task.decided_at = opinion.strip(), actor, timezone.now()
    handlers[decision](task, actor, dict(result or {}))
    return task


@transaction.atomic
def task_decide_by_system(
    *, task_id: int, system: str, decision: str, opinion: str = "", result: dict | None = None
) -> Task:
    """A connected department system's decision, applied exactly as a reviewer's would be."""
    case_id = Task.objects.filter(pk=task_id).values_list("case_id", flat=True).first()
    list(Case.objects.select_for_update().filter(pk=case_id).values_list("pk"))
    task = (
        Task.objects.select_for_update(of=("self",))
        .select_related("case", "department")
        .get(pk=task_id)
    )
    if task.status != TaskStatus.ACTIVE:
        raise Conflict(f"该审批任务当前状态为“{task.get_status_display()}”，不能再作出决定")
    handlers = {
        TaskDecision.APPROVE: _approve,
        TaskDecision.REFUSE: _refuse,
        TaskDecision.SUPPLEMENT: _ask_supplement,
    }
    if decision != TaskDecision.APPROVE and not opinion.strip():
        raise Unprocessable("请填写审批意见", fields={"data.opinion": "必填"})
    task.opinion, task.decided_by, task.decided_at = opinion.strip(), None, timezone.now()
    _event(
        task.case,
        None,
        "task.decided_by_system",
        task=task.pk,
        item=task.item,
        system=system,
        decision=decision,
    )
    handlers[decision](task, None, dict(result or {}))
    return task


def task_note_by_system(*, task_id: int, system: str, verb: str, note: str = "") -> None:
    """A system's word that changes no state (received, handed back): on the case's timeline."""
    task = Task.objects.select_related("case").get(pk=task_id)
    _event(task.case, None, verb, task=task.pk, item=task.item, system=system, note=note)
    if verb == "task.handed_back":
        _tell_department(
            task, f"部门业务系统退回平台办理：{task.case.title} · {task.name}", "handed_back"
        )


def _approve(task: Task, actor, result: dict) -> None:
    case = task.case
    if task.result_type:
        licence = _issue_licence(task, actor, result)
        result["license"] = getattr(licence, "identifier", "") if licence is not None else ""
        if licence is not None:
            result["license_data"] = licence.data
    task.status, task.result = TaskStatus.APPROVED, result
    task.save()
    _event(
        case,
        actor,
        "task.approved",
        task=task.pk,
        item=task.item,
        opinion=task.opinion,
        result=result,
    )
    granted, _, verb, _ = _decision_words(case, task)
    lines = [f"经审查，你（单位）申请的“{task.name}”符合法定条件，{verb}。", task.opinion]
    if result.get("license"):
        lines.append(f"电子证照编号：{result['license']}（已发放至您的电子证照夹）")
    lines = [x for x in lines if x]
    _issue(case, DocumentKind.APPROVAL, task.department, lines, task=task, title=granted)
    _start_ready(case, actor)
    if not case.tasks.exclude(status=TaskStatus.APPROVED).exists():
        _complete(case, actor)


def _decision_words(case: Case, task: Task) -> tuple[str, str, str, str]:
    """The titles and verbs of the item's decisions, by its legal kind (``DECISION_WORDS``)."""
    item = Blueprint.of(case.blueprint).item(task.item)
    return DECISION_WORDS.get(item.kind if item else "", OTHER_DECISION_WORDS)


def _complete(case: Case, actor) -> None:
    case.status, case.finished_at = CaseStatus.COMPLETED, timezone.now()
    case.save(update_fields=["status", "finished_at"])
    _event(case, actor, "case.completed")
    _tell_applicant(
        case, f"您的“{case.title}”已办结", "completed", "办理结果已发放至您的电子证照夹。"
    )
    hooks.case_completed(case)


def _refuse(task: Task, actor, result: dict) -> None:
    case = task.case
    task.status = TaskStatus.REFUSED
    task.save()
    _event(case, actor, "task.refused", task=task.pk, item=task.item, opinion=task.opinion)
    _, refused, _, verb = _decision_words(case, task)
    lines = [
        f"经审查，你（单位）申请的“{task.name}”不符合法定条件，{verb}。理由：",
        task.opinion,
        "如不服本决定，可依法申请行政复议或者提起行政诉讼。",
    ]
    _issue(case, DocumentKind.REFUSAL, task.department, lines, task=task, title=refused)
    for sibling in case.tasks.select_for_update().filter(status__in=OPEN_TASK_STATUSES):
        sibling.status = TaskStatus.CANCELLED
        sibling.save(update_fields=["status"])
        _event(case, actor, "task.cancelled", task=sibling.pk, item=sibling.item, because=task.item)
        hooks.dispatch().task_cancelled(task=sibling)
        _tell_department(
            sibling,
            f"审批任务已终止：{case.title} · {sibling.name}（{task.name}不予许可）",
            "cancelled",
        )
    case.status, case.reason, case.finished_at = CaseStatus.REFUSED, task.opinion, timezone.now()
    case.save(update_fields=["status", "reason", "finished_at"])
    _event(case, actor, "case.refused", because=task.item)
    _tell_applicant(case, f"您的“{case.title}”未获准予", "refused", task.opinion)


def _ask_supplement(task: Task, actor, result: dict) -> None:
    case = task.case
    task.status, task.paused_on = TaskStatus.SUPPLEMENT, base._today()
    task.save()
    supplement = Supplement.objects.create(case=case, task=task, request=task.opinion)
    _event(
        case,
        actor,
        "task.supplement_requested",
        task=task.pk,
        item=task.item,
        request=task.opinion,
        supplement=supplement.pk,
    )
    _tell_applicant(
        case,
        f"“{task.name}”需要补正",
        f"supplement:{task.pk}:{case.supplements.count()}",
        task.opinion,
    )
