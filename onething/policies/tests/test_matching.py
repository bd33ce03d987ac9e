import pytest
from django.utils import timezone

from onething.common import jobs
from onething.common.models import Message
from onething.policies import selectors, services
from onething.policies.models import OptOut, Policy, PolicyMatch, PolicyRun
from onething.registry.models import Entity

from .conftest import entity

pytestmark = pytest.mark.django_db


def test_the_enterprise_sees_matches_and_a_near_miss_with_the_failed_condition(
    library, enterprise_user
):
    space = selectors.my_findings(enterprise_user)["entity"]
    matched = {f.policy.code for f in space["matches"]}
    assert {"HB-E-XWSDS", "HB-E-WGFH", "HB-E-CJBZJ"} <= matched
    near = {f.policy.code: f for f in space["near"]}
    assert "高新技术企业" in near["HB-E-GXRD"].failed[0] and "不满足" in near["HB-E-GXRD"].failed[0]
    assert all(len(f.failed) == 1 for f in near.values())


def test_api_me_policies_and_detail(client, library, enterprise_user):
    client.force_login(enterprise_user)
    body = client.get("/api/me/policies").json()
    assert any(m["code"] == "HB-E-XWSDS" for m in body["matches"])
    assert any(n["code"] == "HB-E-GXRD" for n in body["near_misses"])
    detail = client.get("/api/policies/HB-P-GLJT").json()
    assert detail["mode"] == "auto" and detail["conditions"][0].startswith("年龄")
    assert client.get("/api/policies/NOPE").json()["code"] == "not_found"
    assert len(client.get("/api/policies?subject=entity").json()) >= 15


def test_columnar_run_counts_by_region_and_notifies_once(client, library, elders, elder_user, dora):
    client.force_login(dora)
    response = client.post(
        "/api/policies/HB-P-GLJT/runs", {"kind": "match"}, content_type="application/json"
    )
    assert response.status_code == 202, response.content
    run_id = response.json()["id"]
    jobs.run_pending()
    run = client.get(f"/api/policy-runs/{run_id}").json()
    assert run["status"] == "done" and run["stats"]["engine"] == "duckdb"
    policy = Policy.objects.get(code="HB-P-GLJT")
    assert (
        PolicyMatch.objects.filter(policy=policy).count() == 3
    )  # not the 79-year-old, not the dead
    regions = {r["code"]: r["count"] for r in selectors.counts_by_region(policy)}
    assert regions == {"420100": 2, "420500": 1}
    assert Message.objects.filter(user=elder_user, title__contains="高龄津贴").count() == 1
    services.refresh_matches(policy=policy)
    assert Message.objects.filter(user=elder_user).count() == 1


def test_applicants_cannot_start_runs(client, library, enterprise_user):
    client.force_login(enterprise_user)
    response = client.post("/api/policies/HB-P-GLJT/runs", {}, content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_incremental_run_reevaluates_only_changed_rows(library, firm):
    policy = Policy.objects.get(code="HB-E-GXRD")
    services.refresh_matches(policy=policy)
    other = entity(name="武汉光谷科技有限公司", industry_code="I6513")
    stats = services.refresh_matches(policy=policy)
    assert not stats["full"] and stats["evaluated"] == 1 and stats["new"] == 0
    Entity.objects.filter(pk=other.pk).update(is_high_tech=True, updated_at=timezone.now())
    stats = services.refresh_matches(policy=policy)
    assert not stats["full"] and stats["evaluated"] == 1 and stats["new"] == 1
    assert PolicyMatch.objects.filter(policy=policy, holder_key=f"e:{other.pk}").exists()


def test_opted_out_holder_gets_no_match_message(library, elders, elder_user):
    policy = Policy.objects.get(code="HB-P-GLJT")
    services.opt_out(policy=policy, actor=elder_user)
    services.refresh_matches(policy=policy)
    assert OptOut.objects.count() == 1
    assert not Message.objects.filter(user=elder_user).exists()


def test_one_click_application_carries_registry_data(library, enterprise_user):
    policy = Policy.objects.get(code="HB-E-XNJY")
    with pytest.raises(Exception, match="请确认"):
        services.policy_apply(policy=policy, actor=enterprise_user, confirmations=[])
    app = services.policy_apply(
        policy=policy, actor=enterprise_user, confirmations=policy.current.confirmations
    )
    assert app.values["employees"] == 12 and app.version == policy.current


def test_run_job_is_idempotent(library, dora):
    run = services.run_start(policy=Policy.objects.get(code="HB-E-WGFH"), kind="match", actor=dora)
    jobs.run_pending()
    assert services.run_execute(run_id=run.pk) == {"skipped": True}
    assert PolicyRun.objects.get(pk=run.pk).status == "done"


def test_policy_detail_shows_option_labels_not_stored_codes(client, library):
    conditions = client.get("/api/policies/HB-P-SYBX").json()["conditions"]
    assert conditions[0] == "就业状态 = 失业"
    assert not any("unemployed" in c for c in conditions)
    page = client.get("/policies/HB-P-SYBX/").content.decode()
    assert "就业状态 = 失业" in page
