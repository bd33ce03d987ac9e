"""A running task's deadline warning is derived when read: right even if the worker never ran."""

import logging
from datetime import date, timedelta

import pytest

from onething.cases import selectors, services
from onething.common import workdays

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted_on(alice, carol, submit, monkeypatch):
    def go(day: date):
        monkeypatch.setattr(services.base, "_today", lambda: day)
        case = submit(alice, due=(day + timedelta(days=32)).isoformat())
        case = services.case_accept(
            number=case.number, actor=carol, decision="accept_with_tolerance"
        )
        monkeypatch.undo()
        return case

    return go


def test_on_frozen_dates_the_warning_follows_the_days_used(accepted_on, mark):
    case = accepted_on(date(2026, 9, 28))
    reg, food = selectors.tasks_of(case)
    assert reg.warning_on(date(2026, 9, 28)) == ""
    assert reg.warning_on(date(2026, 9, 30)) == "red"  # its one working day was the 29th
    # As if it had started on 28 September: 10 working days, the make-up Saturday 10 October in.
    food.status, food.started_on = "active", date(2026, 9, 28)
    food.deadline = workdays.add_working_days(food.started_on, food.days)
    assert (food.days, food.deadline) == (10, date(2026, 10, 16))
    assert food.warning_on(date(2026, 10, 12)) == ""  # 6 of 10 days
    assert food.warning_on(date(2026, 10, 14)) == "yellow"  # 8 of 10
    assert food.warning_on(date(2026, 10, 16)) == "yellow"  # due today
    assert food.warning_on(date(2026, 10, 19)) == "red"
    assert food.warning == ""  # nothing was written


def test_pages_and_the_api_show_red_before_the_worker_records_it(accepted_on, mark, client):
    case = accepted_on(date(2020, 1, 6))  # long before today: overdue, and no worker has run
    reg = selectors.tasks_of(case)[0]
    assert reg.warning == "" and reg.current_warning == "red"
    client.force_login(mark)
    assert "红灯超期" in client.get("/cases/").content.decode()
    assert "红灯超期" in client.get(f"/cases/{case.number}/").content.decode()
    rows = {row["id"]: row for row in client.get("/api/tasks").json()}
    assert rows[reg.pk]["warning"] == "red"
    detail = client.get(f"/api/cases/{case.number}").json()
    assert {t["id"]: t["warning"] for t in detail["tasks"]}[reg.pk] == "red"


def test_a_finished_task_keeps_the_warning_it_ended_with(accepted_on, mark):
    case = accepted_on(date(2020, 1, 6))
    reg = selectors.tasks_of(case)[0]
    services.task_decide(task_id=reg.pk, actor=mark, decision="approve", result={})
    reg.refresh_from_db()
    assert reg.status != "active" and reg.current_warning == reg.warning


def test_a_year_without_a_holiday_calendar_is_logged_once(caplog):
    # Listen on the logger itself: a test that ran a command before this one in the same
    # process may have configured logging so that nothing propagates to the root's capture.
    logger = logging.getLogger("onething.common.workdays")
    workdays._unknown_year.cache_clear()
    logger.addHandler(caplog.handler)
    propagate, logger.propagate = logger.propagate, False  # heard once, by the handler above
    try:
        with caplog.at_level(logging.WARNING, logger=logger.name):
            workdays.add_working_days(date(2043, 1, 1), 200)
            workdays.working_days_between(date(2043, 1, 1), date(2043, 12, 31))
    finally:
        logger.removeHandler(caplog.handler)
        logger.propagate = propagate
    lines = [r for r in caplog.records if "no holiday calendar" in r.getMessage()]
    assert len(lines) == 1 and "2043" in lines[0].getMessage()
