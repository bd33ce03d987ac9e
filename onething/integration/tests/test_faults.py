"""Faults against the reference department system over HTTP: down, duplicate, reordered,
forged, replayed and misaddressed callbacks, silence, reconciliation."""

import time

import pytest
from django.test import Client

from onething.cases import selectors as cases
from onething.cases.constants import CaseStatus, TaskStatus
from onething.common import jobs
from onething.common.models import AuditRecord, Job
from onething.integration import services, signing
from onething.integration.constants import DeliveryStatus
from onething.integration.models import Delivery, Inbound, Link, System
from onething.supervision import services as supervision
from onething.supervision.models import Warning
from onething.testing import _persona

from .conftest import SECRET, until
from .test_end_to_end import started_external

pytestmark = pytest.mark.django_db(transaction=True)


def done(case):
    case.refresh_from_db()
    return case.status == CaseStatus.COMPLETED


def verbs(case):
    return [e["verb"] for e in cases.timeline(case)]


def test_system_down_for_several_retries_loses_nothing_and_the_case_completes_after(
    alice, carol, mark, submit, system, sim
):
    sim.control(down=True)
    case, food = started_external(alice, carol, mark, submit)
    delivery = Delivery.objects.get(link__task=food)
    until(lambda: Delivery.objects.get(pk=delivery.pk).attempts >= 4)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING and "503" in delivery.last_error
    system.refresh_from_db()
    assert system.unreachable_since is not None
    # The task waiting on the unreachable system is flagged (supervision warning).
    supervision.default_rules_ensure()
    supervision.warnings_evaluate()
    assert Warning.objects.filter(
        rule__code="task-system-unreachable", target_id=str(food.pk)
    ).exists()

    sim.control(down=False)
    until(lambda: done(case))
    assert sim.state()["stats"]["dispatches"] == 1  # one dispatch stored, however many attempts
    assert Inbound.objects.filter(link__task=food, status="applied").count() == 2
    system.refresh_from_db()
    assert system.unreachable_since is None


def test_dead_letter_after_the_limit_then_the_operator_replays(
    alice, carol, mark, submit, system, sim, settings
):
    settings.ONETHING_INTEGRATION = {**settings.ONETHING_INTEGRATION, "MAX_ATTEMPTS": 3}
    sim.control(down=True)
    case, food = started_external(alice, carol, mark, submit)
    delivery = Delivery.objects.get(link__task=food)
    until(lambda: Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.DEAD)
    assert "task.dispatch_dead" in verbs(case)
    time.sleep(0.5)
    services.deliver_due()
    assert Delivery.objects.get(pk=delivery.pk).attempts == 3  # dead letters are not retried

    sim.control(down=False)
    admin = _persona("sysop", "sysadmin", region="420000", kind="data_bureau")
    services.delivery_replay(delivery_id=delivery.pk, actor=admin)
    until(lambda: done(case))
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.DELIVERED


def test_the_operator_page_inspects_cancels_and_replays_a_dead_letter(
    alice, carol, mark, submit, system, sim, settings
):
    settings.ONETHING_INTEGRATION = {**settings.ONETHING_INTEGRATION, "MAX_ATTEMPTS": 3}
    sim.control(down=True)
    case, food = started_external(alice, carol, mark, submit)
    delivery = Delivery.objects.get(link__task=food)
    until(lambda: Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.DEAD)
    operator = Client()
    operator.force_login(_persona("sysop", "sysadmin", region="420000", kind="data_bureau"))
    listing = operator.get("/admin/integration/delivery/?status__exact=dead").content.decode()
    assert case.number in listing  # the dead letter, by its case
    page = operator.get(f"/admin/integration/delivery/{delivery.pk}/change/").content.decode()
    assert "HTTP 503" in page and "cn.gov.onething.task.dispatched" in page  # why, and what

    def act(action):
        url = "/admin/integration/delivery/"
        operator.post(url, {"action": action, "_selected_action": [str(delivery.pk)]})
        return Delivery.objects.get(pk=delivery.pk).status

    assert act("cancel") == DeliveryStatus.CANCELLED
    sim.control(down=False)
    time.sleep(0.3)
    services.deliver_due()
    assert sim.state()["stats"]["dispatches"] == 0  # a cancelled message stays where it is
    assert act("replay") == DeliveryStatus.PENDING
    until(lambda: done(case))
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.DELIVERED
    assert sim.state()["stats"]["dispatches"] == 1
    assert act("cancel") == DeliveryStatus.DELIVERED  # a delivered message cannot be cancelled


