"""docs/security.md says what the product does (finding 11): the roles table's admin pages, the
threat model's tests, the numbers it quotes."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from onething.accounts import services
from onething.accounts.constants import Role
from onething.common import audit
from onething.common.models import Job, Outbox
from onething.testing import _persona

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"
HERE = Path(__file__).resolve().parent

# The roles table, page by page: what each administrator reaches (200) and what not (403).
ADMIN_PAGES = {
    Role.SYSADMIN: {
        "/admin/accounts/user/": 200,
        "/admin/accounts/user/add/": 403,
        "/admin/accounts/region/": 200,
        "/admin/accounts/department/": 200,
        "/admin/accounts/departmentkind/": 200,
        "/admin/common/job/": 200,
        "/admin/common/outbox/": 200,
        "/admin/common/auditrecord/": 403,
        "/admin/accounts/apitoken/": 403,
    },
    Role.SECADMIN: {
        "/admin/accounts/user/": 200,
        "/admin/accounts/user/add/": 200,
        "/admin/accounts/apitoken/": 200,
        "/admin/accounts/loginlockout/": 200,
        "/admin/accounts/loginattempt/": 200,
        "/admin/otp_totp/totpdevice/": 200,
        "/admin/common/auditrecord/": 403,
        "/admin/common/job/": 403,
        "/admin/accounts/region/add/": 403,
    },
    Role.AUDITADMIN: {
        "/admin/common/auditrecord/": 200,
        "/admin/common/auditanchor/": 200,
        "/admin/accounts/loginattempt/": 200,
        "/admin/accounts/loginlockout/": 200,
        "/admin/accounts/user/": 403,
        "/admin/common/job/": 403,
    },
}


def threat_rows() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    table = text.split("## Threat model", 1)[1].split("\n\n", 2)[2].split("\n\n", 1)[0]
    return [line for line in table.splitlines() if line.startswith("| ") and "`" in line]


def test_every_threat_names_a_test_that_exists():
    rows = threat_rows()
    assert len(rows) >= 15
    for row in rows:
        tests = re.findall(r"`(test_\w+\.py)::(test_\w+)`", row.split("|")[-2])
        assert tests, f"row names no test: {row[:60]}"
        for file, name in tests:
            source = (HERE / file).read_text(encoding="utf-8")
            assert re.search(rf"^def {name}\(", source, re.M), f"{file}::{name} is missing"


@pytest.mark.parametrize("role", sorted(ADMIN_PAGES))
def test_each_administrator_reaches_what_the_roles_table_promises(client, mini_catalog, role):
    client.force_login(_persona(f"u_{role}", role, region="420000"))
    got = {url: client.get(url).status_code for url in ADMIN_PAGES[role]}
    assert got == ADMIN_PAGES[role]


def test_the_job_and_outbox_views_are_read_only_and_hide_the_recipient(client, mini_catalog):
    job = Job.objects.create(name="audit.seal", dedup_key="doc-test", run_after=timezone.now())
    sms = Outbox.objects.create(
        channel="sms", to="13812345678", body="您的办件已受理", dedup_key="k"
    )
    client.force_login(_persona("ops", Role.SYSADMIN, region="420000"))
    page = client.get(f"/admin/common/outbox/{sms.pk}/change/").content.decode()
    assert "138****5678" in page and "13812345678" not in page and "您的办件已受理" not in page
    assert client.get(f"/admin/common/job/{job.pk}/change/").status_code == 200
    for url in [f"/admin/common/job/{job.pk}/delete/", f"/admin/common/outbox/{sms.pk}/delete/"]:
        assert client.post(url, {"post": "yes"}).status_code == 403
    assert client.get("/admin/common/job/add/").status_code == 403
    assert Job.objects.filter(pk=job.pk).exists() and Outbox.objects.filter(pk=sms.pk).exists()


def test_a_session_api_write_without_the_csrf_token_is_refused(alice):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    response = browser.post("/api/tickets", {}, content_type="application/json")
    assert response.status_code == 403


def test_the_numbers_the_document_quotes_are_the_settings():
    text = DOC.read_text(encoding="utf-8")
    assert (
        django_settings.ONETHING_LOCKOUT_FAILURES == 5 and "`ONETHING_LOCKOUT_FAILURES=5`" in text
    )
    assert django_settings.ONETHING_LOCKOUT_IP_FAILURES == 20
    assert (
        django_settings.ONETHING_LOCKOUT_WINDOW == django_settings.ONETHING_LOCKOUT_SECONDS == 900
    )
    assert (
        django_settings.SESSION_COOKIE_AGE == 2 * 3600
        and django_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    )
    assert services.TOKEN_MAX_DAYS == 365 and "1 to 365 (default 90" in text
    assert django_settings.ONETHING_AUDIT_RETENTION_DAYS == 183
    assert audit.seal_grace() == timedelta(seconds=120) and "default 120" in text
