"""Every write of supervision: case facts and rollups, warning rules and warnings.

Public functions are keyword-only and run in one transaction; warnings append events and
queue notifications (deduplicated) in the same transaction.
"""

from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from onething.accounts.constants import RegionLevel, Role
from onething.accounts.models import Region, User
from onething.cases import selectors as cases
from onething.cases.constants import CaseStatus
from onething.common.errors import Conflict, Forbidden, NotFound, Unprocessable
from onething.common.events import record_event
from onething.common.models import Event
from onething.common.notify import notify
from onething.rules import services as rules

from . import attributes, facts, selectors
from .constants import ATTRIBUTES, COMMON_ATTRIBUTES, Target, WarningLevel, WarningStatus
from .defaults import DEFAULT_RULES
from .facts import region_path
from .models import (
    CaseFact,
    DayRollup,
    Grain,
    MonthRollup,
    OpenRollup,
    RollupState,
    Warning,
    WarningRule,
)

# Re-reading a little of the past on each catch-up covers transactions that committed late.
OVERLAP = timedelta(minutes=5)


# ---- case facts --------------------------------------------------------------------------


@transaction.atomic
def case_fact_refresh(*, case) -> CaseFact:
    """Upsert the case's fact row; the cases app calls this on commit of every change."""
    case = cases.case_for_facts(case.pk)
    fact, _ = CaseFact.objects.update_or_create(case_id=case.pk, defaults=facts.fact_values(case))
    return fact


def _watermark(name: str) -> datetime | None:
    row = RollupState.objects.filter(name=name).first()
    return row.value if row else None


def _set_watermark(name: str, value: datetime) -> None:
    RollupState.objects.update_or_create(name=name, defaults={"value": value})


def facts_catch_up(*, now: datetime | None = None) -> int:
    """Refresh facts of cases with events since the last run, and of cases without a fact."""
    now = now or timezone.now()
    since = _watermark("facts")
    changed = Event.objects.filter(object_type="cases.case")
    if since is not None:
        changed = changed.filter(created_at__gte=since - OVERLAP)
    ids = {int(i) for i in changed.values_list("object_id", flat=True).distinct()}
    ids |= set(cases.case_pks_without(CaseFact.objects.values("case_id")))
    for case in cases.cases_by_pk(ids):
        case_fact_refresh(case=case)
    _set_watermark("facts", now)
    return len(ids)


# ---- rollups -----------------------------------------------------------------------------


def _month(day: date) -> date:
    return day.replace(day=1)


def _next_month(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)


def touched_months(since: datetime | None) -> set[date]:
    """Months whose rollups a fact change since ``since`` may have moved."""
    qs = CaseFact.objects.all() if since is None else CaseFact.objects.filter(updated_at__gte=since)
    days = set(qs.values_list("submitted_on", flat=True).distinct())
    days |= set(qs.exclude(finished_on=None).values_list("finished_on", flat=True).distinct())
    return {_month(d) for d in days if d}


@transaction.atomic
def rollup_month(*, month: date) -> int:
    """Recompute one month's rollup rows from the facts (idempotent)."""
    month, end = _month(month), _next_month(_month(month))
    _purge(MonthRollup.objects.filter(month=month))
    _purge(DayRollup.objects.filter(day__gte=month, day__lt=end))
    in_month = CaseFact.objects.filter(submitted_on__gte=month, submitted_on__lt=end).order_by()
    # Prefixed aliases: several measures share a name with a fact column they filter on.
    measures = {f"m_{k}": v for k, v in facts.MONTH_MEASURES.items()}
    counties = [
        {**{k: r[k] for k in PLACE}, "onething": r["onething"],
         **{k: r[f"m_{k}"] or 0 for k in facts.MONTH_MEASURES}}
        for r in in_month.values(*PLACE, "onething").annotate(**measures)
    ]  # fmt: skip
    rows = [
        MonthRollup(month=month, grain=grain, region=facts.leaf(r), **r)
        for grain, grouped in _grains(counties, ["onething"], list(facts.MONTH_MEASURES))
        for r in grouped
    ]
    MonthRollup.objects.bulk_create(rows, batch_size=2000)
    days = [
        DayRollup(grain=grain, region=facts.leaf(r), **r)
        for grain, grouped in _grains(
            _day_counts(month, end), ["day", "onething"], ["cases", "completed"]
        )
        for r in grouped
    ]
    DayRollup.objects.bulk_create(days, batch_size=2000)
    return len(rows)


PLACE = ["province", "city", "county"]


def _purge(qs) -> None:
    """One DELETE statement: rollup rows are derived data, so no per-row delete signals
    (QuerySet.delete would load every row to send them, thousands per rebuild)."""
    qs._raw_delete(qs.db)