def test_duplicate_and_reordered_callbacks_are_applied_once_and_in_order(
    alice, carol, mark, submit, system, sim
):
    sim.control(duplicate=True, reorder=True)
    case, food = started_external(alice, carol, mark, submit)
    until(lambda: done(case))
    until(lambda: sim.state()["stats"]["callbacks_sent"] == 4, work=False)
    rows = list(Inbound.objects.filter(link__task=food).order_by("applied_at"))
    assert [(r.seq, r.outcome, r.status) for r in rows] == [
        (1, "received", "applied"),
        (2, "approved", "applied"),
    ]
    seen = [e["verb"] for e in cases.timeline(case) if e["data"].get("item") == food.item]
    assert seen.count("task.approved") == 1 and seen.count("task.received_by_system") == 1
    assert seen.index("task.received_by_system") < seen.index("task.decided_by_system")
    assert case.documents.filter(task=food).count() == 1  # one decision, one sealed document


def _post(system_code, event, *, secret=SECRET, ts=None, msg_id=None):
    body = signing.encode(event)
    hdrs = signing.headers(secret, msg_id or event["id"], body, timestamp=ts)
    extra = {
        f"HTTP_{k.upper().replace('-', '_')}": v for k, v in hdrs.items() if k != "content-type"
    }
    return Client().post(
        f"/api/integration/{system_code}/events",
        body,
        content_type="application/cloudevents+json",
        **extra,
    )


def _event(link, outcome="received", seq=1, **data):
    return signing.cloudevent(
        type_=f"cn.gov.onething.task.{outcome}",
        source="http://sim",
        subject=str(link.ref),
        data={"seq": seq, **data},
    )


def refusals():
    return AuditRecord.objects.filter(action="integration.callback_refused")


def test_forged_and_replayed_callbacks_are_refused_and_audited(
    alice, carol, mark, submit, system, sim
):
    sim.control(mute=True)
    case, food = started_external(alice, carol, mark, submit)
    link = Link.objects.get(task=food)
    forged = _post("sim-market", _event(link), secret=signing.new_secret())
    assert forged.status_code == 401 and forged.json()["code"] == "bad_signature"
    assert "签名验证失败" in forged.json()["message"]
    stale = _post("sim-market", _event(link), ts=int(time.time()) - 3600)
    assert stale.status_code == 401 and "webhook-timestamp" in stale.json()["fields"]
    assert refusals().count() == 2
    assert not Inbound.objects.exists()

    # The same signed event sent again within the window is applied once.
    event = _event(link)
    first, again = _post("sim-market", event), _post("sim-market", event)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json()["duplicate"] is True and first.json()["status"] == "applied"
    assert verbs(case).count("task.received_by_system") == 1
    # Once: one row for the task's link, naming the one inbound row it wrote.
    (received,) = AuditRecord.objects.filter(action="integration.callback_received")
    assert (received.object_type, received.category) == ("integration.link", "write")
    inbound = Inbound.objects.get()
    assert received.detail["objects"] == {"integration.inbound": [str(inbound.pk)]}


