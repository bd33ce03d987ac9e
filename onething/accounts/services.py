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

from .constants import ADMIN_SITE_ROLES, RegionLevel, Role
from .models import ApiToken, Department, DepartmentKind, Region, User


@transaction.atomic
def regions_load(*, path: Path | None = None) -> int:
    """Load GB/T 2260 regions; parents come before children in the file."""
    path = path or settings.DATA_DIR / "regions" / "hubei.json"
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    for row in doc["regions"]:
        Region.objects.update_or_create(
            code=row["code"],
            defaults={"name": row["name"], "level": row["level"], "parent_id": row["parent"]},
        )
    return len(doc["regions"])


def department_name(*, kind: DepartmentKind, region: Region) -> str:
    if region.level == RegionLevel.COUNTY and region.parent:
        return f"{region.parent.name}{region.name}{kind.suffix}"
    return f"{region.name}{kind.suffix}"


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
    user = User(
        username=username,
        role=role,
        display_name=display_name,
        department=department,
        region=region or (department.region if department else None),
        id_number=id_number,
        credit_code=credit_code,
        is_staff=role in ADMIN_SITE_ROLES,
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
    user.save(update_fields=["password"])


def role_permissions_apply(*, user: User) -> None:
    """Admin-site permissions follow the role (三权分立); nothing else grants them."""
    from .roles import permissions_for

    user.is_staff = user.role in ADMIN_SITE_ROLES or user.is_superuser
    User.objects.filter(pk=user.pk).update(is_staff=user.is_staff)
    perms = permissions_for(user.role)
    if perms is not None:
        user.user_permissions.set(perms)


def user_set_role(*, user: User, role: str, actor=None) -> User:
    """Only a security administrator (or the console) assigns roles, and never their own.

    Not atomic itself: a refusal is audited and must not be rolled back with the change.
    """
    if role not in Role.values:
        raise DomainError("角色不存在", fields={"role": f"未知角色：{role}"})
    if actor is not None and getattr(actor, "role", None) != Role.SECADMIN:
        audit.security_event(
            "permission.role_change_denied",
            actor=actor,
            target=user,
            result=audit.Result.DENIED,
            detail={"role": role},
        )
        raise Forbidden("只有安全管理员可以分配角色")
    if actor is not None and actor.pk == user.pk:
        raise Forbidden("不能修改自己的角色")
    with transaction.atomic():
        user.role = role
        user.save(update_fields=["role"])
        role_permissions_apply(user=user)
    return user


@transaction.atomic
def token_create(*, user: User, name: str = "cli", days: int | None = 90) -> str:
    """Create a token and return its plain value, which is never stored."""
    key = "ot_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        role=user.role,
        prefix=key[:8],
        key_hash=ApiToken.digest(key),
        expires_at=timezone.now() + timedelta(days=days) if days else None,
    )
    record_event(actor=user, verb="token.created", obj=token, data={"name": name})
    audit.security_event("token.created", actor=user, target=token, detail={"name": name})
    return key


@transaction.atomic
def token_revoke(*, token: ApiToken, actor=None) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record_event(actor=actor, verb="token.revoked", obj=token)
    audit.security_event("token.revoked", actor=actor, target=token)


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
    if not token.is_active:
        return "revoked" if token.revoked_at else "expired"
    if not token.user.is_active:
        return "user_inactive"
    if token.role != token.user.role:
        return "role_changed"  # scoped to the role it was issued for
    return ""
