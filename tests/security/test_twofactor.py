"""Staff verify a TOTP code after the password; demo mode may skip it (the default there)."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from onething.common.models import AuditRecord
from onething.testing import PASSWORD


def code(device):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def password_login(client, username):
    return client.post("/accounts/login/", {"username": username, "password": PASSWORD})


def test_staff_enrol_on_first_login_and_then_reach_pages(client, carol, require_2fa):
    password_login(client, "carol")
    response = client.get("/onethings/")
    assert response.status_code == 302 and response.url.startswith("/accounts/2fa/")
    setup = client.get("/accounts/2fa/setup/")
    assert "<svg" in setup.content.decode() and "密钥" in setup.content.decode()
    device = TOTPDevice.objects.get(user=carol)
    assert not device.confirmed
    assert client.post("/accounts/2fa/setup/", {"token": "000000"}).status_code == 200
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code delays the next try (django-otp throttling)
    assert (
        client.post("/accounts/2fa/setup/", {"token": code(device), "next": "/"}).status_code == 302
    )
    assert client.get("/onethings/").status_code == 200
    assert AuditRecord.objects.filter(action="2fa.enrolled").exists()


def test_an_enrolled_staff_member_must_give_a_code_each_session(client, carol, require_2fa):
    device = TOTPDevice.objects.create(user=carol, name="phone", confirmed=True)
    password_login(client, "carol")
    assert client.get("/").status_code == 302
    assert client.get("/accounts/2fa/setup/").status_code == 302  # no re-enrolment
    wrong = client.post("/accounts/2fa/", {"token": "123456"})
    assert "验证码不正确" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()
    assert client.post("/accounts/2fa/", {"token": code(device)}).status_code == 302
    assert client.get("/").status_code == 200
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"2fa.failed", "2fa.success"} <= actions


def test_the_api_refuses_an_unverified_staff_session(client, carol, require_2fa):
    password_login(client, "carol")
    response = client.get("/api/me")
    assert response.status_code == 401 and response.json()["code"] == "second_factor_required"


def test_applicants_need_no_second_factor(client, alice, require_2fa):
    password_login(client, "alice")
    assert client.get("/").status_code == 200


def test_a_force_logged_in_staff_member_is_held_at_the_second_factor(client, mark, require_2fa):
    client.force_login(mark)
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("role_user", ["carol", "mark", "dora", "sam"])
def test_demo_mode_skips_the_second_factor_by_default(client, request, role_user, settings):
    assert settings.ONETHING_REQUIRE_2FA is False  # ONETHING_DEMO=1, ONETHING_DEMO_SKIP_2FA=1
    request.getfixturevalue(role_user)
    password_login(client, role_user)
    assert client.get("/").status_code == 200