def test_a_callback_for_another_systems_task_is_refused(alice, carol, mark, submit, system, sim):
    sim.control(mute=True)
    other_secret = signing.new_secret()
    System.objects.create(
        code="sim-fire",
        name="消防业务系统",
        department_kind_id="fire",
        base_url="http://127.0.0.1:9",
        items=["mini-fire-check"],
        secret=other_secret,
        signing_key=signing.new_secret(),
    )
    case, food = started_external(alice, carol, mark, submit)
    link = Link.objects.get(task=food)
    answer = _post("sim-fire", _event(link, "approved", opinion="同意"), secret=other_secret)
    assert answer.status_code == 403 and "subject" in answer.json()["fields"]
    assert refusals().filter(detail__system="sim-fire").exists()
    food.refresh_from_db()
    assert food.status == TaskStatus.ACTIVE


def test_callbacks_are_validated_against_the_schema_with_chinese_errors(
    alice, carol, mark, submit, system, sim
):
    sim.control(mute=True)
    case, food = started_external(alice, carol, mark, submit)
    link = Link.objects.get(task=food)
    event = _event(link, "refused")  # no opinion: required for a refusal
    answer = _post("sim-market", event)
    assert answer.status_code == 422 and answer.json()["fields"]["data.opinion"] == "缺少必填项"
    event = {**_event(link), "type": "cn.gov.onething.task.exploded"}
    assert _post("sim-market", event).json()["fields"]["type"] == "取值不在允许范围内"
    body = b"not json"
    hdrs = signing.headers(SECRET, "x1", body)
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in hdrs.items()}
    bad = Client().post(
        "/api/integration/sim-market/events", body, content_type="application/json", **extra
    )
    assert bad.status_code == 422 and bad.json()["fields"] == {"body": "应为合法的 JSON"}


def test_an_approval_waits_for_the_missing_received_event(alice, carol, mark, submit, system, sim):
    sim.control(mute=True)
    case, food = started_external(alice, carol, mark, submit)
    link = Link.objects.get(task=food)
    late = _post(
        "sim-market", _event(link, "approved", seq=2, opinion="同意", result={"license_no": "JY1"})
    )
    assert late.json()["status"] == "waiting"
    food.refresh_from_db()
    assert food.status == TaskStatus.ACTIVE  # not applied ahead of seq 1
    _post("sim-market", _event(link, "received", seq=1))
    food.refresh_from_db()
    assert food.status == TaskStatus.APPROVED and done(case)


def test_a_silent_system_is_polled_and_the_case_catches_up(alice, carol, mark, submit, system, sim):
    sim.control(mute=True)  # decides, never calls back
    case, food = started_external(alice, carol, mark, submit)
    until(
        lambda: sim.state()["tasks"] and all(t["seq"] == 2 for t in sim.state()["tasks"].values())
    )
    assert not done(case)
    counts = services.poll(force=True)
    assert counts["asked"] == 1 and counts["applied"] == 2 and done(case)


def test_daily_reconciliation_catches_up_and_raises_mismatches(
    alice, carol, mark, submit, system, sim
):
    sim.control(mute=True)
    case, food = started_external(alice, carol, mark, submit)
    until(
        lambda: sim.state()["tasks"] and all(t["seq"] == 2 for t in sim.state()["tasks"].values())
    )
    # A task the system never received: its dispatch was cancelled by an operator.
    case2, food2 = started_external(alice, carol, mark, submit)
    delivery = Delivery.objects.get(link__task=food2)
    admin = _persona("sysop", "sysadmin", region="420000", kind="data_bureau")
    services.delivery_cancel(delivery_id=delivery.pk, actor=admin)
    counts = services.reconcile()
    jobs.discover()  # supervision raises the warnings in the job reconcile queued
    jobs.run(Job.objects.get(name="supervision.warnings_now", status=Job.Status.QUEUED))
    assert len(sim.state()["tasks"]) == 1 and counts["systems"] == 1 and counts["mismatches"] == 1
    assert done(case)  # the lost callbacks were caught up, not reported
    assert Link.objects.get(task=food2).mismatch == "部门系统中无此任务"
    assert Warning.objects.filter(
        rule__code="task-reconcile-mismatch", target_id=str(food2.pk)
    ).exists()
