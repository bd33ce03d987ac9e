"""Writes for accounts: regions, departments, users and API tokens."""

import json
import secrets
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from onething.common import audit, hotsql
from onething.common.errors import DomainError, Forbidden
from onething.common.events import record_event
from onething.common.security import Actor

from .constants import ADMIN_ROLES, ADMIN_SITE_ROLES, RegionLevel, Role
from .models import ApiToken, Department, DepartmentKind, Region, User


@transaction.atomic
def regions_load(*, path: Path | None = None) -> int:
    """Load GB/T 2260 regions; parents come before children in the file."""
    path = path or settings.DATA_DIR / "regions" / "hubei.json"
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    with transaction.atomic():
        changed = [_region_load(row) for row in doc["regions"]]
        changed = [region for region in changed if region is not None]
        if changed:
            record_event(
                actor=None,
                verb="regions.loaded",
                obj=changed[0],
                objects=changed[1:],
                data={"regions": len(changed)},
            )
    return len(doc["regions"])


def _region_load(row: dict) -> Region | None:
    """The region as the file gives it; None when it is already so (nothing written)."""
    values = {"name": row["name"], "level": row["level"], "parent_id": row["parent"]}
    region = Region.objects.filter(code=row["code"]).first()
    if region is not None and all(getattr(region, k) == v for k, v in values.items()):
        return None
    region, _ = Region.objects.update_or_create(code=row["code"], defaults=values)
    return region


def department_name(*, kind: DepartmentKind, region: Region) -> str:
    """The kind's name pattern for the region's level, or the region's prefix and the suffix.

    The prefix ({region}) is the region's name, and for a county its city's name before it;
    {city} is a county's city, or the region itself; {county} a county's own name.
    """
    county = region.level == RegionLevel.COUNTY
    city = region.parent.name if county and region.parent else region.name
    prefix = f"{city}{region.name}" if county and region.parent else region.name
    pattern = (kind.names or {}).get(region.level)
    if not pattern:
        return f"{prefix}{kind.suffix}"
    return pattern.format_map({"region": prefix, "city": city, "county": region.name})


@transaction.atomic
def departments_ensure(*, regions=None) -> int:
    """Every department kind exists in every region (the competent authority there)."""
    regions = list(regions if regions is not None else Region.objects.select_related("parent"))
    existing = set(Department.objects.values_list("kind_id", "region_id"))
    new = [
        Department(
            code=f"{region.code}-{kind.code}",
            name=department_name(kind=kind, region=region),
            kind=kind,
            region=region,
        )
        for kind in DepartmentKind.objects.all()
        for region in regions
        if (kind.code, region.code) not in existing
    ]
    Department.objects.bulk_create(new, batch_size=500)
    if new:
        record_event(
            actor=None,
            verb="departments.created",
            obj=new[0],
            objects=new[1:],
            data={"departments": len(new)},
        )
    return len(new)


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: str,
    display_name: str = "",
    department: Department | None = None,
    region: Region | None = None,
    id_number: str = "",
    credit_code: str = "",
    actor=None,
    enforce_password_policy: bool = True,
) -> User:
    """Create a user. Only the demo loader passes ``enforce_password_policy=False``."""
    if role not in Role.values:
        raise DomainError("角色不存在", fields={"role": f"未知角色：{role}"})
    account_manage_check(actor=actor, user=None, action="account.create", role=role)
    user = User(
        username=username,
        role=role,
        display_name=display_name,
        department=department,
        region=region or (department.region if department else None),
        id_number=id_number,
        credit_code=credit_code,
        is_staff=role in ADMIN_SITE_ROLES,
        # a password chosen by an administrator is replaced by its holder at first login
        password_change_required=actor is not None,
    )
    if enforce_password_policy:
        password_check(password=password, user=user)
    user.set_password(password)
    user.full_clean()
    user.save()
    role_permissions_apply(user=user)
    record_event(actor=actor, verb="user.created", obj=user, data={"role": role})
    return user


