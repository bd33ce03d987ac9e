"""Reads of cases, always scoped to who is asking."""

from django.db.models import Q

from onething.accounts.constants import Role
from onething.catalog.blueprint import Blueprint
from onething.common.errors import NotFound
from onething.common.models import Event

from .constants import CaseStatus, CommitmentStatus, TaskStatus
from .models import Case, Commitment, CreditRecord, Document, Draft, Task, subject_hash

REVIEWERS = {Role.DEPT_REVIEWER, Role.DEPT_ADMIN}
FULL_VIEW_ROLES = {Role.WINDOW_CLERK, *REVIEWERS}
# Encrypted documents cost a decryption per row read: lists that show none of them defer them.
DOCUMENTS = ("applicant_data", "form", "prefilled")


def cases_visible(user):
    """Applicants their own; clerks their region's (accepting or processing); departments theirs."""
    qs = Case.objects.select_related("accept_region", "process_region")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.is_applicant:
        return qs.filter(Q(applicant=user) | Q(submitted_by=user))
    prefix = user.region.prefix if user.region else None
    if user.role == Role.WINDOW_CLERK and prefix:
        return qs.filter(
            Q(accept_region__code__startswith=prefix) | Q(process_region__code__startswith=prefix)
        )
    if user.role in REVIEWERS and user.department_id:
        return qs.filter(tasks__department_id=user.department_id).distinct()
    if user.role == Role.SUPERVISOR:
        return qs if prefix is None else qs.filter(process_region__code__startswith=prefix)
    return qs.none()


def case_get(user, number: str) -> Case:
    case = cases_visible(user).filter(number=number).first()
    if case is None:
        raise NotFound("办件不存在")
    return case


def cases_list(user, *, status: str | None = None, limit: int = 200):
    return cases_found(user, status=status)[:limit]


def cases_found(user, *, status: str | None = None, q: str = ""):
    """Visible cases, newest first; ``q`` finds a number (or its tail) or a one-thing's name."""
    qs = cases_visible(user).defer(*DOCUMENTS)
    if status:
        qs = qs.filter(status=status)
    if q := q.strip():
        qs = qs.filter(Q(number__endswith=q) | Q(title__contains=q))
    return qs.order_by("-submitted_at", "-id")


def window_queue(user):
    """New cases the clerk's window has to accept (受理)."""
    if user.role != Role.WINDOW_CLERK or user.region is None:
        return Case.objects.none()
    return (
        Case.objects.filter(
            status=CaseStatus.SUBMITTED, accept_region__code__startswith=user.region.prefix
        )
        .defer("form", "prefilled")  # the queue shows the applicant's name only
        .order_by("submitted_at", "id")
    )


def tasks_queue(user, *, open_only: bool = True):
    """The caller's department's tasks, the nearest deadline first."""
    if user.role not in REVIEWERS or not user.department_id:
        return Task.objects.none()
    qs = (
        Task.objects.filter(department_id=user.department_id)
        .select_related("case", "department")
        .defer(*(f"case__{name}" for name in DOCUMENTS))
    )
    if open_only:
        qs = qs.filter(status__in=[TaskStatus.ACTIVE, TaskStatus.SUPPLEMENT])
    return qs.order_by("deadline", "id")


def tasks_of(case: Case):
    return case.tasks.select_related("department", "case").order_by("stage", "id")


def timeline(case: Case) -> list[dict]:
    """What happened to the case, in words; bookkeeping events without a label (an audit
    detail, a new internal verb) stay in the audit log and never reach the page as codes."""
    events = Event.objects.filter(
        object_type="cases.case", object_id=str(case.pk), verb__in=list(VERBS)
    ).select_related("actor")
    return [
        {
            "id": e.pk,
            "verb": e.verb,
            "label": VERBS[e.verb],
            "at": e.created_at,
            "actor": str(e.actor) if e.actor and e.verb not in FOLLOWS_ON else "系统",
            "data": e.data,
        }
        for e in events.order_by("created_at", "id")
    ]


def documents_of(case: Case):
    return Document.objects.filter(case=case).defer("pdf").select_related("department")


def document_get(user, number: str, doc_id: int) -> Document:
    case = case_get(user, number)
    doc = Document.objects.filter(case=case, pk=doc_id).first()
    if doc is None:
        raise NotFound("文书不存在")
    return doc


def commitments_of(case: Case):
    return Commitment.objects.filter(case=case)


def draft_open(user, onething: str) -> Draft | None:
    return Draft.objects.filter(user=user, onething=onething, case__isnull=True).first()


def credit_records(subject: str):
    """By ID number or credit code, through the keyed hash (the subject is stored encrypted)."""
    return CreditRecord.objects.filter(subject_hash=subject_hash(subject)).order_by("-created_at")


def can_accept(user, case: Case) -> bool:
    return (
        user.role == Role.WINDOW_CLERK
        and user.region is not None
        and case.accept_region_id.startswith(user.region.prefix)
        and case.status == CaseStatus.SUBMITTED
    )


def readable(user, case: Case) -> tuple[frozenset[str], frozenset[str]]:
    """(form fields, materials) of a visible case this user may read: all of them for its
    applicant and the window; for a department, those its own items use (data minimisation);
    nothing for supervisors, who watch figures, not people."""
    bp = Blueprint.of(case.blueprint)
    if is_applicant_of(user, case) or user.role == Role.WINDOW_CLERK:
        return frozenset(f.field for f in bp.fields), frozenset(m.code for m in bp.materials)
    if user.role not in REVIEWERS or not user.department_id:
        return frozenset(), frozenset()
    items = [t.item for t in case.tasks.all() if t.department_id == user.department_id]
    fields = {f for item in items for f in bp.fields_used_by(item)}
    return frozenset(fields), frozenset(m for item in items for m in bp.materials_used_by(item))


