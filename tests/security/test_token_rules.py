"""Finding 8: every token expires; a role change ends a token for good; the audit row of a
new token names who made it (the console operator or an administrator), not its holder."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from onething.accounts import services
from onething.accounts.models import ApiToken
from onething.common.errors import DomainError
from onething.common.models import AuditRecord
from onething.testing import _persona


def me(client, key):
    return client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.mark.parametrize("days", ["0", "-1", "-30", str(services.TOKEN_MAX_DAYS + 1)])
def test_the_command_refuses_a_lifetime_outside_the_rule(alice, days):
    with pytest.raises(CommandError, match="有效期"):
        call_command("token", "create", alice.username, "--days", days)
    with pytest.raises(DomainError):
        services.token_create(user=alice, days=int(days))
    assert not ApiToken.objects.exists()


def test_every_token_gets_an_expiry(alice, capsys):
    call_command("token", "create", alice.username, "--days", "1")
    token = ApiToken.objects.get()
    assert token.expires_at - timezone.now() <= timedelta(days=1)
    services.token_create(user=alice)
    assert not ApiToken.objects.filter(expires_at__isnull=True).exists()


def test_a_token_made_before_the_rule_without_expiry_is_refused(client, alice):
    key = services.token_create(user=alice)
    ApiToken.objects.update(expires_at=None)
    assert me(client, key).status_code == 401
    assert AuditRecord.objects.get(action="token.refused").detail == {"reason": "no_expiry"}


def test_a_token_does_not_come_back_when_the_role_is_changed_back(client, carol):
    key = services.token_create(user=carol)
    assert me(client, key).status_code == 200
    services.user_set_role(user=carol, role="dept_reviewer")
    assert me(client, key).status_code == 401
    services.user_set_role(user=carol, role="window_clerk")
    assert me(client, key).status_code == 401
    assert ApiToken.objects.get().revoked_at is not None


def test_a_role_change_in_the_admin_revokes_too(client, carol, mini_catalog):
    import lxml.html

    secadmin = _persona("sec", "secadmin", region="420000")
    key = services.token_create(user=carol)
    client.force_login(secadmin)
    url = f"/admin/accounts/user/{carol.pk}/change/"
    for role in ["dept_reviewer", "window_clerk"]:
        form = lxml.html.fromstring(client.get(url).content).get_element_by_id("user_form")
        assert client.post(url, dict(form.form_values()) | {"role": role}).status_code == 302
    carol.refresh_from_db()
    assert carol.role == "window_clerk"
    client.logout()
    assert me(client, key).status_code == 401


def test_token_created_names_who_made_it(alice, mini_catalog, capsys):
    call_command("token", "create", alice.username)
    row = AuditRecord.objects.get(action="token.created", category="security")
    assert row.actor.startswith("console:") and row.actor != alice.username
    assert row.detail["holder"] == alice.username
    secadmin = _persona("sec", "secadmin", region="420000")
    services.token_create(user=alice, actor=secadmin)
    row = AuditRecord.objects.filter(action="token.created", category="security").latest("id")
    assert (row.actor, row.actor_id) == ("sec", secadmin.pk)
