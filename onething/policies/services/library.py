"""The policy library: saving a policy as a new version, importing many."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from onething.common.errors import DomainError
from onething.common.events import record_event

from ..models import (
    Policy,
    PolicyVersion,
)
from ..rules import CONTENT, check
from .base import HEADER


def _content(data: dict) -> dict:
    content = {name: data.get(name) for name in CONTENT}
    content.update(
        tags=content["tags"] or [],
        confirmations=content["confirmations"] or [],
        summary=content["summary"] or "",
        clause=content["clause"] or "",
        benefit_text=content["benefit_text"] or "",
        department_kind=content["department_kind"] or "",
    )
    for name in ("valid_from", "valid_until"):
        content[name] = date.fromisoformat(str(content[name])) if content[name] else None
    return content


def _same(version: PolicyVersion | None, content: dict) -> bool:
    return version is not None and all(getattr(version, k) == v for k, v in content.items())


@transaction.atomic
def policy_save(*, data: dict, actor=None) -> PolicyVersion:
    """Create the policy or a new immutable version of it; an unchanged document is a no-op."""
    fields = check(data)
    if fields:
        raise DomainError(
            "政策内容有误：" + "；".join(f"{k}：{v}" for k, v in fields.items()), fields=fields
        )
    header = {k: data[k] for k in HEADER if data.get(k)}
    policy, _ = Policy.objects.select_for_update().get_or_create(code=data["code"], defaults=header)
    changed = sorted(k for k, v in header.items() if getattr(policy, k) != v)
    if changed:
        Policy.objects.filter(pk=policy.pk).update(**header)
    content = _content(data)
    if _same(policy.current, content):
        if changed:  # the header alone changed: no new version, but still an audited write
            record_event(actor=actor, verb="policy.updated", obj=policy, fields=changed)
        return policy.current
    number = (policy.current.number if policy.current else 0) + 1
    version = PolicyVersion.objects.create(
        policy=policy, number=number, created_by=_user(actor), **content
    )
    Policy.objects.filter(pk=policy.pk).update(current=version)
    record_event(
        actor=actor,
        verb="policy.version_created",
        obj=policy,
        data={"version": number},
        objects=[version],
    )
    return version


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def policies_import(*, items: list, actor=None) -> dict:
    """All or nothing: every document is checked first; errors name the item and field."""
    if not isinstance(items, list):
        raise DomainError("导入文件应为政策数组")
    errors = {}
    for index, item in enumerate(items):
        problems = check(item) if isinstance(item, dict) else {"item": "应为对象"}
        errors.update({f"{index}.{k}": v for k, v in problems.items()})
    if errors:
        raise DomainError(f"导入失败，共 {len(errors)} 处错误", fields=errors)
    with transaction.atomic():
        versions = [policy_save(data=item, actor=actor) for item in items]
    created = sum(
        1 for v in versions if v.created_at >= timezone.now() - timezone.timedelta(minutes=5)
    )
    return {"policies": len(versions), "versions_written": created}
