"""What a task's approval issues: the licence, sealed by the registry, to the subject the case
registered or to its holder; and the registration an existing enterprise needs no more."""

from django.utils import timezone

from onething.catalog.blueprint import Blueprint, ItemPlan
from onething.common.errors import Unprocessable

from .. import checks, gateway, validation
from ..constants import TaskStatus
from ..models import Case, Task
from . import base


def _registers_subject(item: ItemPlan | None) -> bool:
    return bool(item and item.establishes and item.result in checks.SUBJECT_LICENCE_TYPES)


def _subject_licences(case: Case) -> dict:
    """An existing enterprise's valid 营业执照 by type: its registration is done already."""
    entity = _holder_objects(case)["entity"]
    if entity is None:
        return {}
    return {
        lic.license_type_id: lic
        for lic in gateway.licenses_of(entity=entity, valid_on=base._today())
        if lic.license_type_id in checks.SUBJECT_LICENCE_TYPES
    }


def _fulfil_with(task: Task, licence) -> Task:
    """The registration item of an existing enterprise: its own licence is the result, so no
    new version of it is issued and nobody has to decide a registration that already exists."""
    task.status, task.started_on, task.decided_at = (
        TaskStatus.APPROVED,
        base._today(),
        timezone.now(),
    )
    task.opinion = (
        f"申请人已持有有效的{licence.license_type.name}，以其作为本事项的办理结果，不再重复登记。"
    )
    task.result = {"license": licence.identifier, "license_data": licence.data, "existing": True}
    return task


def _issue_licence(task: Task, actor, result: dict):
    case = task.case
    holder = _holder_objects(case)
    if holder["person"] is None and holder["entity"] is None:
        return None  # nobody in the registry to hold it (typed-in applicant); the decision stands
    form = task.data.get("form") or case.form
    if _registers_subject(Blueprint.of(case.blueprint).item(task.item)):
        code = str(result.get("credit_code") or "").strip().upper()
        if code and not validation.check_credit_code(code):
            raise Unprocessable(
                "统一社会信用代码不正确", fields={"result.credit_code": "校验位不符"}
            )
        holder = {"person": None, "entity": _establish(case, holder, form, code, actor)}
        result["entity"] = result["credit_code"] = holder["entity"].credit_code
    fields = {
        f["code"]
        for f in case.version.snapshot["license_types"].get(task.result_type, {}).get("fields", [])
    }
    inputs = {k: v for prior in task.data.get("from", {}).values() for k, v in prior.items()}
    data = {k: v for k, v in {**form, **inputs, **result}.items() if k in fields}
    for field, value in _face_from_form(case, task.result_type, form).items():
        data.setdefault(field, value)
    return gateway.license_issue(
        license_type=task.result_type,
        department=task.department,
        data=data,
        case_number=case.number,
        actor=actor,
        **holder,
    )


def _face_from_form(case: Case, license_type: str, form: dict) -> dict:
    """Form answers the licence prints: a field read from ``license.<type>.<field>`` when the
    licence is renewed (经营项目 ← food_business_items) is what the first licence prints there."""
    prefix = f"license.{license_type}."
    return {
        source.removeprefix(prefix): form[f.field]
        for f in Blueprint.of(case.blueprint).fields
        if form.get(f.field) not in (None, "")
        for source in f.prefill
        if source.startswith(prefix)
    }


def _establish(case: Case, holder: dict, form: dict, code: str, actor):
    """A registration creates the new subject; the applicant (or their enterprise's legal
    representative) is its 经营者 or 法定代表人."""
    entity = holder["entity"]
    legal_rep = holder["person"] or (entity.legal_rep if entity is not None else None)
    return gateway.entity_establish(
        region_code=case.process_region_id,
        form=form,
        legal_rep=legal_rep,
        actor=actor,
        individual=not form.get("enterprise_type"),
        code=code,
    )


def _holder_objects(case: Case) -> dict:
    """The registry record the licence goes to: the subject the case registered, else the
    entity when the applicant is one, else the person."""
    registered = next(
        (t.result["entity"] for t in case.tasks.all() if (t.result or {}).get("entity")), None
    )
    if registered and (entity := gateway.entity_by_credit_code(registered)) is not None:
        return {"person": None, "entity": entity}
    data = case.applicant_data
    entity = (
        gateway.entity_by_credit_code(data.get("credit_code", ""))
        if data.get("kind") == "entity"
        else None
    )
    if entity is not None:
        return {"person": None, "entity": entity}
    person = gateway.person_by_id_number(data.get("id_number", "")) or gateway.person_for_user(
        case.applicant
    )
    return {"person": person, "entity": None}
