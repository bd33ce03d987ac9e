"""`onething demo load` as an operator runs it: the whole demo through the command, loaded once
for the module, with smaller registries and history than the real load (the same code)."""

import io
import re
from datetime import time

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from onething.cases.models import Case
from onething.common import workdays
from onething.testing import kept_for_the_module

pytestmark = pytest.mark.django_db

# Append-only logs: they record that the second run happened, which is not a change of the demo.
LOGS = {"common_event", "common_auditrecord"}


@pytest.fixture(scope="module")
def first_load(django_db_setup, django_db_blocker):
    from onething.registry import demo as registry_demo
    from onething.supervision import demo as supervision_demo

    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, kept_for_the_module(django_db_blocker):
        patch.setattr(registry_demo, "PERSONS", 200)
        patch.setattr(registry_demo, "ENTITIES", 40)
        patch.setattr(supervision_demo, "HISTORY", 120)
        call_command("demo", "load", stdout=out)
        yield out.getvalue()


@pytest.fixture
def loaded_demo(first_load, db):
    return first_load


def _row_counts() -> dict[str, int]:
    return {
        model._meta.db_table: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.managed and model._meta.db_table not in LOGS
    }


def test_loading_the_demo_a_second_time_says_it_is_there_and_changes_nothing(loaded_demo):
    assert "演示数据加载完成。" in loaded_demo
    before = _row_counts()
    out = io.StringIO()
    call_command("demo", "load", stdout=out)
    said = out.getvalue()
    assert "演示数据已存在，未重复导入。" in said
    assert "演示数据加载完成" not in said
    assert "基础库：人口库、法人库和电子证照已存在，未重复导入" in said
    assert re.search(r"演示账号：\d+ 个，新增 0 个", said)
    assert _row_counts() == before


def test_the_demo_cases_came_in_at_many_moments_of_working_hours_on_working_days(loaded_demo):
    cases = list(Case.objects.filter(synthetic=True))
    assert len(cases) == 120
    submitted = [timezone.localtime(c.submitted_at) for c in cases]
    # Drawn to the second: hardly two alike (they were all 09:00:00).
    assert len(set(submitted)) >= len(cases) - 2
    assert len({t.time() for t in submitted}) >= 0.9 * len(cases)
    assert len({t.date() for t in submitted}) > 60
    assert all(workdays.is_workday(t.date()) for t in submitted)
    assert all(time(8, 30) <= t.time() <= time(18, 0) for t in submitted)
    assert all(t < timezone.now() for t in submitted)
    for case in cases:
        if case.accepted_at:
            assert case.submitted_at < case.accepted_at <= timezone.now()
            assert workdays.is_workday(timezone.localtime(case.accepted_at).date())
        if case.finished_at:
            assert case.accepted_at < case.finished_at < timezone.now()


def test_a_demo_cases_timeline_reads_at_the_moments_the_case_says(loaded_demo):
    from onething.common.events import events_for

    moments = {"case.submitted": "submitted_at", "case.accepted": "accepted_at"}
    moments |= {"case.completed": "finished_at", "case.refused": "finished_at"}
    for case in Case.objects.filter(synthetic=True):
        timeline = list(events_for(case))
        assert timeline, case.number
        for event in timeline:
            if event.verb in moments:
                assert event.created_at == getattr(case, moments[event.verb]), event.verb
