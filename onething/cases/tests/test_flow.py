"""The whole path through services: apply, accept with tolerance, parallel approval, results."""

import pytest

from onething.cases import selectors, services
from onething.cases.constants import CaseStatus, MaterialState, TaskStatus
from onething.common.errors import Unprocessable
from onething.common.validators import make_credit_code
from onething.registry import selectors as registry

pytestmark = pytest.mark.django_db


def approve(task, user, **result):
    return services.task_decide(
        task_id=task.pk, actor=user, decision="approve", opinion="同意", result=result
    )


def test_submission_records_version_blueprint_materials_and_formal_check_findings(alice, submit):
    case = submit(alice, answers={"big": "yes", "own_premises": "no"})
    assert case.status == CaseStatus.SUBMITTED and case.problems == ["缺少材料：消防设施平面图"]
    assert case.number.startswith("420102-") and len(case.number.split("-")[2]) == 6
    assert case.version.onething_id == "mini-restaurant" and case.blueprint["process"]["stages"]
    states = {m.material: m.state for m in case.materials.all()}
    assert states == {
        "application_form": MaterialState.UPLOADED,
        "id_card": MaterialState.EXEMPT,  # her e-ID card
        "lease_contract": MaterialState.COMMITTED,
        "business_license_copy": MaterialState.EXEMPT,  # the first item produces it
        "fire_plan": MaterialState.MISSING,
    }
    assert case.form["applicant_name"] == "刘爱丽" and "applicant_name" in case.prefilled


def test_a_submission_is_one_audit_row_naming_its_materials_and_commitments(alice, submit):
    from onething.common.models import AuditRecord

    case = submit(alice, answers={"big": "yes", "own_premises": "no"})
    row = AuditRecord.objects.get(action="case.submitted")
    assert (row.object_type, row.object_id, row.actor) == ("cases.case", str(case.pk), "alice")
    named = row.detail["objects"]
    assert sorted(named["cases.casematerial"]) == sorted(str(m.pk) for m in case.materials.all())
    assert named["cases.commitment"] == [str(c.pk) for c in case.commitments.all()]
    assert len(named["cases.casematerial"]) == 5 and len(named["cases.commitment"]) == 1


def _accepted(alice, carol, submit, **kw):
    case = submit(alice, **kw)
    return services.case_accept(number=case.number, actor=carol, decision="accept_with_tolerance")


def test_tasks_run_by_stage_results_flow_on_and_the_case_completes(alice, carol, mark, submit):
    case = _accepted(alice, carol, submit)
    assert case.status == CaseStatus.PROCESSING and case.tolerance and case.deadline
    reg, food = selectors.tasks_of(case)
    assert (reg.status, food.status) == (TaskStatus.ACTIVE, TaskStatus.WAITING)
    assert food.requires == ["mini-registration"]
    assert [t.pk for t in selectors.tasks_queue(mark)] == [reg.pk]

    code = make_credit_code("420102", "12345678")
    approve(reg, mark, credit_code=code, name="楚味小馆")
    food.refresh_from_db()
    assert food.status == TaskStatus.ACTIVE
    assert food.data["from"]["mini-registration"]["credit_code"] == code
    assert food.data["from"]["mini-registration"]["license"]

    approve(food, mark)
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED and case.finished_at
    wallet = {lic.license_type_id for lic in registry.wallet(alice)}
    assert {"business_license", "food_license"} <= wallet
    kinds = [d.kind for d in case.documents.all()]
    assert kinds == ["acceptance", "approval", "approval"]
    assert all(d.seal for d in case.documents.all())
    verbs = [e["verb"] for e in selectors.timeline(case)]
    # The clerk accepted; the platform started the departments' tasks.
    starts = [e for e in selectors.timeline(case) if e["verb"] == "task.started"]
    assert starts and {e["actor"] for e in starts} == {"系统"}
    for verb in [
        "case.submitted",
        "case.accepted_with_tolerance",
        "task.started",
        "task.approved",
        "case.completed",
    ]:
        assert verb in verbs


