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


def test_a_quiet_refresh_leaves_the_open_counts_alone_until_something_moves(
    make_case, wuhan_base, alice
):
    from datetime import timedelta

    from onething.supervision.models import OpenRollup

    case = make_case(submitted_by=alice, accepted=wuhan_base, status="processing")
    first = services.refresh()
    assert first["open_rows"] > 0 and OpenRollup.objects.get(grain="county").processing == 1
    later = timezone.now() + timedelta(minutes=10)  # past the re-read overlap: nothing moved
    services.refresh(now=later)
    quiet = services.refresh(now=later + timedelta(seconds=15))
    assert quiet == {"facts": 0, "rollup_rows": 0, "open_rows": 0}
    case.status = "completed"
    case.finished_at = later
    case.save()
    event = record_event(actor=None, verb="case.completed", obj=case)
    type(event).objects.filter(pk=event.pk).update(created_at=later + timedelta(seconds=20))
    moved = services.refresh(now=later + timedelta(seconds=30))
    assert moved["facts"] == 1 and not OpenRollup.objects.filter(processing__gt=0).exists()


def test_rollup_rebuild_is_idempotent(make_case, wuhan_base, alice):
    services.case_fact_refresh(case=make_case(submitted_by=alice, accepted=wuhan_base, elapsed=2))
    services.rollups_rebuild_all()
    services.rollups_rebuild_all()
    assert MonthRollup.objects.get(grain="county").cases == 1
    assert MonthRollup.objects.get(grain="city").cases == 1
