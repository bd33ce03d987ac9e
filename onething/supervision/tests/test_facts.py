import pytest
from django.utils import timezone

from onething.common.events import record_event
from onething.supervision import services
from onething.supervision.models import CaseFact, MonthRollup

pytestmark = pytest.mark.django_db


def test_fact_follows_the_case(make_case, wuhan_base, alice):
    case = make_case(submitted_by=alice, accepted=wuhan_base, status="processing")
    fact = services.case_fact_refresh(case=case)
    assert (fact.status, fact.completed, fact.elapsed_days) == ("processing", False, None)
    assert (fact.province, fact.city, fact.county) == ("420000", "420100", "420102")
    case.status, case.finished_at = "completed", timezone.now()
    case.save()
    fact = services.case_fact_refresh(case=case)
    assert fact.completed and fact.elapsed_days is not None
    assert CaseFact.objects.count() == 1


def test_catch_up_refreshes_cases_with_new_events_only(make_case, wuhan_base, alice):
    case = make_case(submitted_by=alice, accepted=wuhan_base, status="processing")
    assert services.facts_catch_up() == 1  # no fact yet
    case.status = "completed"
    case.finished_at = timezone.now()
    case.save()
    record_event(actor=None, verb="case.completed", obj=case)
    result = services.refresh()
    assert result["facts"] == 1
    assert CaseFact.objects.get(case_id=case.pk).completed
    assert MonthRollup.objects.get(grain="county").completed == 1


def test_rollup_rebuild_is_idempotent(make_case, wuhan_base, alice):
    services.case_fact_refresh(case=make_case(submitted_by=alice, accepted=wuhan_base, elapsed=2))
    services.rollups_rebuild_all()
    services.rollups_rebuild_all()
    assert MonthRollup.objects.get(grain="county").cases == 1
    assert MonthRollup.objects.get(grain="city").cases == 1
