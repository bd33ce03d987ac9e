"""A licence whose validity has ended reads as 已过期 everywhere, even if the worker never ran."""

from datetime import date, timedelta
from unittest import mock

import pytest
from django.utils import timezone

from onething.registry import presenters, services
from onething.registry.constants import LicenseStatus
from onething.testing import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def lapsed(alice_person, market):
    """A food licence issued six years ago (valid five): the daily expiry job has not run."""
    lic = services.license_issue(
        license_type="food_license",
        department=market,
        data={"license_no": "JY14201020001"},
        person=alice_person,
        issued_on=timezone.localdate() - timedelta(days=6 * 366),
    )
    assert lic.status == LicenseStatus.VALID and lic.valid_until < timezone.localdate()
    return lic


def test_the_model_and_the_presenters_say_expired(lapsed):
    assert lapsed.current_status == LicenseStatus.EXPIRED
    assert lapsed.get_status_display() == "已过期"
    row = presenters.license_row(lapsed)
    assert (row["status"], row["status_label"]) == ("expired", "已过期")


def test_on_an_early_date_the_same_licence_is_valid(lapsed):
    day = lapsed.valid_until
    assert lapsed.status_on(day) == LicenseStatus.VALID  # its last day still counts
    assert lapsed.status_on(day + timedelta(days=1)) == LicenseStatus.EXPIRED
    with mock.patch("onething.registry.models.timezone.localdate", return_value=day):
        assert lapsed.get_status_display() == "有效"


def test_the_api_the_wallet_the_licence_page_and_public_verification_say_expired(
    client, alice, lapsed
):
    assert client.login(username=alice.username, password=PASSWORD)
    rows = client.get("/api/me/licenses").json()
    assert [(r["status"], r["status_label"]) for r in rows] == [("expired", "已过期")]
    detail = client.get(f"/api/licenses/{lapsed.identifier}").json()
    assert detail["status_label"] == "已过期"
    wallet = client.get("/registry/wallet/").content.decode()
    assert "暂无有效证照" in wallet and "已过期" in wallet
    page = client.get(f"/registry/licenses/{lapsed.identifier}/").content.decode()
    assert "已过期" in page and ">有效<" not in page
    client.logout()
    verdict = client.get(f"/api/licenses/{lapsed.identifier}/verify").json()
    assert verdict["valid"] is False and verdict["status_label"] == "已过期"
    assert any("证照已过期" in reason for reason in verdict["reasons"])
    public = client.get(f"/registry/verify/{lapsed.identifier}").content.decode()
    assert "已过期" in public and "✔ 有效" not in public


def test_revoked_and_superseded_are_not_turned_into_expired(lapsed):
    lapsed.status = LicenseStatus.REVOKED
    assert lapsed.current_status == LicenseStatus.REVOKED
    lapsed.status, lapsed.valid_until = LicenseStatus.VALID, None  # 长期有效
    assert lapsed.status_on(date(2999, 1, 1)) == LicenseStatus.VALID
