"""Working days across holidays and make-up days; supplements pause the clock; warnings."""

import json
from datetime import date, timedelta

import pytest

from onething.cases import selectors, services, workdays
from onething.cases.constants import CommitmentStatus, TaskStatus
from onething.cases.models import Commitment, CreditRecord, Task
from onething.common import jobs
from onething.common.errors import Unprocessable
from onething.common.models import Message


def test_national_day_2026_and_its_make_up_saturday():
    assert workdays.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    # Saturday 10 October 2026 is a make-up working day (调休上班).
    assert workdays.add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert workdays.add_working_days(date(2026, 9, 30), 4) == date(2026, 10, 12)
    assert workdays.working_days_between(date(2026, 9, 30), date(2026, 10, 10)) == 3


def test_spring_festival_2026():
    # Saturday 14 February is worked; 15–23 February are off.
    assert workdays.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert workdays.add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)


def test_a_later_year_comes_from_a_calendar_file(tmp_path):
    path = tmp_path / "2031.json"
    path.write_text(
        json.dumps({"year": 2031, "holidays": ["2031-01-01"], "workdays": ["2031-01-04"]})
    )
    workdays.load_calendar(path)
    assert not workdays.is_workday(date(2031, 1, 1))
    assert workdays.is_workday(date(2031, 1, 4))  # a Saturday worked
    assert workdays.add_working_days(date(2030, 12, 31), 1) == date(2031, 1, 2)


def test_an_unknown_year_counts_monday_to_friday():
    assert workdays.is_workday(date(2040, 1, 2)) and not workdays.is_workday(date(2040, 1, 7))


pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted_on(alice, carol, submit, monkeypatch):
    def go(day: date, **kw):
        monkeypatch.setattr(services.base, "_today", lambda: day)
        case = submit(alice, **kw, due=(day + timedelta(days=32)).isoformat())
        return services.case_accept(
            number=case.number, actor=carol, decision="accept_with_tolerance"
        )

    return go


def test_task_deadline_spans_national_day(accepted_on):
    case = accepted_on(date(2026, 9, 30))
    reg = selectors.tasks_of(case)[0]
    assert reg.days == 1 and reg.deadline == date(2026, 10, 8)
    # The case: registration 1 + food licence 10 working days on the critical path.
    assert case.deadline == workdays.add_working_days(date(2026, 9, 30), 11)


def test_a_supplement_pauses_the_clock(accepted_on, mark, alice, monkeypatch):
    case = accepted_on(date(2026, 9, 28))
    reg = selectors.tasks_of(case)[0]
    assert reg.deadline == date(2026, 9, 29)
    services.task_decide(
        task_id=reg.pk, actor=mark, decision="supplement", opinion="请补充经营范围说明"
    )
    reg.refresh_from_db()
    assert reg.status == TaskStatus.SUPPLEMENT and reg.paused_on == date(2026, 9, 28)
    monkeypatch.setattr(services.base, "_today", lambda: date(2026, 10, 9))
    services.case_supplement(number=case.number, actor=alice, note="已补充")
    reg.refresh_from_db()
    # Paused 29, 30 Sept, 8, 9 Oct: four working days added to the deadline.
    assert reg.status == TaskStatus.ACTIVE and reg.paused_days == 4
    assert reg.deadline == workdays.add_working_days(date(2026, 9, 29), 4) == date(2026, 10, 10)


def test_yellow_then_red_warnings_go_to_the_department(accepted_on, mark):
    case = accepted_on(date(2026, 9, 28))
    reg, food = selectors.tasks_of(case)
    services.task_decide(task_id=reg.pk, actor=mark, decision="approve", result={})
    food.refresh_from_db()  # 10 working days from 28 Sept, the make-up Saturday 10 Oct included
    assert food.deadline == date(2026, 10, 16)
    assert services.deadline_warnings(today=date(2026, 10, 12)) == 0  # 6 of 10 days
    assert services.deadline_warnings(today=date(2026, 10, 14)) == 1  # 8 of 10: yellow
    food.refresh_from_db()
    assert food.warning == "yellow"
    assert services.deadline_warnings(today=date(2026, 10, 14)) == 0
    assert services.deadline_warnings(today=date(2026, 10, 16)) == 0  # due today
    assert services.deadline_warnings(today=date(2026, 10, 19)) == 1
    food.refresh_from_db()
    assert food.warning == "red"
    assert Message.objects.filter(user=mark, title__startswith="红灯超期").exists()


def test_the_worker_raises_warnings_not_page_views(accepted_on, mark, client, monkeypatch):
    case = accepted_on(date(2020, 1, 6))
    monkeypatch.undo()  # back to the real today, long after the deadline
    reg = selectors.tasks_of(case)[0]
    assert reg.warning == ""
    client.force_login(mark)
    client.get(f"/cases/{case.number}/")
    reg.refresh_from_db()
    assert reg.warning == ""
    jobs.enqueue(
        "cases.deadline_warnings", dedup_key="test:warnings"
    )  # what the worker's period does
    jobs.run_pending()
    reg.refresh_from_db()
    assert reg.warning == "red"


def test_breached_commitment_flags_the_approval_and_blocks_later_tolerance(
    accepted_on, alice, carol, mark, submit, monkeypatch
):
    case = accepted_on(date(2026, 9, 28))
    assert services.commitments_remind(today=date(2026, 10, 28)) == 1
    assert services.commitments_remind(today=date(2026, 10, 29)) == 0
    assert services.commitments_breach(today=date(2026, 10, 30)) == 0  # due today: not yet
    assert services.commitments_breach(today=date(2026, 10, 31)) == 1
    commitment = Commitment.objects.get(case=case)
    assert commitment.status == CommitmentStatus.BREACHED
    case.refresh_from_db()
    assert case.flagged and set(
        Task.objects.filter(case=case, flagged=True).values_list("item", flat=True)
    ) == {
        "mini-registration",
        "mini-food-license",
    }
    assert CreditRecord.objects.get().subject == alice.id_number
    later = submit(alice, due=date(2026, 11, 30).isoformat())
    with pytest.raises(Unprocessable) as err:
        services.case_accept(number=later.number, actor=carol, decision="accept_with_tolerance")
    assert "失信" in err.value.message


def test_both_jobs_are_registered_as_periodic():
    jobs.discover()
    assert jobs.PERIODIC["cases.deadline_warnings"] == 300 and "cases.commitments" in jobs.PERIODIC


def test_the_worker_breaches_overdue_commitments(alice, carol, submit):
    case = submit(alice)
    services.case_accept(number=case.number, actor=carol, decision="accept_with_tolerance")
    Commitment.objects.filter(case=case).update(due_date=date(2020, 1, 1))
    jobs.enqueue("cases.commitments", dedup_key="test:commitments")
    jobs.run_pending()
    assert Commitment.objects.get(case=case).status == CommitmentStatus.BREACHED
