from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from onething.common import workdays
from onething.common.errors import NotFound, Unprocessable
from onething.common.models import Message
from onething.supervision import selectors, services
from onething.supervision.models import Warning, WarningRule
from onething.supervision.tests.test_access import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue_case(make_case, alice):
    """A processing case whose tasks started 20 working days ago (limits are 1 and 10 days)."""
    started = timezone.localdate()
    for _ in range(20):
        started -= timedelta(days=1)
        while not workdays.is_workday(started):
            started -= timedelta(days=1)
    return make_case(
        submitted_by=alice, accepted=started, status="processing", commitment="pending"
    )


def test_default_rules_exist_after_migration(db):
    assert set(WarningRule.objects.values_list("code", flat=True)) >= {
        "task-yellow",
        "task-red",
        "commitment-overdue",
        "ticket-unsigned",
        "ticket-emergency",
        "ticket-no-feedback",
    }


def test_evaluation_is_idempotent_and_notifies(overdue_case, mark, sam):
    first = services.warnings_evaluate()
    # Two late tasks, one red warning each (no yellow beside it), and the overdue commitment.
    assert first == {"raised": 3, "resolved": 0}
    assert services.warnings_evaluate() == {"raised": 0, "resolved": 0}
    assert Warning.objects.count() == 3
    assert Message.objects.filter(user=mark).count() == 3
    assert Message.objects.filter(user=sam).count() == 3
    assert selectors.open_warnings_for_department(mark.department).count() == 3
    red = selectors.open_warnings_for_department(mark.department).first()
    assert red.level == "red"


def test_acknowledge_resolve_and_auto_resolve(overdue_case, mark, sam, yichang_supervisor):
    services.warnings_evaluate()
    task_warning = Warning.objects.filter(target="task").first()
    with pytest.raises(NotFound):
        services.warning_acknowledge(warning_id=task_warning.pk, actor=yichang_supervisor)
    services.warning_acknowledge(warning_id=task_warning.pk, actor=mark)
    with pytest.raises(Unprocessable):
        services.warning_resolve(warning_id=task_warning.pk, actor=sam)
    services.warning_resolve(warning_id=task_warning.pk, actor=sam, note="已督办")
    overdue_case.tasks.update(status="approved")
    result = services.warnings_evaluate()
    assert result == {"raised": 0, "resolved": 1}  # the other task's; the commitment's stays
    assert Warning.objects.exclude(status="resolved").get().target == "commitment"


def test_a_red_warning_resolves_the_yellow_ones_of_the_same_task(overdue_case, mark):
    red = WarningRule.objects.get(code="task-red")
    red.enabled = False
    red.save()
    services.warnings_evaluate()  # 80 % of the time gone: yellow only
    yellow = Warning.objects.filter(target="task", level="yellow")
    assert yellow.count() == 2 and not yellow.filter(status="resolved").exists()
    red.enabled = True
    red.save()
    assert services.warnings_evaluate()["raised"] == 2
    open_ = Warning.objects.filter(target="task").exclude(status="resolved")
    assert {w.level for w in open_} == {"red"} and open_.count() == 2
    note = yellow.first().note
    assert note.startswith("已升级为红色预警") and note.endswith("自动解除")
    assert services.warnings_evaluate()["raised"] == 0  # the yellow ones are not raised again


def test_warnings_api_and_page(overdue_case, mark, alice):
    services.warnings_evaluate()
    c = client_for(mark)
    rows = c.get("/api/supervision/warnings").json()
    assert len(rows) == 3
    r = c.post(
        f"/api/supervision/warnings/{rows[0]['id']}/resolve",
        {"note": ""},
        content_type="application/json",
    )
    assert r.status_code == 422 and "处理说明" in r.json()["message"]
    page = c.get("/supervision/warnings/")
    assert page.status_code == 200 and "解除" in page.content.decode()
    c.post(f"/supervision/warnings/{rows[0]['id']}/acknowledge", {"next": "https://evil.example/"})
    assert Warning.objects.get(pk=rows[0]["id"]).status == "acknowledged"
    refused = client_for(alice).get("/api/supervision/warnings")
    assert refused.status_code == 403 and "仅监督人员和部门人员" in refused.json()["message"]
    assert Client().get("/api/supervision/warnings").status_code == 401


def test_rules_validate_attribute_names(sam):
    with pytest.raises(Unprocessable) as err:
        services.rule_save(
            actor=sam,
            code="x",
            name="x",
            target="task",
            level="red",
            condition={">": [{"var": "task.elapsed_shar"}, 1]},
        )
    assert "未知属性：task.elapsed_shar" in err.value.message
    r = client_for(sam).put(
        "/api/supervision/rules/task-slow",
        {
            "name": "慢",
            "target": "task",
            "level": "yellow",
            "condition": {">=": [{"var": "task.elapsed_days"}, {"var": "rule.threshold"}]},
            "threshold": 3,
        },
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["threshold"] == 3


def test_the_rules_page_shows_conditions_as_json_not_python(client, sam):
    services.default_rules_ensure()
    client.force_login(sam)
    html = client.get("/supervision/rules/").content.decode()
    assert "{&quot;and&quot;: [{&quot;==&quot;: [{&quot;var&quot;: &quot;task.status&quot;}" in html
    assert "{&#x27;" not in html
