"""Case facts: one row per case, refreshed from the cases' events since the last run."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from onething.cases import selectors as cases
from onething.common.models import Event

from .. import facts
from ..models import (
    CaseFact,
    RollupState,
)

# Re-reading a little of the past on each catch-up covers transactions that committed late.
OVERLAP = timedelta(minutes=5)


@transaction.atomic
def case_fact_refresh(*, case) -> CaseFact:
    """Upsert the case's fact row; the cases app calls this on commit of every change."""
    case = cases.case_for_facts(case.pk)
    fact, _ = CaseFact.objects.update_or_create(case_id=case.pk, defaults=facts.fact_values(case))
    return fact


def _watermark(name: str) -> datetime | None:
    row = RollupState.objects.filter(name=name).first()
    return row.value if row else None


def _set_watermark(name: str, value: datetime) -> None:
    RollupState.objects.update_or_create(name=name, defaults={"value": value})


def facts_catch_up(*, now: datetime | None = None) -> int:
    """Refresh facts of cases with events since the last run, and of cases without a fact."""
    now = now or timezone.now()
    since = _watermark("facts")
    changed = Event.objects.filter(object_type="cases.case")
    if since is not None:
        changed = changed.filter(created_at__gte=since - OVERLAP)
    ids = {int(i) for i in changed.values_list("object_id", flat=True).distinct()}
    ids |= set(cases.case_pks_without(CaseFact.objects.values("case_id")))
    for case in cases.cases_by_pk(ids):
        case_fact_refresh(case=case)
    _set_watermark("facts", now)
    return len(ids)


def last_fact_update() -> datetime | None:
    return CaseFact.objects.aggregate(m=Max("updated_at"))["m"]
