"""Issue 16, findings 3 and 4: who may read and write through the rule tools, and where.

3  The policy rule tester showed any person's name, marital, employment and veteran status to
   a department admin who typed an ID number, and wrote no trace. Now it answers for a typed
   sample record, or for a real holder inside the editor's region only; each real lookup is an
   audit row ``read.policy.rule_test`` and a line in the holder's usage log.
4  A city supervisor could rewrite the whole province's warning rules. Rules now carry a
   region; supervisors edit the rules of their region and below; province-wide rules belong
   to a provincial supervisor; a rule raises warnings only inside its region.
"""

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from onething.common.models import AuditRecord
from onething.common.validators import make_id_number
from onething.registry import services as registry
from onething.registry.models import UsageRecord
from onething.supervision import services
from onething.supervision.models import Warning, WarningRule
from onething.testing import _persona

pytestmark = pytest.mark.django_db

STATUS_RULE = {"and": [{"==": [{"var": "marital_status"}, "married"]}, {"var": "is_veteran"}]}


# ---- 3: the rule tester -----------------------------------------------------------------------


@pytest.fixture
def people(mini_catalog):
    near = registry.person_create(
        id_number=make_id_number("420102", date(1960, 3, 1), 31),
        name="江岸甲",
        household_region_id="420102",
        marital_status="married",
        is_veteran=True,
    )
    far = registry.person_create(
        id_number=make_id_number("420502", date(1958, 7, 9), 33),
        name="宜昌乙",
        household_region_id="420502",
        marital_status="married",
        is_veteran=True,
    )
    return near, far


@pytest.fixture
def dana(mini_catalog):
    """Dana administers the 江岸区 market bureau: a policy editor of 江岸区."""
    return _persona("dana", "dept_admin", kind="market", display_name="达娜")


def try_rule(client, user, **data):
    client.force_login(user)
    return client.post("/policies/rules/test", {"rule": json.dumps(STATUS_RULE), **data})


def test_a_holder_outside_the_editors_region_is_not_shown(client, dana, people):
    _, far = people
    page = try_rule(client, dana, number=far.id_number).content.decode()
    assert "宜昌乙" not in page and "已婚" not in page and "符合" not in page
    assert "只能试算江岸区辖区内的主体" in page
    denied = AuditRecord.objects.get(action="read.policy.rule_test")
    assert denied.result == "denied" and denied.object_id == str(far.pk)
    assert denied.actor_id == dana.pk
    assert not UsageRecord.objects.filter(person=far).exists()


def test_a_holder_in_the_region_is_shown_and_the_read_is_audited(client, dana, people):
    near, _ = people
    page = try_rule(client, dana, number=near.id_number).content.decode()
    assert "江岸甲" in page and "符合" in page and "已记入审计日志" in page
    read = AuditRecord.objects.get(action="read.policy.rule_test")
    assert (read.category, read.result, read.object_id) == ("read", "success", str(near.pk))
    assert read.detail == {"fields": ["name", "is_veteran", "marital_status"]}
    usage = UsageRecord.objects.get(person=near)
    assert usage.purpose == "政策规则试算" and usage.actor == dana
    assert sorted(usage.fields) == ["is_veteran", "marital_status"]


def test_a_synthetic_sample_reads_nobody(client, dana, people):
    sample = json.dumps({"marital_status": "married", "is_veteran": True})
    page = try_rule(client, dana, sample=sample, subject="person").content.decode()
    assert "样例数据" in page and "符合" in page and "已记入审计日志" not in page
    assert not AuditRecord.objects.filter(action__startswith="read.policy").exists()
    assert not UsageRecord.objects.exists()
    bad = try_rule(client, dana, sample=json.dumps({"salary": 1}), subject="person")
    assert "样例数据含未知字段：salary" in bad.content.decode()


def test_an_editor_without_a_region_can_only_use_samples(client, people, mini_catalog):
    nowhere = _persona("nora", "dept_admin", kind="market")
    nowhere.region = None
    nowhere.save()
    page = try_rule(client, nowhere, number=people[0].id_number).content.decode()
    assert "江岸甲" not in page and "只能用样例数据试算" in page


