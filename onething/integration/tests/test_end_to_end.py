"""The food licence decided in the market bureau's own system, over HTTP, end to end."""

import pytest

from onething.cases import selectors as cases
from onething.cases import services as case_services
from onething.cases.constants import CaseStatus, TaskStatus
from onething.common.errors import Conflict
from onething.common.validators import make_credit_code
from onething.integration.constants import DeliveryStatus
from onething.integration.models import Delivery, Inbound, Link
from onething.registry import selectors as registry

from .conftest import until

pytestmark = pytest.mark.django_db(transaction=True)


def started_external(alice, carol, mark, submit):
    """Accept the case, approve registration in onething: the food licence goes to the system."""
    case = submit(alice)
    case_services.case_accept(number=case.number, actor=carol, decision="accept_with_tolerance")
    reg, food = cases.tasks_of(case)
    case_services.task_decide(
        task_id=reg.pk,
        actor=mark,
        decision="approve",
        opinion="同意",
        result={"credit_code": make_credit_code("420102", "12345678"), "name": "楚味小馆"},
    )
    food.refresh_from_db()
    return case, food


def test_dispatch_decide_call_back_licence_issued_and_case_completed(
    alice, carol, mark, submit, system, sim
):
    case, food = started_external(alice, carol, mark, submit)
    assert food.status == TaskStatus.ACTIVE
    link = Link.objects.get(task=food)
    body = Delivery.objects.get(link=link).body
    assert body["specversion"] == "1.0" and body["type"] == "cn.gov.onething.task.dispatched"
    # Data minimisation: the form fields and materials the food licence uses, nothing else.
    assert set(body["data"]["form"]) == {"business_name", "applicant_name", "area"}
    assert "applicant_id_number" not in body["data"]["form"]
    used = {m["code"] for m in case.blueprint["materials"] if "mini-food-license" in m["used_by"]}
    assert {m["code"] for m in body["data"]["materials"]} == used
    assert body["data"]["inputs"]["mini-registration"]["credit_code"]

    until(lambda: Case_done(case))
    food.refresh_from_db()
    assert food.status == TaskStatus.APPROVED and food.result["license"]
    assert "food_license" in {lic.license_type_id for lic in registry.wallet(alice)}
    approval = case.documents.filter(task=food).get()
    assert approval.kind == "approval" and approval.seal  # sealed as an internal approval is
    verbs = [e["verb"] for e in cases.timeline(case)]
    for verb in [
        "task.dispatched",
        "task.received_by_system",
        "task.decided_by_system",
        "task.approved",
        "case.completed",
    ]:
        assert verb in verbs
    assert Delivery.objects.get(link=link).status == DeliveryStatus.DELIVERED
    assert list(Inbound.objects.filter(link=link).values_list("seq", "status")) == [
        (1, "applied"),
        (2, "applied"),
    ]
    state = sim.state()["stats"]
    assert state["materials_ok"] >= 1 and state["materials_bad"] == 0  # links fetched, hashes ok
    from onething.common.models import AuditRecord

    fetched = AuditRecord.objects.filter(action="read.integration_material")
    assert (
        fetched.count() == state["materials_ok"]
        and fetched.first().detail["system"] == "sim-market"
    )


def Case_done(case):  # noqa: N802
    case.refresh_from_db()
    return case.status == CaseStatus.COMPLETED


def test_reviewers_cannot_decide_a_task_the_system_holds(alice, carol, mark, submit, system, sim):
    sim.control(mute=True)
    case, food = started_external(alice, carol, mark, submit)
    with pytest.raises(Conflict):
        case_services.task_decide(task_id=food.pk, actor=mark, decision="approve", opinion="同意")


def test_an_item_of_an_unconfigured_system_is_decided_internally(
    alice, carol, mark, submit, catalog
):
    case, food = started_external(alice, carol, mark, submit)
    assert not Link.objects.filter(task=food).exists()
    verbs = {e["verb"]: e for e in cases.timeline(case)}
    assert "未接入" in verbs["task.routed_internal"]["data"]["reason"]
    case_services.task_decide(task_id=food.pk, actor=mark, decision="approve", opinion="同意")
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED


def test_a_supplement_asked_by_the_system_goes_to_the_applicant_and_back(
    alice, carol, mark, submit, system, sim
):
    sim.control(decide="supplement")
    case, food = started_external(alice, carol, mark, submit)
    until(lambda: Task_status(food) == TaskStatus.SUPPLEMENT)
    assert food.supplements.get().request == "请补充消防设施平面图"
    case_services.case_supplement(number=case.number, actor=alice, note="已补充")
    until(lambda: Case_done(case))
    kinds = list(
        Delivery.objects.filter(link__task=food)
        .order_by("created_at")
        .values_list("kind", flat=True)
    )
    assert kinds == ["started", "resumed"]
    assert list(Inbound.objects.filter(link__task=food).values_list("seq", "outcome")) == [
        (1, "received"),
        (2, "supplement_requested"),
        (3, "approved"),
    ]


def Task_status(task):  # noqa: N802
    task.refresh_from_db()
    return task.status


def test_a_task_handed_back_by_the_system_is_decided_in_onething(
    alice, carol, mark, submit, system, sim
):
    sim.control(decide="withdraw")
    case, food = started_external(alice, carol, mark, submit)
    until(lambda: Link.objects.get(task=food).handed_back)
    assert "task.handed_back" in [e["verb"] for e in cases.timeline(case)]
    case_services.task_decide(task_id=food.pk, actor=mark, decision="approve", opinion="同意")
    assert Case_done(case)


def test_a_sibling_refused_in_onething_cancels_the_task_in_the_system(
    alice, carol, mark, fred, submit, upload, system, sim
):
    sim.control(mute=True)
    case = submit(alice, answers={"big": "yes", "own_premises": "no"})
    case_services.case_accept(
        number=case.number, actor=carol, decision="correct", problems=["平面图"]
    )
    case_services.case_supplement(
        number=case.number, actor=alice, files={"fire_plan": str(upload(alice).pk)}
    )
    case_services.case_accept(number=case.number, actor=carol, decision="accept_with_tolerance")
    reg = cases.tasks_queue(mark).get()
    case_services.task_decide(
        task_id=reg.pk,
        actor=mark,
        decision="approve",
        opinion="同意",
        result={"credit_code": make_credit_code("420102", "22345678")},
    )
    fire = cases.tasks_queue(fred).get()
    food = Link.objects.get(task__case=case).task_id
    until(lambda: sim.state()["stats"]["dispatches"] == 1)
    case_services.task_decide(
        task_id=fire.pk, actor=fred, decision="refuse", opinion="不符合消防要求"
    )
    until(lambda: sim.state()["stats"]["dispatches"] == 2)
    kinds = list(Delivery.objects.filter(link__task_id=food).values_list("kind", "status"))
    assert sorted(kinds) == [("cancelled", "delivered"), ("started", "delivered")]
    assert list(sim.state()["tasks"].values())[0]["status"] == "cancelled"
