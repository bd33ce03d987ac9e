"""Password policy on every path that sets a password, except the documented demo loader."""

import pytest
from django.conf import settings

from onething.accounts import services
from onething.common.errors import DomainError
from onething.common.models import AuditRecord
from onething.testing import PASSWORD

pytestmark = pytest.mark.real_password_hashing


def test_passwords_are_hashed_with_argon2(alice):
    assert alice.password.startswith("argon2")


@pytest.mark.parametrize(
    "password",
    ["short1A!", "1234567890123", "password123", "alllowercaseletters", "Alice-Smith1"],
)
def test_weak_passwords_are_refused_by_user_create(regions, password):
    with pytest.raises(DomainError) as err:
        services.user_create(
            username="alice.smith",
            password=password,
            role="applicant_person",
            display_name="Alice Smith",
        )
    assert "password" in err.value.fields


def test_a_strong_password_is_accepted(regions):
    user = services.user_create(username="bob", password="Chu-Wei-2026!", role="applicant_person")
    assert user.check_password("Chu-Wei-2026!")


def test_the_demo_loader_may_skip_the_policy_and_documents_its_password(regions):
    user = services.user_create(
        username="demo_x", password="x", role="applicant_person", enforce_password_policy=False
    )
    assert user.check_password("x")
    assert settings.ONETHING_DEMO_PASSWORD  # printed by `onething demo users`


def test_password_change_enforces_the_policy(alice):
    with pytest.raises(DomainError):
        services.password_change(user=alice, old_password=PASSWORD, new_password="abc")
    with pytest.raises(DomainError):
        services.password_change(user=alice, old_password="wrong", new_password="New-Passw0rd-2026")
    services.password_change(user=alice, old_password=PASSWORD, new_password="New-Passw0rd-2026")
    alice.refresh_from_db()
    assert alice.check_password("New-Passw0rd-2026")
    assert AuditRecord.objects.filter(action="password.changed", object_id=str(alice.pk)).exists()


def test_the_password_page_refuses_a_weak_password_and_audits_a_change(client, alice):
    client.force_login(alice)
    weak = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "abc", "new_password2": "abc"},
    )
    assert weak.status_code == 200 and "密码" in weak.content.decode()
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "New-Passw0rd-2026",
            "new_password2": "New-Passw0rd-2026",
        },
        REMOTE_ADDR="10.7.7.7",
    )
    assert response.status_code == 302
    row = AuditRecord.objects.get(action="password.changed")
    assert (row.actor, row.ip) == ("alice", "10.7.7.7")  # who and from where, from the request