def password_check(*, password: str, user: User | None = None) -> None:
    """The configured password policy (AUTH_PASSWORD_VALIDATORS), as a DomainError."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(
            "密码不符合安全要求", fields={"password": "；".join(exc.messages)}
        ) from exc


def password_change(*, user: User, old_password: str, new_password: str) -> None:
    if not user.check_password(old_password):
        audit.security_event("password.change_failed", target=user, result=audit.Result.FAILURE)
        raise DomainError("原密码不正确", fields={"old_password": "原密码不正确"})
    password_check(password=new_password, user=user)
    user.set_password(new_password)
    user.password_change_required = False
    with transaction.atomic():
        user.save(update_fields=["password", "password_change_required"])
        fields = ["password", "password_change_required"]
        record_event(actor=user, verb="user.password_changed", obj=user, fields=fields)


def role_permissions_apply(*, user: User) -> None:
    """Admin-site permissions follow the role (三权分立); nothing else grants them."""
    from .roles import permissions_for

    user.is_staff = user.role in ADMIN_SITE_ROLES or user.is_superuser
    perms = permissions_for(user.role)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_staff=user.is_staff)
        if perms is not None:
            user.user_permissions.set(perms)
        data = {"is_staff": user.is_staff, "permissions": None if perms is None else len(perms)}
        record_event(actor=None, verb="user.permissions_applied", obj=user, data=data)


# ---- 三权分立: who manages accounts and credentials ----------------------------------------

NOT_SECADMIN = "只有安全管理员可以管理账号、角色和凭据"
SELF = "不能修改自己的角色或凭据（本人密码请在“修改密码”页面修改）"
ADMIN_ACCOUNT = "管理员账号（系统、安全、审计管理员）只能在服务器控制台管理"
ADMIN_ROLE = "管理员角色只能在服务器控制台分配"


def account_manage_refusal(*, actor, user: User | None, role: str = "") -> str:
    """Why ``actor`` may not change ``user``'s role or credentials ("" when allowed).

    ``actor=None`` is the server console (`onething account`). Otherwise only the security
    administrator manages accounts; never their own, never an administrator's (so none of the
    three can take over another), and never to give an administrator role.
    """
    if actor is None or isinstance(actor, Actor):
        return ""  # the console (an Actor names its operator in the audit row)
    if getattr(actor, "role", None) != Role.SECADMIN or not actor.is_active:
        return NOT_SECADMIN
    if user is not None and user.pk == actor.pk:
        return SELF
    if user is not None and (user.role in ADMIN_ROLES or user.is_superuser):
        return ADMIN_ACCOUNT
    if role in ADMIN_ROLES:
        return ADMIN_ROLE
    return ""


def account_manage_check(*, actor, user: User | None, action: str, role: str = "") -> None:
    """Raise Forbidden (audited as ``<action>_denied``) unless ``actor`` may manage ``user``.

    Call outside the transaction of the change: the denial row must survive the refusal.
    """
    reason = account_manage_refusal(actor=actor, user=user, role=role)
    if reason:
        detail = {"reason": reason} | ({"role": role} if role else {})
        audit.security_event(
            f"{action}_denied", actor=actor, target=user, result=audit.Result.DENIED, detail=detail
        )
        raise Forbidden(reason)


def user_set_role(*, user: User, role: str, actor=None) -> User:
    """The one way to change a role: the security administrator, or the console.

    Not atomic itself: a refusal is audited and must not be rolled back with the change.
    A new role ends the user's API tokens (a token never comes back with an old role).
    """
    if role not in Role.values:
        raise DomainError("角色不存在", fields={"role": f"未知角色：{role}"})
    account_manage_check(actor=actor, user=user, action="permission.role_change", role=role)
    with transaction.atomic():
        changed = user.role != role
        user.role = role
        user.save(update_fields=["role"])
        record_event(
            actor=actor, verb="user.role_set", obj=user, data={"role": role}, fields=["role"]
        )
        role_permissions_apply(user=user)
        if changed:
            tokens_revoke_all(user=user, actor=actor, reason="role_changed")
    return user


def user_password_reset(*, user: User, password: str | None, actor=None) -> User:
    """Someone else sets ``user``'s password (None: password login disabled).

    The holder must change it at next login; their tokens are revoked, and their sessions end
    (Django drops a session whose password hash no longer matches).
    """
    account_manage_check(actor=actor, user=user, action="password.reset")
    with transaction.atomic():
        if password is None:
            user.set_unusable_password()
        else:
            password_check(password=password, user=user)
            user.set_password(password)
        credentials_reset_apply(user=user, actor=actor)
    return user


def second_factor_reset(*, user: User, actor=None) -> int:
    """A lost phone: remove the user's TOTP devices; they enrol again at next login."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    account_manage_check(actor=actor, user=user, action="2fa.reset")
    with transaction.atomic():
        devices = list(TOTPDevice.objects.filter(user=user).values_list("pk", flat=True))
        removed, _ = TOTPDevice.objects.filter(pk__in=devices).delete()
        audit.security_event("2fa.reset", actor=actor, target=user, detail={"devices": removed})
        record_event(
            actor=actor,
            verb="user.second_factor_reset",
            obj=user,
            objects=[(TOTPDevice, pk) for pk in devices],
            data={"devices": removed},
        )
    return removed


