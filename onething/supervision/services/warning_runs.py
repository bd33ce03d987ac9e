"""Warnings: evaluating the rules over open tasks, cases, commitments and tickets; acknowledging and resolving."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from onething.accounts.constants import Role
from onething.accounts.models import User
from onething.common.errors import Conflict, NotFound, Unprocessable
from onething.common.events import record_event
from onething.common.notify import notify
from onething.rules import services as rules

from .. import attributes, selectors
from ..constants import Target, WarningLevel, WarningStatus
from ..facts import region_path
from ..models import (
    Warning,
    WarningRule,
)


def warnings_evaluate(*, now: datetime | None = None) -> dict:
    """Raise a warning per rule, object and level once; resolve those whose object closed."""
    now = now or timezone.now()
    raised = resolved = 0
    rules_by_target: dict[str, list[WarningRule]] = {}
    # Red rules first: an object already late gets its red warning, not a yellow one as well.
    for rule in WarningRule.objects.filter(enabled=True).order_by("level", "code"):
        rules_by_target.setdefault(rule.target, []).append(rule)
    for target in Target.values:
        seen = set()
        for subject in attributes.subjects(target, now):
            seen.add(subject.id)
            for rule in rules_by_target.get(target, []):
                raised += _check(rule, subject, now)
        resolved += _close_gone(target, seen, now)
    return {"raised": raised, "resolved": resolved}


def _record(rule: WarningRule, subject, now: datetime) -> dict:
    local = timezone.localtime(now)
    return {**subject.record, "rule": {"threshold": rule.threshold}, "now": {"hour": local.hour}}


def _applies(rule: WarningRule, subject) -> bool:
    if rule.region_id is None:
        return True
    return bool(subject.region) and rule.region_id in region_path(subject.region)


def _check(rule: WarningRule, subject, now: datetime) -> int:
    if not _applies(rule, subject):
        return 0
    try:
        hit = rules.holds(rule.condition, _record(rule, subject, now))
    except rules.RuleRuntimeError:
        return 0  # a rule that cannot be evaluated on this object raises nothing
    if not hit:
        return 0
    same = Warning.objects.filter(target=subject.target, target_id=subject.id)
    if same.filter(rule=rule, level=rule.level).exists():
        return 0
    if rule.level == WarningLevel.YELLOW and same.filter(level=WarningLevel.RED).exists():
        return 0  # already escalated: a reminder after the red one says nothing new
    return _raise(rule, subject)


def _raise(rule: WarningRule, subject) -> int:
    try:
        with transaction.atomic():
            warning = Warning.objects.create(
                rule=rule,
                level=rule.level,
                target=subject.target,
                target_id=subject.id,
                title=f"{rule.name}：{subject.title}"[:255],
                link=subject.link,
                department=subject.department,
                data=subject.record,
                **attributes.scope_of(subject),
            )
            record_event(
                actor=None,
                verb="supervision.warning_raised",
                obj=warning,
                data={
                    "rule": rule.code,
                    "level": rule.level,
                    "target": subject.target,
                    "id": subject.id,
                },
            )
            _notify(warning)
            _supersede(warning)
    except IntegrityError:
        return 0  # another worker raised it first: the unique constraint keeps one row
    return 1


def _supersede(warning: Warning) -> None:
    """A red warning replaces the yellow ones of the same object: one late task is one thing to
    handle, not three (the yellow rows stay in the history, resolved, and are never raised again)."""
    if warning.level != WarningLevel.RED:
        return
    lower = Warning.objects.filter(
        target=warning.target, target_id=warning.target_id, level=WarningLevel.YELLOW
    ).exclude(status=WarningStatus.RESOLVED)
    replaced = list(lower.values_list("pk", flat=True))
    if not replaced:
        return
    Warning.objects.filter(pk__in=replaced).update(
        status=WarningStatus.RESOLVED,
        resolved_at=timezone.now(),
        note=f"已升级为红色预警（{warning.rule.name}），自动解除",
    )
    record_event(
        actor=None,
        verb="supervision.warning_superseded",
        obj=warning,
        objects=[(Warning, pk) for pk in replaced],
        data={"superseded": replaced},
    )


def _recipients(warning: Warning):
    staff = User.objects.none()
    if warning.department_id:
        staff = User.objects.filter(
            department_id=warning.department_id,
            role__in=[Role.DEPT_ADMIN, Role.DEPT_REVIEWER],
            is_active=True,
        )
    codes = [c for c in (warning.province, warning.city, warning.county) if c]
    supervisors = User.objects.filter(role=Role.SUPERVISOR, is_active=True).filter(
        region_id__in=codes
    ) | User.objects.filter(role=Role.SUPERVISOR, is_active=True, region__isnull=True)
    return list(staff) + list(supervisors)


def _notify(warning: Warning) -> None:
    for user in _recipients(warning):
        notify(
            user=user,
            title=f"{warning.get_level_display()}：{warning.title}"[:200],
            link="/supervision/warnings/",
            dedup_key=f"supervision:warning:{warning.pk}:{user.pk}",
        )


def _close_gone(target: str, seen: set[str], now: datetime) -> int:
    gone = Warning.objects.filter(target=target).exclude(status=WarningStatus.RESOLVED)
    count = 0
    for warning in gone.exclude(target_id__in=seen):
        with transaction.atomic():
            updated = (
                Warning.objects.filter(pk=warning.pk)
                .exclude(status=WarningStatus.RESOLVED)
                .update(status=WarningStatus.RESOLVED, resolved_at=now, note="对象已办结，自动解除")
            )
            if updated:
                record_event(actor=None, verb="supervision.warning_auto_resolved", obj=warning)
            count += updated
    return count


def _locked_warning(warning_id: int, actor) -> Warning:
    warning = Warning.objects.select_for_update().filter(pk=warning_id).first()
    if warning is None or not selectors.can_see_warning(actor, warning):
        raise NotFound("预警不存在")
    return warning


@transaction.atomic
def warning_acknowledge(*, warning_id: int, actor, note: str = "") -> Warning:
    warning = _locked_warning(warning_id, actor)
    if warning.status != WarningStatus.OPEN:
        raise Conflict(f"该预警当前状态为“{warning.get_status_display()}”，无需确认")
    warning.status, warning.acknowledged_at, warning.acknowledged_by = (
        WarningStatus.ACKNOWLEDGED,
        timezone.now(),
        actor,
    )
    warning.note = note.strip() or warning.note
    warning.save()
    record_event(
        actor=actor, verb="supervision.warning_acknowledged", obj=warning, data={"note": note}
    )
    return warning


@transaction.atomic
def warning_resolve(*, warning_id: int, actor, note: str = "") -> Warning:
    warning = _locked_warning(warning_id, actor)
    if warning.status == WarningStatus.RESOLVED:
        raise Conflict("该预警已解除")
    if not note.strip():
        raise Unprocessable("请填写处理说明", fields={"note": "必填"})
    warning.status, warning.resolved_at, warning.resolved_by, warning.note = (
        WarningStatus.RESOLVED,
        timezone.now(),
        actor,
        note.strip(),
    )
    warning.save()
    record_event(actor=actor, verb="supervision.warning_resolved", obj=warning, data={"note": note})
    return warning