def test_a_provincial_editor_reaches_the_province(client, people, mini_catalog):
    dora = _persona("dora", "catalog_admin", region="420000", kind="data_bureau")
    page = try_rule(client, dora, number=people[1].id_number).content.decode()
    assert "宜昌乙" in page and AuditRecord.objects.filter(action="read.policy.rule_test").exists()


# ---- 4: warning rules by region ---------------------------------------------------------------


RULE = {
    "name": "超期",
    "target": "task",
    "level": "red",
    "condition": {">": [{"var": "task.overdue_days"}, {"var": "rule.threshold"}]},
}


def put(client, user, code, body):
    client.force_login(user)
    return client.put(
        f"/api/supervision/rules/{code}", json.dumps(body), content_type="application/json"
    )


def test_a_city_supervisor_cannot_touch_province_rules(client, sam):
    before = WarningRule.objects.get(code="task-red")
    response = put(client, sam, "task-red", {**RULE, "threshold": 99})
    assert response.status_code == 403 and response.json()["fields"] == {
        "region": "超出您的管辖范围"
    }
    assert WarningRule.objects.get(code="task-red").threshold == before.threshold
    # Nor make a new rule for the province or for another city, nor move one of theirs there.
    assert put(client, sam, "mine", {**RULE, "region": ""}).status_code == 403
    assert put(client, sam, "mine", {**RULE, "region": "420500"}).status_code == 403
    assert not WarningRule.objects.filter(code="mine").exists()


def test_a_city_supervisor_edits_rules_of_their_city_and_below(client, sam):
    made = put(client, sam, "wuhan-slow", RULE)
    assert made.status_code == 200 and made.json()["region"] == "420100"
    county = put(client, sam, "jiangan-slow", {**RULE, "region": "420102"})
    assert county.status_code == 200 and county.json()["region_name"] == "江岸区"
    assert put(client, sam, "wuhan-slow", {**RULE, "threshold": 3}).status_code == 200
    assert put(client, sam, "wuhan-slow", {**RULE, "region": "420500"}).status_code == 403
    listed = {r["code"]: r for r in client.get("/api/supervision/rules").json()}
    assert listed["wuhan-slow"]["editable"] and not listed["task-red"]["editable"]
    assert listed["task-red"]["region"] is None and listed["task-red"]["region_name"] == "全省"


def test_a_county_supervisor_cannot_edit_the_citys_rule(client, sam, mini_catalog):
    put(client, sam, "wuhan-slow", RULE)
    county = _persona("cole", "supervisor", region="420102")
    assert put(client, county, "wuhan-slow", {**RULE, "threshold": 1}).status_code == 403


def test_province_rules_belong_to_a_provincial_supervisor(client, province_supervisor):
    response = put(client, province_supervisor, "task-red", {**RULE, "threshold": 2})
    assert response.status_code == 200 and response.json()["region"] is None
    assert (
        put(client, province_supervisor, "yichang", {**RULE, "region": "420500"}).status_code == 200
    )


def test_a_rule_warns_only_inside_its_region(sam, mini_catalog):
    from onething.supervision.tests import factory

    WarningRule.objects.update(enabled=False)  # only the rule under test
    services.rule_save(actor=sam, code="wuhan-overdue", **{**RULE, "threshold": 0})
    person = _persona("pam", "applicant_person")
    long_ago = timezone.localdate() - timedelta(days=60)
    wuhan = factory.make_case(submitted_by=person, accepted=long_ago, status="processing")
    yichang = factory.make_case(
        submitted_by=person, accepted=long_ago, status="processing", process="420502"
    )
    services.warnings_evaluate()
    warned = set(
        Warning.objects.filter(rule__code="wuhan-overdue").values_list("target_id", flat=True)
    )
    assert warned and warned <= {str(t.pk) for t in wuhan.tasks.all()}
    assert not warned & {str(t.pk) for t in yichang.tasks.all()}