def test_second_stage_tasks_start_together_in_two_departments(
    alice, carol, mark, fred, submit, upload
):
    case = submit(alice, answers={"big": "yes", "own_premises": "no"})
    services.case_accept(
        number=case.number, actor=carol, decision="correct", problems=["请补充平面图"]
    )
    services.case_supplement(
        number=case.number, actor=alice, files={"fire_plan": str(upload(alice).pk)}
    )
    services.case_accept(number=case.number, actor=carol, decision="accept_with_tolerance")
    reg = selectors.tasks_queue(mark).get()
    assert not selectors.tasks_queue(fred).exists()
    approve(reg, mark, credit_code=make_credit_code("420102", "22345678"))
    assert selectors.tasks_queue(fred).get().item == "mini-fire-check"
    assert selectors.tasks_queue(mark).get().item == "mini-food-license"


def test_documents_are_sealed_and_verifiable(alice, carol, submit):
    from onething.cases import gateway

    case = _accepted(alice, carol, submit)
    doc = case.documents.get()
    body = bytes(doc.pdf)
    assert body.startswith(b"%PDF") and gateway.seal_verify(payload=body, seal=doc.seal)
    assert not gateway.seal_verify(payload=body + b" ", seal=doc.seal)


def test_a_prefilled_value_cannot_be_changed(alice, submit):
    with pytest.raises(Unprocessable) as exc:
        submit(alice, form={"business_name": "x", "area": 1, "applicant_name": "别人"})
    assert "form.applicant_name" in exc.value.fields


def test_form_problems_are_listed_at_once(alice, submit):
    with pytest.raises(Unprocessable) as exc:
        submit(alice, form={"area": -3})
    assert set(exc.value.fields) == {"form.business_name", "form.area"}


def test_a_commitment_for_a_material_that_must_be_uploaded_is_refused(alice, upload):
    from .conftest import body

    data = body({}, commit=False)
    data["commitments"] = [{"material": "application_form", "due_date": "2099-01-01"}]
    with pytest.raises(Unprocessable):
        services.case_submit(user=alice, data=data)


def test_window_clerk_applies_for_a_typed_in_applicant(carol, catalog, upload):
    from onething.common.validators import make_id_number

    from .conftest import body

    files = {
        "application_form": upload(carol),
        "id_card": upload(carol),
        "lease_contract": upload(carol),
    }
    data = body(files, commit=False)
    data["applicant"] = {
        "name": "王五",
        "id_number": make_id_number("420102", __import__("datetime").date(1980, 1, 2), 7),
    }
    data["form"].update(applicant_name="王五", applicant_id_number=data["applicant"]["id_number"])
    case, created = services.case_submit(user=carol, data=data)
    assert created and case.submitted_by == carol and case.applicant is None
    assert case.applicant_data["name"] == "王五" and case.accept_region_id == "420102"


def test_window_clerk_applies_with_the_holders_code(alice, carol, upload):
    from onething.registry import services as registry_services

    from .conftest import body

    code = registry_services.holder_code(person=registry.person_for_user(alice))
    data = body({"application_form": upload(carol)}, applicant={"code": code})
    case, _ = services.case_submit(user=carol, data=data)
    assert case.applicant == alice and case.form["applicant_name"] == "刘爱丽"
    assert case.materials.get(material="id_card").state == MaterialState.EXEMPT


def test_a_completed_case_invites_a_rating(alice, carol, mark, submit):
    """一事一评: completing the case opens the invitation the applicant rates through."""
    from onething.feedback.models import RatingInvitation

    case = _accepted(alice, carol, submit)
    reg, food = selectors.tasks_of(case)
    approve(reg, mark, credit_code=make_credit_code("420102", "12345678"), name="楚味小馆")
    assert not RatingInvitation.objects.filter(case=case).exists()
    food.refresh_from_db()
    approve(food, mark)
    assert RatingInvitation.objects.filter(case=case).count() == 1


def test_accepting_a_case_with_commitments_plainly_asks_for_tolerance_in_one_sentence(
    alice, carol, submit
):
    case = submit(alice)  # the lease contract follows under a commitment
    with pytest.raises(Unprocessable) as refused:
        services.case_accept(number=case.number, actor=carol, decision="accept")
    assert str(refused.value.message) == "请选择容缺受理"
    assert refused.value.fields == {"decision": "本件有承诺后补的材料"}
