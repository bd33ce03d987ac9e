"""What each administrative role may do in the admin site (三权分立, docs/security.md).

The system administrator runs the system, the security administrator grants roles and
handles accounts' security, the audit administrator reads the audit trail. No role holds a
permission to change or delete audit records; the admin refuses that to superusers too.
"""

from django.contrib.auth.models import Permission
from django.db.models import Q

from .constants import Role

# role -> [(app_label, model, actions)]
GRANTS = {
    Role.SYSADMIN: [
        ("accounts", "user", ["view"]),  # accounts and credentials are the security admin's
        ("accounts", "region", ["view", "add", "change"]),
        ("accounts", "department", ["view", "add", "change"]),
        ("accounts", "departmentkind", ["view", "add", "change"]),
        ("common", "job", ["view"]),
        ("common", "outbox", ["view"]),
        ("integration", "system", ["view", "add", "change"]),
        ("integration", "delivery", ["view", "change"]),
        ("integration", "link", ["view"]),
        ("integration", "inbound", ["view"]),
    ],
    Role.SECADMIN: [
        ("accounts", "user", ["view", "add", "change"]),
        ("accounts", "apitoken", ["view", "change"]),
        ("accounts", "loginlockout", ["view", "change"]),
        ("accounts", "loginattempt", ["view"]),
        ("otp_totp", "totpdevice", ["view", "delete"]),
    ],
    Role.AUDITADMIN: [
        ("common", "auditrecord", ["view"]),
        ("common", "auditanchor", ["view"]),
        ("accounts", "loginattempt", ["view"]),
        ("accounts", "loginlockout", ["view"]),
    ],
}


def permissions_for(role: str):
    """The permissions a role carries; None leaves a catalog admin's grants as they are."""
    if role == Role.CATALOG_ADMIN:
        return Permission.objects.filter(content_type__app_label="catalog")
    query = Q(pk__in=[])
    for app_label, model, actions in GRANTS.get(role, []):
        codenames = [f"{action}_{model}" for action in actions]
        query |= Q(content_type__app_label=app_label, codename__in=codenames)
    return Permission.objects.filter(query)