def _grains(rows: list[dict], keys: list[str], measures: list[str]):
    """County-grain rows as given, and the same summed per city (county left blank)."""
    yield Grain.COUNTY, rows
    cities: dict[tuple, dict] = {}
    for r in rows:
        key = (r["province"], r["city"], *(r[k] for k in keys))
        row = cities.setdefault(
            key, {"province": r["province"], "city": r["city"], "county": "",
                  **{k: r[k] for k in keys}, **dict.fromkeys(measures, 0)}
        )  # fmt: skip
        for m in measures:
            row[m] += r[m]
    yield Grain.CITY, list(cities.values())


def _day_counts(month: date, end: date) -> list[dict]:
    """Per day, county and one-thing; then also summed over one-things (onething '')."""
    base = CaseFact.objects.order_by()
    by_day: dict[tuple, dict] = {}
    for field, measure, extra in (
        ("submitted_on", "cases", {}),
        ("finished_on", "completed", {"completed": True}),
    ):
        rows = base.filter(**{f"{field}__gte": month, f"{field}__lt": end}, **extra)
        for r in rows.values(field, *PLACE, "onething").annotate(n=Count("id")):
            for thing in (r["onething"], ""):
                key = (r[field], r["province"], r["city"], r["county"], thing)
                row = by_day.setdefault(
                    key, {"day": r[field], **{k: r[k] for k in PLACE}, "onething": thing,
                          "cases": 0, "completed": 0},
                )  # fmt: skip
                row[measure] += r["n"]
    return list(by_day.values())


@transaction.atomic
def open_rollup_rebuild(*, today: date | None = None) -> int:
    """Recount cases in progress and overdue (the date moves, so all of it, every run)."""
    today = today or timezone.localdate()
    _purge(OpenRollup.objects.all())
    open_facts = CaseFact.objects.filter(status=CaseStatus.PROCESSING).order_by()
    counts = [
        {**{k: r[k] for k in PLACE}, "onething": r["onething"], "processing": r["n"],
         "overdue": r["late"]}
        for r in open_facts.values(*PLACE, "onething").annotate(
            n=Count("id"), late=Count("id", filter=Q(deadline__lt=today))
        )
    ]  # fmt: skip
    rows = [
        OpenRollup(grain=grain, region=facts.leaf(r), as_of=today, **r)
        for grain, grouped in _grains(counts, ["onething"], ["processing", "overdue"])
        for r in grouped
    ]
    OpenRollup.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def rollups_rebuild(*, months: list[date] | None = None, now: datetime | None = None) -> int:
    """Rebuild the given months, or those touched since the last run (the periodic job)."""
    now = now or timezone.now()
    if months is None:
        since = _watermark("rollups")
        months = sorted(touched_months(None if since is None else since - OVERLAP))
        _set_watermark("rollups", now)
    return sum(rollup_month(month=m) for m in months)


def rollups_rebuild_all() -> int:
    """Everything from the facts (after a bulk load, or to repair)."""
    _purge(MonthRollup.objects.all())
    _purge(DayRollup.objects.all())
    built = rollups_rebuild(months=sorted(touched_months(None)))
    open_rollup_rebuild()
    return built


def refresh(*, now: datetime | None = None) -> dict:
    """The periodic catch-up: facts of changed cases, then the rollups of touched months."""
    result = {"facts": facts_catch_up(now=now), "rollup_rows": rollups_rebuild(now=now)}
    result["open_rows"] = open_rollup_rebuild(today=timezone.localdate(now))
    return result


# ---- warning rules -----------------------------------------------------------------------


def _vars(node) -> set[str]:
    if isinstance(node, dict):
        if "var" in node and len(node) == 1:
            arg = node["var"]
            name = arg[0] if isinstance(arg, list) and arg else arg
            return {str(name)} if name not in (None, "") else set()
        return set().union(*(_vars(v) for v in node.values())) if node else set()
    if isinstance(node, list):
        return set().union(*(_vars(v) for v in node)) if node else set()
    return set()


def rule_problems(target: str, condition) -> dict[str, str]:
    """Chinese messages for an invalid rule (unknown target, operator or attribute)."""
    if target not in Target.values:
        return {"target": "应为 case、task、commitment 或 ticket"}
    known = set(ATTRIBUTES[target]) | set(COMMON_ATTRIBUTES)
    errors = [e.message for e in rules.check_stored(condition)]
    if not errors:
        errors = [f"未知属性：{v}" for v in sorted(_vars(condition) - known)]
    return {"condition": "；".join(errors)} if errors else {}


def is_provincial(actor) -> bool:
    """The system, a provincial supervisor, or an admin-site user granted the permission."""
    if actor is None:
        return True
    if actor.role == Role.SUPERVISOR:
        return actor.region_id is None or actor.region.level == RegionLevel.PROVINCE
    return actor.has_perm("supervision.change_warningrule")


