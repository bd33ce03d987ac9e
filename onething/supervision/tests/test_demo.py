"""The demo's historical cases are real Case rows; the dashboard's figures follow from them."""

import io

import pytest
from django.utils import timezone

from onething.cases import history
from onething.cases.models import Case
from onething.common import workdays
from onething.supervision import demo, selectors, services
from onething.supervision.models import CaseFact, WarningRule

pytestmark = pytest.mark.django_db


def test_demo_history_gives_figures_derived_from_its_cases(mini_catalog, sam):
    from onething.accounts import demo as accounts_demo

    accounts_demo.users_load(stdout=io.StringIO())
    assert history.history_load(seed=7, count=40) == 40
    assert history.history_load(seed=7, count=40) == 0  # loaded once
    services.facts_catch_up()
    services.rollups_rebuild_all()
    assert CaseFact.objects.count() == Case.objects.count() == 40
    f = selectors.filters_parse(sam, {})
    summary = selectors.panel(f, "overview")["summary"]
    wuhan = Case.objects.filter(process_region__code__startswith="4201")
    assert summary["办件量"] == wuhan.count()
    assert summary["已办结"] == wuhan.filter(status="completed").count()


def test_demo_load_creates_rules_once(mini_catalog):
    WarningRule.objects.all().delete()
    out = io.StringIO()
    demo.load(seed=1, stdout=out)
    # The eight province-wide defaults (two of them the integration's), and Wuhan's own rule
    # that the Wuhan demo supervisor edits.
    assert WarningRule.objects.filter(region=None).count() == 8
    assert list(WarningRule.objects.exclude(region=None).values_list("code", "region")) == [
        ("wuhan-task-half", "420100")
    ]
    assert "效能监测" in out.getvalue()


def test_demo_history_belongs_to_no_demo_applicant_and_runs_stages_in_order(mini_catalog):
    from onething.accounts import demo as accounts_demo
    from onething.accounts.models import User
    from onething.cases import selectors as cases

    accounts_demo.users_load(stdout=io.StringIO())
    history.history_load(seed=7, count=40)
    for name in ("demo_citizen", "demo_enterprise"):
        user = User.objects.get(username=name)
        assert not cases.cases_visible(user).filter(synthetic=True).exists()
    submitter = User.objects.get(username=history.HISTORY_APPLICANT)
    assert not submitter.is_active and not submitter.has_usable_password()
    for case in Case.objects.filter(status="processing").prefetch_related("tasks"):
        running = {t.stage for t in case.tasks.all() if t.status == "active"}
        waiting = {t.stage for t in case.tasks.all() if t.status == "waiting"}
        assert len(running) == 1 and all(stage > min(running) for stage in waiting)
    waiting_at_window = Case.objects.filter(status="submitted")  # days, not months
    today = timezone.localdate()
    assert all(
        workdays.working_days_between(timezone.localtime(c.submitted_at).date(), today) <= 3
        for c in waiting_at_window
    )
