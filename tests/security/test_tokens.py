"""API tokens: stored hashed, scoped to the holder's role, expiring and revocable."""

from datetime import timedelta

from django.utils import timezone

from onething.accounts import services
from onething.accounts.models import ApiToken
from onething.common.models import AuditRecord


def me(client, key):
    return client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {key}")


def test_only_a_digest_is_stored(alice):
    key = services.token_create(user=alice)
    token = ApiToken.objects.get()
    assert key not in (token.key_hash, token.prefix) and token.role == "applicant_person"


def test_a_token_stops_working_when_its_holders_role_changes(client, carol):
    key = services.token_create(user=carol)
    assert me(client, key).status_code == 200
    services.user_set_role(user=carol, role="dept_reviewer")
    assert me(client, key).status_code == 401
    # The role change revoked it (and a token still carrying an old role is refused as well).
    revoked = AuditRecord.objects.get(action="token.revoked", category="security")
    assert revoked.detail == {"reason": "role_changed"}
    refused = AuditRecord.objects.get(action="token.refused")
    assert refused.detail == {"reason": "revoked"} and refused.result == "denied"


def test_an_expired_token_is_refused(client, alice):
    key = services.token_create(user=alice, days=1)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert me(client, key).status_code == 401


def test_a_revoked_token_is_refused_and_both_events_are_audited(client, alice):
    key = services.token_create(user=alice)
    services.token_revoke(token=ApiToken.objects.get(), actor=alice)
    assert me(client, key).status_code == 401
    actions = list(AuditRecord.objects.filter(category="security").values_list("action", flat=True))
    assert {"token.created", "token.revoked", "token.refused"} <= set(actions)


def test_a_deactivated_user_s_token_is_refused(client, alice):
    key = services.token_create(user=alice)
    alice.is_active = False
    alice.save()
    assert me(client, key).status_code == 401


def test_an_unknown_token_is_refused(client, db):
    assert me(client, "ot_nonsense").status_code == 401