def rule_editable(actor, region) -> bool:
    """A supervisor edits the rules of their region and below; province-wide ones (no region)
    belong to a provincial supervisor."""
    if is_provincial(actor):
        return True
    if actor.role != Role.SUPERVISOR or region is None:
        return False
    return region.code.startswith(actor.region.prefix)


def _rule_region(actor, existing: WarningRule | None, region: str | None):
    """The region a saved rule applies in: as given, else as it was, else the editor's own."""
    if region is None:
        if existing is not None:
            return existing.region
        return None if is_provincial(actor) else actor.region
    if region == "":
        return None
    found = Region.objects.filter(code=region).first()
    if found is None:
        raise Unprocessable(f"未知的行政区划：{region}", fields={"region": "不存在"})
    return found


def _check_editable(actor, existing: WarningRule | None, region) -> None:
    if actor is not None and actor.role != Role.SUPERVISOR and not is_provincial(actor):
        raise Forbidden("仅监督人员可以配置预警规则")
    for where in ([existing.region] if existing else []) + [region]:
        if not rule_editable(actor, where):
            scope = where.name if where else "全省"
            raise Forbidden(
                f"无权修改适用于{scope}的预警规则：只能配置本区划及下级的规则",
                fields={"region": "超出您的管辖范围"},
            )


@transaction.atomic
def rule_save(
    *,
    actor,
    code: str,
    name: str,
    target: str,
    level: str,
    condition,
    threshold: float = 0,
    enabled: bool = True,
    description: str = "",
    region: str | None = None,
) -> WarningRule:
    """Create or change a rule. ``region`` is a region code, "" for the whole province, or
    None to keep the rule's region (a new rule: the editor's own)."""
    existing = WarningRule.objects.select_for_update().filter(code=code).first()
    where = _rule_region(actor, existing, region)
    _check_editable(actor, existing, where)
    errors = rule_problems(target, condition)
    if level not in WarningLevel.values:
        errors["level"] = "应为 yellow 或 red"
    if errors:
        raise Unprocessable("预警规则有误：" + "；".join(errors.values()), fields=errors)
    rule, created = WarningRule.objects.update_or_create(
        code=code,
        defaults=dict(
            name=name, target=target, level=level, condition=condition,
            threshold=threshold, enabled=enabled, description=description, region=where,
        ),
    )  # fmt: skip
    record_event(
        actor=actor, verb="supervision.rule_saved", obj=rule,
        data={"created": created, "region": where.code if where else ""},
    )  # fmt: skip
    return rule


def rule_exists(code: str) -> bool:
    return WarningRule.objects.filter(code=code).exists()


def default_rules_ensure() -> int:
    """Create the default rules that are missing; an edited rule is left as it is."""
    created = 0
    for code, name, target, level, condition, threshold, description in DEFAULT_RULES:
        if WarningRule.objects.filter(code=code).exists():
            continue
        rule_save(
            actor=None, code=code, name=name, target=target, level=level,
            condition=condition, threshold=threshold, description=description,
        )  # fmt: skip
        created += 1
    return created


# ---- warnings ----------------------------------------------------------------------------


def warnings_evaluate(*, now: datetime | None = None) -> dict:
    """Raise a warning per rule, object and level once; resolve those whose object closed."""
    now = now or timezone.now()
    raised = resolved = 0
    rules_by_target: dict[str, list[WarningRule]] = {}
    for rule in WarningRule.objects.filter(enabled=True):
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
    exists = Warning.objects.filter(
        rule=rule, target=subject.target, target_id=subject.id, level=rule.level
    ).exists()
    return _raise(rule, subject) if hit and not exists else 0


def _raise(rule: WarningRule, subject) -> int:
    try:
        with transaction.atomic():
            warning = Warning.objects.create(
                rule=rule, level=rule.level, target=subject.target, target_id=subject.id,
                title=f"{rule.name}：{subject.title}"[:255], link=subject.link,
                department=subject.department, data=subject.record, **attributes.scope_of(subject),
            )  # fmt: skip
            record_event(
                actor=None, verb="supervision.warning_raised", obj=warning,
                data={"rule": rule.code, "level": rule.level, "target": subject.target, "id": subject.id},
            )  # fmt: skip
            _notify(warning)
    except IntegrityError:
        return 0  # another worker raised it first: the unique constraint keeps one row
    return 1


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
        WarningStatus.ACKNOWLEDGED, timezone.now(), actor,
    )  # fmt: skip
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
        WarningStatus.RESOLVED, timezone.now(), actor, note.strip(),
    )  # fmt: skip
    warning.save()
    record_event(actor=actor, verb="supervision.warning_resolved", obj=warning, data={"note": note})
    return warning


def last_fact_update() -> datetime | None:
    return CaseFact.objects.aggregate(m=Max("updated_at"))["m"]
