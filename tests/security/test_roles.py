"""三权分立: three administrators, none of whom can erase the audit trail."""

import pytest

from onething.accounts import services
from onething.accounts.constants import ADMIN_ROLES, Role
from onething.common import audit
from onething.common.errors import Forbidden
from onething.common.models import AuditRecord
from onething.testing import _persona


@pytest.fixture
def admins(mini_catalog):
    return {
        role: _persona(f"u_{role}", role, region="420000", kind="data_bureau")
        for role in ADMIN_ROLES
    }


def test_the_three_admin_roles_exist():
    assert {"sysadmin", "secadmin", "auditadmin"} <= set(Role.values)


def test_only_the_security_admin_assigns_roles_and_it_is_audited(admins, alice):
    with pytest.raises(Forbidden):
        services.user_set_role(user=alice, role="window_clerk", actor=admins[Role.SYSADMIN])
    services.user_set_role(user=alice, role="window_clerk", actor=admins[Role.SECADMIN])
    row = AuditRecord.objects.get(action="permission.role_changed")
    assert row.detail == {"role": ["applicant_person", "window_clerk"]}
    assert AuditRecord.objects.filter(action="permission.role_change_denied").exists()


def test_the_security_admin_cannot_raise_their_own_role(admins):
    secadmin = admins[Role.SECADMIN]
    with pytest.raises(Forbidden):
        services.user_set_role(user=secadmin, role="sysadmin", actor=secadmin)


def test_only_the_audit_admin_reads_the_audit_log_in_the_admin(client, admins):
    audit.record(category="system", action="test")
    url = "/admin/common/auditrecord/"
    for role, user in admins.items():
        client.force_login(user)
        expected = 200 if role == Role.AUDITADMIN else 403
        assert client.get(url).status_code == expected, role


@pytest.mark.parametrize("who", ["auditadmin", "superuser"])
def test_nobody_can_delete_audit_rows_through_the_admin(client, admins, who):
    row = audit.record(category="system", action="test")
    if who == "superuser":
        user = admins[Role.SYSADMIN]
        user.is_superuser = True
        user.save()
    else:
        user = admins[Role.AUDITADMIN]
    client.force_login(user)
    assert client.get(f"/admin/common/auditrecord/{row.pk}/delete/").status_code in (302, 403)
    client.post(f"/admin/common/auditrecord/{row.pk}/delete/", {"post": "yes"})
    client.post(f"/admin/common/auditrecord/{row.pk}/change/", {"action": "changed"})
    client.post(
        "/admin/common/auditrecord/", {"action": "delete_selected", "_selected_action": [row.pk]}
    )
    row.refresh_from_db()
    assert row.action == "test"


def test_role_change_in_the_admin_needs_the_security_admin(client, admins, alice):
    client.force_login(admins[Role.SYSADMIN])
    form = client.get(f"/admin/accounts/user/{alice.pk}/change/").content.decode()
    assert 'name="role"' not in form  # read-only for the system administrator
    client.force_login(admins[Role.SECADMIN])
    form = client.get(f"/admin/accounts/user/{alice.pk}/change/").content.decode()
    assert 'name="role"' in form


def test_each_administrator_finds_their_own_part_of_the_admin_in_the_menu(client, admins):
    from onething.accounts.selectors import navigation_for

    expected = {
        Role.SYSADMIN: ("系统管理", "/admin/"),
        Role.SECADMIN: ("账号与安全管理", "/admin/"),
        Role.AUDITADMIN: ("审计日志", "/admin/common/auditrecord/"),
    }
    for role, user in admins.items():
        entries = {n["label"]: n["url"] for n in navigation_for(user)}
        label, url = expected[role]
        assert entries.get(label) == url, role
        assert not {lbl for lbl, _ in expected.values()} - {label} & set(entries), role
        client.force_login(user)
        assert client.get(url).status_code == 200, role


def test_an_administrator_account_opens_read_only_without_a_password_reset_link(client, admins):
    client.force_login(admins[Role.SYSADMIN])
    audit_admin = admins[Role.AUDITADMIN]
    page = client.get(f"/admin/accounts/user/{audit_admin.pk}/change/").content.decode()
    assert audit_admin.username in page and "../password/" not in page
    assert client.get(f"/admin/accounts/user/{audit_admin.pk}/password/").status_code == 403
