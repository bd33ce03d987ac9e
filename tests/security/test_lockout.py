"""Five wrong passwords in fifteen minutes lock the username for fifteen minutes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from onething.accounts.models import LoginLockout
from onething.common.models import AuditRecord
from onething.testing import PASSWORD


def login(client, username, password, addr="10.1.2.3"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=addr
    )


def test_five_failures_lock_the_username_even_against_the_right_password(client, alice):
    for _ in range(5):
        assert login(client, "alice", "wrong-Passw0rd!").status_code == 200
    response = login(client, "alice", PASSWORD)
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "已暂时锁定" in response.content.decode()
    assert LoginLockout.objects.filter(key="user:alice").exists()
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"login.failed", "login.lockout", "login.refused_locked"} <= actions


def test_the_lock_ends_after_fifteen_minutes(client, alice):
    for _ in range(5):
        login(client, "alice", "wrong-Passw0rd!")
    LoginLockout.objects.update(until=timezone.now() - timedelta(seconds=1))
    assert login(client, "alice", PASSWORD).status_code == 302


def test_four_failures_then_success_resets_the_count(client, alice):
    for _ in range(4):
        login(client, "alice", "wrong-Passw0rd!")
    assert login(client, "alice", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        login(client, "alice", "wrong-Passw0rd!")
    assert login(client, "alice", PASSWORD).status_code == 302


def test_failures_older_than_the_window_do_not_count(client, alice):
    from onething.accounts.models import LoginAttempt

    for _ in range(4):
        login(client, "alice", "wrong-Passw0rd!")
    LoginAttempt.objects.update(created_at=timezone.now() - timedelta(minutes=16))
    login(client, "alice", "wrong-Passw0rd!")
    assert login(client, "alice", PASSWORD).status_code == 302


def test_one_address_trying_many_usernames_is_locked(client, settings, alice):
    settings.ONETHING_LOCKOUT_IP_FAILURES = 6
    for i in range(6):
        login(client, f"nobody{i}", "wrong-Passw0rd!", addr="10.9.9.9")
    assert LoginLockout.objects.filter(key="ip:10.9.9.9").exists()
    assert login(client, "alice", PASSWORD, addr="10.9.9.9").status_code == 200
    assert login(client, "alice", PASSWORD, addr="10.9.9.8").status_code == 302


def test_case_variants_of_a_username_share_one_counter(client, alice):
    for name in ["alice", "ALICE", "Alice", "aLice", "alicE"]:
        login(client, name, "wrong-Passw0rd!")
    assert login(client, "alice", PASSWORD).status_code == 200


def test_the_admin_login_is_locked_too(client, dora):
    for _ in range(5):
        client.post("/admin/login/", {"username": "dora", "password": "nope"})
    response = client.post("/admin/login/?next=/admin/", {"username": "dora", "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


@pytest.mark.parametrize("header,expected", [("", "10.0.0.1"), ("1.2.3.4, 10.0.0.1", "10.0.0.1")])
def test_forwarded_for_is_ignored_unless_a_proxy_is_trusted(rf, header, expected):
    from onething.common.security import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=header)
    assert client_ip(request) == expected


def test_a_trusted_proxy_supplies_the_address(rf, settings):
    from onething.common.security import client_ip

    settings.ONETHING_TRUSTED_PROXIES = 1
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 1.2.3.4")
    assert client_ip(request) == "1.2.3.4"
