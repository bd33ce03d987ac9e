import csv
import io
from datetime import date

import pytest
from django.db import IntegrityError, transaction

from onething.common import jobs
from onething.common.errors import Conflict, Forbidden
from onething.common.models import AuditRecord, Message
from onething.policies import exchange, services
from onething.policies.models import Grant, GrantBatch, OptOut, Policy

from .conftest import person, years_ago

pytestmark = pytest.mark.django_db


def _batch(actor, policy_code="HB-P-GLJT", period="") -> GrantBatch:
    run = services.run_start(
        policy=Policy.objects.get(code=policy_code), kind="grant", actor=actor, period=period
    )
    jobs.run_pending()
    run.refresh_from_db()
    assert run.status == "done", run.error
    return GrantBatch.objects.get(run=run)


def test_a_monthly_elderly_allowance_batch_with_tiers_and_exclusions(library, elders, dora):
    person(name="孙未知", born=years_ago(83), region="")  # no household region: not Hubei by data
    batch = _batch(dora)
    amounts = {g.holder_name: g.amount for g in batch.grants.all()}
    assert amounts == {"王八五": 50, "李九二": 100, "张百一": 300}
    assert batch.total_amount == 450 and batch.period == date.today().strftime("%Y-%m")
    grant = batch.grants.get(holder_name="李九二")
    assert grant.values["age"] == 92 and grant.version == batch.version
    assert batch.data_version["rule_version"] == 1


def test_approval_notifies_exports_and_never_pays_a_period_twice(
    library, elders, elder_user, dora, sam
):
    batch = _batch(dora)
    with pytest.raises(Forbidden):
        services.batch_approve(batch=batch, actor=sam)  # supervisors look, they do not approve
    with pytest.raises(Conflict):
        services.run_start(policy=batch.policy, kind="grant", actor=dora)  # pending batch first
    services.batch_approve(batch=batch, actor=dora)
    assert Message.objects.filter(user=elder_user, title__contains="50").exists()
    rows = list(csv.reader(io.StringIO(exchange.disbursement_csv(batch).lstrip("\ufeff"))))
    assert rows[0][0].startswith("说明：") and "已脱敏" in rows[0][0]  # masked by default
    assert rows[1][0] == "序号" and len(rows) == 5 and "*" in rows[2][3]
    full = list(csv.reader(io.StringIO(exchange.disbursement_csv(batch, full=True))))
    assert "完整值" in full[0][0] and "*" not in full[2][3] and len(full[2][3]) == 18
    assert exchange.disbursement_xlsx(batch)[:2] == b"PK"
    again = _batch(dora)
    assert again.beneficiaries == 0
    assert {e.reason for e in again.exclusions.all()} == {"already_granted"}
    grant = batch.grants.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Grant.objects.create(
            batch=again,
            policy=grant.policy,
            version=grant.version,
            period=grant.period,
            amount=1,
            holder_key=grant.holder_key,
            holder_name="x",
        )


def test_rejected_batch_frees_the_period_and_decline_excludes_next_time(
    library, elders, elder_user, dora
):
    batch = _batch(dora)
    services.batch_reject(batch=batch, actor=dora, note="数据待核")
    assert set(batch.grants.values_list("status", flat=True)) == {"rejected"}
    second = _batch(dora)
    services.batch_approve(batch=second, actor=dora)
    mine = second.grants.get(holder_name="王八五")
    services.grant_decline(grant=mine, actor=elder_user)
    assert OptOut.objects.filter(kind="benefit").count() == 1
    third = _batch(dora, period="2099-01")
    reasons = {e.holder_name: e.reason for e in third.exclusions.all()}
    assert (
        reasons["王八五"] == "opted_out" and reasons["钱已故"] == "deceased"
        if "钱已故" in reasons
        else True
    )


def test_scheduled_grants_start_each_period_once(library, elders):
    assert services.scheduled_grants() == Policy.objects.filter(mode="auto").count() == 4
    jobs.run_pending()
    assert services.scheduled_grants() == 0


def test_batch_pages_review_and_csv_download(client, library, elders, dora):
    batch = _batch(dora)
    client.force_login(dora)
    page = client.get(f"/policies/batches/{batch.pk}/").content.decode()
    assert "批准发放" in page and "武汉市" in page
    client.post(f"/policies/batches/{batch.pk}/review", {"decision": "approve"})
    response = client.get(f"/policies/batches/{batch.pk}/disbursement.csv")
    assert response.status_code == 200 and "张百一" in response.content.decode()
    read = AuditRecord.objects.get(action="read.policy.disbursement")
    assert read.actor_id == dora.pk and read.detail == {
        "fields": ["holder_name", "id_number"],
        "rows": 3,
    }


def test_supervisors_get_the_disbursement_list_masked(client, library, elders, dora, sam):
    batch = _batch(dora)
    services.batch_approve(batch=batch, actor=dora)
    client.force_login(sam)
    body = client.get(f"/policies/batches/{batch.pk}/disbursement.csv").content.decode()
    assert "已脱敏" in body and "王八五" not in body and "王**" in body
    assert "张**" not in body  # 张百一 lives in 宜昌市: a Wuhan supervisor lists Wuhan's people
    assert not AuditRecord.objects.filter(action="read.policy.disbursement").exists()