def material_open(user, number: str, material: str):
    """(case, upload, open file) of one uploaded material the user may read; NotFound otherwise
    (also when the material exists but is not theirs to read: its existence is not told)."""
    from . import files

    case = case_get(user, number)
    row = case.materials.filter(material=material, upload__isnull=False).first()
    if row is None or material not in readable(user, case)[1]:
        raise NotFound("材料不存在或无权查看")
    return case, row.upload, files.open_upload(row.upload.path)


def is_applicant_of(user, case: Case) -> bool:
    return user.pk in (case.applicant_id, case.submitted_by_id) and user.is_applicant


def may_see_full(user, case: Case) -> bool:
    """Who may ask for a visible case's numbers in full: its applicant, and the staff who handle
    cases (supervisors watch figures, not people)."""
    return is_applicant_of(user, case) or user.role in FULL_VIEW_ROLES


VERBS = {
    "case.submitted": "提交申请",
    "case.tasks_created": "分派各部门审批任务",
    "case.accepted": "受理",
    "case.accepted_with_tolerance": "容缺受理",
    "case.returned": "一次性告知补正",
    "case.rejected": "不予受理",
    "case.resubmitted": "补正后重新提交",
    "case.supplemented": "申请人补正",
    "case.document_issued": "出具文书",
    "case.completed": "办结",
    "case.refused": "不予许可，办件终止",
    "task.started": "部门开始审批",
    "task.approved": "部门准予",
    "task.fulfilled_by_licence": "以已有证照作为办理结果",
    "task.refused": "部门不予许可",
    "task.cancelled": "审批任务终止",
    "task.supplement_requested": "部门要求补正（计时暂停）",
    "task.resumed": "恢复计时",
    "task.warning": "时限预警",
    "commitment.fulfilled": "履行告知承诺",
    "commitment.reminded": "承诺到期提醒",
    "commitment.breached": "未履行告知承诺",
    "task.dispatched": "推送至部门业务系统办理",
    "task.received_by_system": "部门业务系统已接收",
    "task.decided_by_system": "部门业务系统作出决定",
    "task.handed_back": "部门业务系统退回平台办理",
    "task.routed_internal": "在平台审批（部门业务系统未接入）",
    "task.dispatch_dead": "推送部门业务系统失败，待运维处理",
}


# Steps the platform takes as the consequence of someone's act (the clerk accepts, the tasks
# start): the timeline says the system took them; the audit row keeps who set them off.
FOLLOWS_ON = {"case.tasks_created", "task.started"}


# ---- for connected department systems (onething.integration) -------------------------------


def task_for_system(task_id: int) -> Task | None:
    """A task with its case, for building what a department system is sent (no user scope:
    the caller has authenticated the system and checked that the task is its own)."""
    return (
        Task.objects.select_related("case", "department", "department__kind")
        .filter(pk=task_id)
        .first()
    )


def task_materials(task: Task) -> list:
    """The case's material rows this task's item uses (data minimisation), with their uploads."""
    used = Blueprint.of(task.case.blueprint).materials_used_by(task.item)
    return list(task.case.materials.filter(material__in=used).select_related("upload"))


def open_material(task: Task, material: str):
    """(upload, open file) of one material the task's item uses; NotFound otherwise."""
    from . import files

    row = next((r for r in task_materials(task) if r.material == material and r.upload_id), None)
    if row is None:
        raise NotFound("材料不存在")
    return row.upload, files.open_upload(row.upload.path)


# ---- for supervision's facts and warnings (periodic jobs: unscoped, reads only) ---------------

# The encrypted documents are never read by the watch: deferring them saves a decryption each.
SEALED_CASE = ("form", "applicant_data", "prefilled")
SEALED_TASK = ("data", *(f"case__{name}" for name in SEALED_CASE))


def case_for_facts(pk) -> Case | None:
    return Case.objects.select_related("accept_region", "process_region").filter(pk=pk).first()


def cases_by_pk(pks):
    return Case.objects.filter(pk__in=pks).order_by("pk")


def case_pks_without(done_pks):
    """Primary keys of the cases not among ``done_pks`` (a queryset or a list)."""
    return Case.objects.exclude(pk__in=done_pks).values_list("pk", flat=True)


def tasks_running():
    tasks = Task.objects.filter(status__in=[TaskStatus.ACTIVE, TaskStatus.SUPPLEMENT])
    return tasks.select_related("case", "department").defer(*SEALED_TASK).order_by("id")


def cases_processing():
    cases = Case.objects.filter(status=CaseStatus.PROCESSING).select_related("accept_department")
    return cases.defer(*SEALED_CASE).order_by("id")


def commitments_open():
    """Pending commitments, and breached ones while their case is open (the review is due)."""
    open_case = Q(status=CommitmentStatus.PENDING) | Q(
        status=CommitmentStatus.BREACHED, case__status=CaseStatus.PROCESSING
    )
    rows = Commitment.objects.filter(open_case).select_related("case", "case__accept_department")
    return rows.order_by("id")
