"""GET /healthz (anonymous, counts only) and the system administrator's status page."""

import json
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from onething.common import health, jobs
from onething.common.models import Job, WorkerBeat
from onething.testing import _persona


@pytest.fixture
def sysadmin(regions):
    return _persona("sid", "sysadmin", region="420000", display_name="施系统")


def _job(name, *, status=Job.Status.QUEUED, age=0, error=""):
    return Job.objects.create(
        name=name,
        dedup_key=f"{name}:{Job.objects.count()}",
        status=status,
        run_after=timezone.now() - timedelta(seconds=age),
        last_error=error,
    )


def test_healthz_reports_database_worker_and_queue_to_anyone(client, db):
    _job("registry.seal_pending", age=120)
    _job("registry.seal_pending", age=5)
    _job("cases.deadline_warnings", status=Job.Status.RUNNING)
    _job("policies.run", status=Job.Status.FAILED, error="ValueError: 身份证 420102199001011234")
    _job("audit.archive", age=-3600)  # due in an hour
    jobs.Heartbeat("host-a:1").beat(force=True)

    response = client.get("/healthz")
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    body = response.json()
    assert body["status"] == "ok" and body["database"]["ok"] is True
    assert body["worker"]["ok"] is True and body["worker"]["running"] == 1
    assert 0 <= body["worker"]["last_beat_age_seconds"] < 60
    queue = body["queue"]
    assert (queue["pending"], queue["scheduled"], queue["running"], queue["failed"]) == (2, 1, 1, 1)
    assert 119 <= queue["oldest_pending_age_seconds"] < 180
    text = json.dumps(body, ensure_ascii=False)  # nothing about jobs or hosts beyond counts
    for secret in ("policies.run", "ValueError", "4201021990", "host-a"):
        assert secret not in text


def test_a_worker_silent_for_a_minute_or_stopped_makes_health_degraded(client, db):
    beat = jobs.Heartbeat("host-b:2")
    beat.beat(force=True)
    WorkerBeat.objects.update(beat_at=timezone.now() - timedelta(seconds=61))
    body = client.get("/healthz").json()
    assert body["status"] == "degraded" and body["worker"]["ok"] is False
    assert body["worker"]["last_beat_age_seconds"] >= 61
    beat.beat(force=True)
    assert client.get("/healthz").json()["status"] == "ok"
    beat.stop()
    assert client.get("/healthz").json()["worker"]["running"] == 0


def test_no_worker_ever_is_reported_as_never(client, db):
    body = client.get("/healthz").json()
    assert body["status"] == "degraded" and body["worker"]["last_beat_age_seconds"] is None
    assert body["queue"]["oldest_pending_age_seconds"] is None


def test_a_database_that_does_not_answer_is_503(client, db):
    with mock.patch.object(health, "database_ok", return_value=False):
        response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["status"] == "down"


def test_the_sysadmin_sees_the_same_figures_in_chinese_with_the_queue_by_kind(client, sysadmin):
    _job("registry.seal_pending", age=30)
    _job("policies.run", status=Job.Status.FAILED, error="Traceback\nValueError: 电话 13812345678")
    jobs.Heartbeat("host-c:3").beat(force=True)
    client.force_login(sysadmin)
    page = client.get("/system/").content.decode()
    assert "运行中 1 个" in page and "到期待执行 1 个" in page and "失败 1 个" in page
    assert "电子证照签章" in page and "政策找人批次" in page
    assert "ValueError: 电话 138****5678" in page and "13812345678" not in page
    assert "registry.seal_pending" not in page  # job kinds by their Chinese names
    assert 'href="/system/"' in page  # in the sysadmin's menu


def test_other_roles_may_not_see_the_status_page(client, alice):
    client.force_login(alice)
    response = client.get("/system/")
    assert response.status_code == 403 and "仅供系统管理员查看" in response.content.decode()
    assert 'href="/system/"' not in client.get("/").content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get("/system/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_site_has_an_icon_where_browsers_look_for_one(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("onething/favicon.svg")
    assert 'rel="icon" href="/static/onething/favicon.svg"' in client.get("/").content.decode()
