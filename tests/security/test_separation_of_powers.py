"""三权分立 (finding 1): only the security administrator manages accounts and credentials;
no administrator changes another administrator's credentials or role, nor their own role.

Every (actor role × target role) pair, through the admin's password page, the admin's change
form and the services. A reset forces a password change and ends tokens and sessions.
"""

import lxml.html
import pytest
from django.core.management import call_command

from onething.accounts import services
from onething.accounts.constants import ADMIN_ROLES, Role
from onething.accounts.models import ApiToken, User
from onething.common.errors import Forbidden
from onething.common.models import AuditRecord
from onething.testing import PASSWORD, _persona

NEW_PASSWORD = "Xq7!vLm2#pRt9"
ACTORS = [Role.SYSADMIN, Role.SECADMIN, Role.AUDITADMIN, Role.CATALOG_ADMIN]
# "self" is the actor's own account; every other target is a different account of that role.
TARGETS = [Role.SYSADMIN, Role.SECADMIN, Role.AUDITADMIN, "self", Role.WINDOW_CLERK]
TARGETS += [Role.APPLICANT_PERSON, Role.CATALOG_ADMIN]
PAIRS = [(a, t) for a in ACTORS for t in TARGETS]


def allowed(actor: str, target: str) -> bool:
    return actor == Role.SECADMIN and target not in (*ADMIN_ROLES, "self")


@pytest.fixture(autouse=True)
def quick_hashing(settings):
    # ~100 cases of ten accounts each: Argon2 (tested in test_passwords.py) would take minutes.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(mini_catalog):
    made = {}
    for role in ACTORS:
        made[("actor", role)] = _persona(f"a_{role}", role, region="420000", kind="data_bureau")
    for role in TARGETS:
        if role != "self":
            made[("target", role)] = _persona(f"t_{role}", role, region="420000")
    return made


def pair(people, actor_role, target_role):
    actor = people[("actor", actor_role)]
    target = actor if target_role == "self" else people[("target", target_role)]
    return actor, target


def denial_recorded(action, actor, target) -> bool:
    return AuditRecord.objects.filter(
        action=action, result="denied", actor_id=actor.pk, object_id=str(target.pk)
    ).exists()


@pytest.mark.parametrize(("actor_role", "target_role"), PAIRS)
def test_the_admin_password_page(client, people, actor_role, target_role):
    actor, target = pair(people, actor_role, target_role)
    client.force_login(actor)
    url = f"/admin/accounts/user/{target.pk}/password/"
    expected = 200 if allowed(actor_role, target_role) else 403
    assert client.get(url).status_code == expected
    data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    response = client.post(url, data)
    target.refresh_from_db()
    if allowed(actor_role, target_role):
        assert response.status_code == 302
        assert target.check_password(NEW_PASSWORD) and target.password_change_required
        row = AuditRecord.objects.get(action="password.reset", object_id=str(target.pk))
        assert row.actor_id == actor.pk
    else:
        assert response.status_code == 403
        assert target.check_password(PASSWORD) and not target.password_change_required
        assert denial_recorded("password.reset_denied", actor, target)


def change_form_data(html: str) -> dict:
    """What a browser would post back from the admin's change form, as rendered."""
    form = lxml.html.fromstring(html).get_element_by_id("user_form")
    return {k: v for k, v in form.form_values()}


@pytest.mark.parametrize(("actor_role", "target_role"), PAIRS)
def test_the_admin_change_form_role(client, people, actor_role, target_role):
    actor, target = pair(people, actor_role, target_role)
    before = target.role
    client.force_login(actor)
    url = f"/admin/accounts/user/{target.pk}/change/"
    page = client.get(url)
    editable = 'name="role"' in page.content.decode()
    assert editable == allowed(actor_role, target_role)
    for field in ("is_superuser", "groups", "user_permissions", "password_change_required"):
        assert f'name="{field}"' not in page.content.decode()  # permissions follow the role
    if editable:
        data = change_form_data(page.content.decode()) | {"role": Role.DEPT_REVIEWER}
        assert client.post(url, data).status_code == 302
        target.refresh_from_db()
        assert target.role == Role.DEPT_REVIEWER
    else:
        client.post(url, {"role": Role.SYSADMIN, "username": target.username})
        target.refresh_from_db()
        assert target.role == before


