"""Every illegal transition is refused with a clear error and changes nothing."""

import pytest

from onething.cases import selectors, services
from onething.cases.constants import CaseStatus, TaskStatus
from onething.common.errors import Conflict, NotFound, Unprocessable
from onething.common.models import Event

pytestmark = pytest.mark.django_db


def decide(task, user, decision, opinion="意见", **result):
    return services.task_decide(
        task_id=task.pk, actor=user, decision=decision, opinion=opinion, result=result
    )


def unchanged(fn, exc):
    before = Event.objects.count()
    with pytest.raises(exc) as err:
        fn()
    assert Event.objects.count() == before
    return err.value


@pytest.fixture
def accepted(alice, carol, submit):
    case = submit(alice)
    return services.case_accept(number=case.number, actor=carol, decision="accept_with_tolerance")


def test_accepting_twice_is_a_conflict(accepted, carol):
    err = unchanged(
        lambda: services.case_accept(number=accepted.number, actor=carol, decision="accept"),
        Conflict,
    )
    assert "办理中" in err.message


def test_plain_accept_with_commitments_or_problems_is_refused(alice, carol, submit):
    case = submit(alice)
    unchanged(
        lambda: services.case_accept(number=case.number, actor=carol, decision="accept"),
        Unprocessable,
    )
    case2 = submit(alice, answers={"big": "yes", "own_premises": "no"})
    err = unchanged(
        lambda: services.case_accept(
            number=case2.number, actor=carol, decision="accept_with_tolerance"
        ),
        Unprocessable,
    )
    assert "消防设施平面图" in err.message


def test_tolerance_without_commitments_and_refusal_without_reason(alice, carol, submit):
    case = submit(alice, commit=False)
    unchanged(
        lambda: services.case_accept(
            number=case.number, actor=carol, decision="accept_with_tolerance"
        ),
        Unprocessable,
    )
    unchanged(
        lambda: services.case_accept(number=case.number, actor=carol, decision="refuse"),
        Unprocessable,
    )
    unchanged(
        lambda: services.case_accept(number=case.number, actor=carol, decision="correct"),
        Unprocessable,
    )
    unchanged(
        lambda: services.case_accept(number=case.number, actor=carol, decision="maybe"),
        Unprocessable,
    )
    services.case_accept(number=case.number, actor=carol, decision="accept")


def test_a_rejected_case_cannot_be_accepted(alice, carol, submit):
    case = submit(alice)
    services.case_accept(
        number=case.number, actor=carol, decision="refuse", reason="不属于本机关职权范围"
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.REJECTED and case.documents.get().kind == "rejection"
    unchanged(
        lambda: services.case_accept(number=case.number, actor=carol, decision="accept"), Conflict
    )


def test_approving_a_refused_task_and_deciding_a_cancelled_one(accepted, mark):
    reg, food = selectors.tasks_of(accepted)
    decide(reg, mark, "refuse", "名称与已登记企业重名")
    accepted.refresh_from_db()
    food.refresh_from_db()
    assert accepted.status == CaseStatus.REFUSED and food.status == TaskStatus.CANCELLED
    unchanged(lambda: decide(reg, mark, "approve"), Conflict)
    unchanged(lambda: decide(food, mark, "approve"), Conflict)


def test_a_waiting_task_cannot_be_decided_and_refusal_needs_an_opinion(accepted, mark):
    reg, food = selectors.tasks_of(accepted)
    unchanged(lambda: decide(food, mark, "approve"), Conflict)
    unchanged(lambda: decide(reg, mark, "refuse", opinion=" "), Unprocessable)
    unchanged(lambda: decide(reg, mark, "publish"), Unprocessable)


def test_another_department_cannot_decide(accepted, fred, carol):
    reg = selectors.tasks_of(accepted)[0]
    unchanged(lambda: decide(reg, fred, "approve"), NotFound)
    unchanged(lambda: decide(reg, carol, "approve"), NotFound)


def test_supplement_only_when_asked_and_commitment_fulfilled_once(accepted, alice, upload):
    unchanged(lambda: services.case_supplement(number=accepted.number, actor=alice), Conflict)
    commitment = accepted.commitments.get()
    services.commitment_fulfil(
        commitment_id=commitment.pk, actor=alice, file_id=str(upload(alice).pk)
    )
    assert accepted.materials.get(material="lease_contract").state == "uploaded"
    again = str(upload(alice).pk)
    unchanged(
        lambda: services.commitment_fulfil(commitment_id=commitment.pk, actor=alice, file_id=again),
        Conflict,
    )


def test_someone_elses_file_cannot_be_used(accepted, alice, bob, upload):
    commitment, bobs = accepted.commitments.get(), str(upload(bob).pk)
    unchanged(
        lambda: services.commitment_fulfil(commitment_id=commitment.pk, actor=alice, file_id=bobs),
        Unprocessable,
    )
    unchanged(
        lambda: services.commitment_fulfil(commitment_id=commitment.pk, actor=bob, file_id=bobs),
        NotFound,
    )
