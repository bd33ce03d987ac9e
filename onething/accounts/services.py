"""Writes for accounts: regions, departments, users and API tokens."""

import json
import secrets
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from onething.common.errors import DomainError
from onething.common.events import record_event

from .constants import RegionLevel, Role
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
) -> User:
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
        is_staff=role == Role.CATALOG_ADMIN,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    record_event(actor=actor, verb="user.created", obj=user, data={"role": role})
    return user


@transaction.atomic
def token_create(*, user: User, name: str = "cli", days: int | None = 90) -> str:
    """Create a token and return its plain value, which is never stored."""
    key = "ot_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=key[:8],
        key_hash=ApiToken.digest(key),
        expires_at=timezone.now() + timedelta(days=days) if days else None,
    )
    record_event(actor=user, verb="token.created", obj=token, data={"name": name})
    return key


@transaction.atomic
def token_revoke(*, token: ApiToken, actor=None) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record_event(actor=actor, verb="token.revoked", obj=token)


def token_authenticate(*, key: str) -> User | None:
    token = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.digest(key)).first()
    if token is None or not token.is_active or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