def credentials_reset_apply(*, user: User, actor=None) -> None:
    """What follows a password set by someone else (``user.password`` already replaced)."""
    user.password_change_required = True
    user.save(update_fields=["password", "password_change_required"])
    fields = ["password", "password_change_required"]
    record_event(actor=actor, verb="user.password_reset", obj=user, fields=fields)
    revoked = tokens_revoke_all(user=user, actor=actor, reason="password_reset")
    audit.security_event("password.reset", actor=actor, target=user, detail={"tokens": revoked})


TOKEN_MAX_DAYS = 365


def token_days_check(days) -> int:
    """A token always expires: 1 to TOKEN_MAX_DAYS days (0 or negative once meant never)."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= TOKEN_MAX_DAYS:
        raise DomainError(
            "令牌有效期不正确", fields={"days": f"有效期应为 1 至 {TOKEN_MAX_DAYS} 天的整数"}
        )
    return days


@transaction.atomic
def token_create(*, user: User, name: str = "cli", days: int = 90, actor=None) -> str:
    """Create a token and return its plain value, which is never stored.

    ``actor`` is who made it (an admin, or the console's Actor); the audit row names them,
    not the holder.
    """
    token_days_check(days)
    key = "ot_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        role=user.role,
        prefix=key[:8],
        key_hash=ApiToken.digest(key),
        expires_at=timezone.now() + timedelta(days=days),
    )
    data = {"name": name, "holder": user.get_username(), "days": days}
    record_event(actor=actor, verb="token.created", obj=token, data=data)
    audit.security_event("token.created", actor=actor, target=token, detail=data)
    return key


@transaction.atomic
def token_revoke(*, token: ApiToken, actor=None, reason: str = "") -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    detail = {"reason": reason} if reason else None
    record_event(actor=actor, verb="token.revoked", obj=token, data=detail)
    audit.security_event("token.revoked", actor=actor, target=token, detail=detail)


def tokens_revoke_all(*, user: User, actor=None, reason: str) -> int:
    """Revoke every live token of ``user`` (a role change or a credential reset)."""
    tokens = list(ApiToken.objects.filter(user=user, revoked_at__isnull=True))
    for token in tokens:
        token_revoke(token=token, actor=actor, reason=reason)
    return len(tokens)


def token_authenticate(*, key: str) -> User | None:
    # The user's region comes along: most API calls (case submission among them) read it.
    # Read on every API call: hand-written SQL (hotsql) spares the ORM's compiling of the join.
    found = hotsql.select(
        ApiToken, {"key_hash": ApiToken.digest(key)}, related=("user", "user__region"), limit=1
    )
    token = found[0] if found else None
    if token is None:
        return None
    refusal = _token_refusal(token)
    if refusal:
        audit.security_event(
            "token.refused", target=token, result=audit.Result.DENIED, detail={"reason": refusal}
        )
        return None
    _touch(token)
    return token.user


TOKEN_TOUCH_SECONDS = 60


def _touch(token: ApiToken) -> None:
    # "Last used" to the minute is enough; writing it on every request costs a row write each.
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= timedelta(
        seconds=TOKEN_TOUCH_SECONDS
    ):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)


def _token_refusal(token: ApiToken) -> str:
    if token.expires_at is None:
        return "no_expiry"  # made before tokens had to expire: issue a new one
    if not token.is_active:
        return "revoked" if token.revoked_at else "expired"
    if not token.user.is_active:
        return "user_inactive"
    if token.role != token.user.role:
        return "role_changed"  # scoped to the role it was issued for
    return ""