@pytest.mark.parametrize(("actor_role", "target_role"), PAIRS)
def test_the_services(people, actor_role, target_role):
    actor, target = pair(people, actor_role, target_role)
    before = target.role
    if allowed(actor_role, target_role):
        services.user_set_role(user=target, role=Role.DEPT_REVIEWER, actor=actor)
        services.user_password_reset(user=target, password=NEW_PASSWORD, actor=actor)
        target.refresh_from_db()
        assert target.role == Role.DEPT_REVIEWER and target.check_password(NEW_PASSWORD)
        return
    with pytest.raises(Forbidden):
        services.user_set_role(user=target, role=Role.DEPT_REVIEWER, actor=actor)
    with pytest.raises(Forbidden):
        services.user_password_reset(user=target, password=NEW_PASSWORD, actor=actor)
    target.refresh_from_db()
    assert target.role == before and target.check_password(PASSWORD)
    assert denial_recorded("permission.role_change_denied", actor, target)
    assert denial_recorded("password.reset_denied", actor, target)


@pytest.mark.parametrize("role", sorted(ADMIN_ROLES))
def test_the_security_admin_cannot_hand_out_an_administrator_role(people, role):
    secadmin, clerk = pair(people, Role.SECADMIN, Role.WINDOW_CLERK)
    with pytest.raises(Forbidden, match="控制台"):
        services.user_set_role(user=clerk, role=role, actor=secadmin)
    with pytest.raises(Forbidden):
        services.user_create(username="puppet", password=NEW_PASSWORD, role=role, actor=secadmin)
    clerk.refresh_from_db()
    assert clerk.role == Role.WINDOW_CLERK and not User.objects.filter(username="puppet").exists()


def test_only_the_security_admin_adds_accounts_in_the_admin(client, people):
    for role in ACTORS:
        client.force_login(people[("actor", role)])
        expected = 200 if role == Role.SECADMIN else 403
        assert client.get("/admin/accounts/user/add/").status_code == expected, role
    client.force_login(people[("actor", Role.SECADMIN)])
    data = {"username": "newclerk", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert (
        client.post("/admin/accounts/user/add/", data | {"usable_password": "true"}).status_code
        == 302
    )
    assert User.objects.get(username="newclerk").password_change_required


def test_a_reset_forces_a_change_and_ends_tokens_and_sessions(client, people, django_user_model):
    from django.test import Client

    secadmin, clerk = pair(people, Role.SECADMIN, Role.WINDOW_CLERK)
    key = services.token_create(user=clerk)
    theirs = Client()
    theirs.force_login(clerk)
    assert theirs.get("/api/me").status_code == 200
    services.user_password_reset(user=clerk, password=NEW_PASSWORD, actor=secadmin)
    assert theirs.get("/api/me").status_code == 401  # the old session is gone
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    assert ApiToken.objects.get().revoked_at is not None
    # Next login: nothing but the password page until the password is changed.
    assert (
        theirs.post(
            "/accounts/login/", {"username": clerk.username, "password": NEW_PASSWORD}
        ).status_code
        == 302
    )
    assert theirs.get("/cases/")["Location"].startswith("/accounts/password/")
    api = theirs.get("/api/me")
    assert api.status_code == 403 and api.json()["code"] == "password_change_required"
    changed = theirs.post(
        "/accounts/password/",
        {
            "old_password": NEW_PASSWORD,
            "new_password1": "Zk4$wq9Lp!e2",
            "new_password2": "Zk4$wq9Lp!e2",
        },
    )
    assert changed.status_code == 302
    clerk.refresh_from_db()
    assert not clerk.password_change_required
    assert theirs.get("/api/me").status_code == 200


def test_the_console_manages_administrator_accounts(people, capsys):
    _, auditadmin = pair(people, Role.SECADMIN, Role.AUDITADMIN)
    call_command("account", "reset-password", auditadmin.username)
    temporary = capsys.readouterr().out.split("临时密码：")[1].split("（")[0]
    auditadmin.refresh_from_db()
    assert auditadmin.check_password(temporary) and auditadmin.password_change_required
    row = AuditRecord.objects.get(action="password.reset", object_id=str(auditadmin.pk))
    assert row.actor.startswith("console:")
    call_command("account", "create", "new_audit", "auditadmin")
    assert User.objects.get(username="new_audit").password_change_required
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=auditadmin, name="手机", confirmed=True)
    call_command("account", "reset-2fa", auditadmin.username)
    assert not TOTPDevice.objects.filter(user=auditadmin).exists()
    assert AuditRecord.objects.get(action="2fa.reset").actor.startswith("console:")


@pytest.mark.parametrize("target_role", [Role.AUDITADMIN, Role.SYSADMIN, Role.WINDOW_CLERK])
def test_second_factors_are_reset_for_others_only_and_never_shown(client, people, target_role):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    secadmin, target = pair(people, Role.SECADMIN, target_role)
    device = TOTPDevice.objects.create(user=target, name="手机", confirmed=True)
    client.force_login(secadmin)
    page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").content.decode()
    assert device.key not in page
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code == 403
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/").status_code == 403
    client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    gone = not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert gone == allowed(Role.SECADMIN, target_role)
