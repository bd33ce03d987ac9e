"""Writes of the policy library: versions, imports, matching runs, grant batches, opt-outs."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from onething.accounts.constants import Role
from onething.common import jobs
from onething.common.errors import Conflict, DomainError, Forbidden, NotFound
from onething.common.events import record_event
from onething.common.notify import notify
from onething.rules import services as rules

from . import holders, matching
from .constants import (
    EDITORS,
    MESSAGE_PREFIX,
    BatchStatus,
    Exclusion,
    GrantStatus,
    Mode,
    OptOutKind,
    Recurrence,
    RunKind,
    RunStatus,
)
from .models import (
    Grant,
    GrantBatch,
    GrantExclusion,
    OptOut,
    Policy,
    PolicyApplication,
    PolicyMatch,
    PolicyRun,
    PolicyVersion,
)
from .rules import CONTENT, check

REVIEWERS = {Role.CATALOG_ADMIN, Role.DEPT_ADMIN}
HEADER = ("subject", "category", "mode", "recurrence")


def require_role(user, roles: set) -> None:
    if not getattr(user, "is_authenticated", False) or user.role not in roles:
        raise Forbidden("您没有权限进行此操作")


# ---- the library --------------------------------------------------------------------------


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
    Policy.objects.filter(pk=policy.pk).update(**header)
    content = _content(data)
    if _same(policy.current, content):
        return policy.current
    number = (policy.current.number if policy.current else 0) + 1
    version = PolicyVersion.objects.create(
        policy=policy, number=number, created_by=_user(actor), **content
    )
    Policy.objects.filter(pk=policy.pk).update(current=version)
    record_event(actor=actor, verb="policy.version_created", obj=policy, data={"version": number})
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


# ---- matching over the registry -------------------------------------------------------------


def refresh_matches(*, policy: Policy, today: date | None = None) -> dict:
    """Bring PolicyMatch up to date: everything when the version or the day changed (ages move),
    otherwise only holders whose registry row changed since the last run."""
    today = today or timezone.localdate()
    policy = Policy.objects.select_related("current").get(pk=policy.pk)  # fresh watermark
    version = policy.current
    full = policy.matched_version_id != version.pk or policy.matched_on != today
    since = None if full else policy.matched_through
    frame = matching.load(policy.subject, today, changed_since=since)
    keys, info = matching.qualifying(
        frame, code=policy.code, title=version.title, rule=version.eligibility
    )
    with transaction.atomic():
        stats = _store_matches(policy, version, frame, keys, full=full)
        watermark = frame.watermark or policy.matched_through
        Policy.objects.filter(pk=policy.pk).update(
            matched_version=version, matched_through=watermark, matched_on=today
        )
    return {**stats, **info, "full": full, "evaluated": len(frame.keys)}


def _store_matches(policy, version, frame, keys: set, *, full: bool) -> dict:
    existing = PolicyMatch.objects.filter(policy=policy)
    if not full:
        existing = existing.filter(holder_key__in=frame.keys)
    stale = existing.exclude(holder_key__in=keys) if len(keys) < 30000 else existing
    removed, _ = stale.delete()
    have = set(PolicyMatch.objects.filter(policy=policy).values_list("holder_key", flat=True))
    PolicyMatch.objects.filter(policy=policy, holder_key__in=keys).update(version=version)
    fresh = [i for i, key in enumerate(frame.keys) if key in keys and key not in have]
    PolicyMatch.objects.bulk_create(
        [_match_row(policy, version, frame, i) for i in fresh], batch_size=1000
    )
    notified = _announce(policy, version, frame, fresh)
    return {"matched": PolicyMatch.objects.filter(policy=policy).count(), "new": len(fresh),
            "removed": removed, "notified": notified}  # fmt: skip


def _match_row(policy, version, frame, i: int) -> PolicyMatch:
    pk = int(frame.keys[i].split(":")[1])
    person = frame.subject == "person"
    return PolicyMatch(
        policy=policy, version=version, holder_key=frame.keys[i], holder_name=frame.names[i],
        region_code=frame.regions[i], person_id=pk if person else None, entity_id=None if person else pk,
    )  # fmt: skip


def _accounts_by_number(numbers: list[str], subject: str) -> dict[str, list]:
    """The users holding these id numbers / credit codes (only they can be told)."""
    field = "id_number" if subject == "person" else "credit_code"
    users = get_user_model().objects.filter(**{f"{field}__in": numbers}, is_active=True)
    out: dict[str, list] = {}
    for user in users:
        out.setdefault(getattr(user, field), []).append(user)
    return out


def _fresh_numbers(frame, fresh: list[int]) -> dict[int, str]:
    """Frame index → ID number / credit code of the new matches; persons' numbers are read (and
    decrypted) for these matches only."""
    if frame.subject != "person":
        return {i: frame.numbers[i] for i in fresh}
    from onething.registry import selectors as registry

    pks = {i: int(frame.keys[i].split(":")[1]) for i in fresh}
    by_pk = registry.id_numbers_of(pks.values())
    return {i: by_pk.get(pk, "") for i, pk in pks.items()}


def _announce(policy, version, frame, fresh: list[int]) -> int:
    numbers = _fresh_numbers(frame, fresh)
    users = _accounts_by_number([n for n in numbers.values() if n], frame.subject)
    silenced = set(OptOut.objects.filter(policy=policy).values_list("holder_key", flat=True))
    sent = 0
    for i in fresh:
        if frame.keys[i] in silenced:
            continue
        for user in users.get(numbers[i], []):
            _tell_match(user, version, frame.keys[i])
            sent += 1
    return sent


def _tell_match(user, version: PolicyVersion, key: str) -> None:
    notify(
        user=user,
        title=f"政策找人：您可能符合「{version.title}」",
        body=version.summary[:200] or version.benefit_text,
        link="/policies/mine/",
        dedup_key=f"{MESSAGE_PREFIX}match:{version.pk}:{key}:{user.pk}",
    )


# ---- runs ---------------------------------------------------------------------------------


def period_of(policy: Policy, day: date) -> str:
    if policy.recurrence == Recurrence.MONTHLY:
        return day.strftime("%Y-%m")
    return str(day.year) if policy.recurrence == Recurrence.YEARLY else "once"


def run_start(*, policy: Policy, kind: str, actor=None, period: str = "") -> PolicyRun:
    """Queue a match or grant run for the worker; ``actor`` None means the schedule."""
    if actor is not None:
        require_role(actor, EDITORS)
    if kind not in RunKind.values:
        raise DomainError("运行类型应为 match 或 grant", fields={"kind": "取值应为 match、grant"})
    if policy.current is None:
        raise DomainError("该政策还没有版本")
    if kind == RunKind.GRANT:
        period = _grant_period(policy, period)
    return _queue_run(policy, kind, period, actor)


def _grant_period(policy: Policy, period: str) -> str:
    if policy.mode != Mode.AUTO:
        raise DomainError("只有免申即享政策可以生成发放批次")
    period = period or period_of(policy, timezone.localdate())
    if GrantBatch.objects.filter(policy=policy, period=period, status=BatchStatus.PENDING).exists():
        raise Conflict(f"{period} 期已有待审核批次，请先审核")
    return period


@transaction.atomic
def _queue_run(policy, kind, period, actor) -> PolicyRun:
    run = PolicyRun.objects.create(
        policy=policy, version=policy.current, kind=kind, period=period, created_by=_user(actor)
    )
    job = jobs.enqueue("policies.run", payload={"run": run.pk}, dedup_key=f"policies:run:{run.pk}")
    PolicyRun.objects.filter(pk=run.pk).update(job_id=job.pk)
    run.job_id = job.pk
    record_event(
        actor=actor, verb="policy.run_started", obj=policy, data={"run": run.pk, "kind": kind}
    )
    return run


def run_execute(*, run_id: int) -> dict:
    """The worker's half; a run already finished is left alone (jobs may be re-delivered)."""
    run = PolicyRun.objects.select_related("policy__current").filter(pk=run_id).first()
    if run is None or run.status != RunStatus.QUEUED:
        return {"skipped": True}
    try:
        stats = refresh_matches(policy=run.policy)
        if run.kind == RunKind.GRANT:
            stats["batch"] = grant_batch_build(run=run).pk
    except DomainError as error:
        return _finish(run, RunStatus.FAILED, {}, error.message)
    return _finish(run, RunStatus.DONE, stats, "")


def _finish(run, status, stats, error) -> dict:
    stats = {k: v for k, v in stats.items() if isinstance(v, int | str | float | bool | dict)}
    PolicyRun.objects.filter(pk=run.pk).update(
        status=status, stats=stats, error=error, finished_at=timezone.now()
    )
    return {"run": run.pk, "status": status}


# ---- no-application grants ------------------------------------------------------------------


@transaction.atomic
def grant_batch_build(*, run: PolicyRun) -> GrantBatch:
    policy, version = run.policy, run.policy.current
    if GrantBatch.objects.filter(
        policy=policy, period=run.period, status=BatchStatus.PENDING
    ).exists():
        raise Conflict(f"{run.period} 期已有待审核批次")
    batch = GrantBatch.objects.create(policy=policy, version=version, run=run, period=run.period)
    matched = list(PolicyMatch.objects.filter(policy=policy).order_by("id"))
    frame = _frame_of(policy.subject, [m.holder_key for m in matched])
    blocked = _blocked(policy, run.period)
    grants, exclusions = [], []
    for index, key in enumerate(frame.keys):
        verdict = _assess(version, frame.records[index], blocked.get(key))
        row = _holder_fields(frame, index)
        if isinstance(verdict, tuple):
            exclusions.append(
                GrantExclusion(batch=batch, reason=verdict[0], detail=verdict[1], **row)
            )
        else:
            grants.append(Grant(batch=batch, policy=policy, version=version, period=run.period,
                                amount=verdict, values=frame.records[index], **row))  # fmt: skip
    Grant.objects.bulk_create(grants, batch_size=1000)
    GrantExclusion.objects.bulk_create(exclusions, batch_size=1000)
    _totals(batch, grants, frame)
    record_event(actor=None, verb="policy.batch_built", obj=batch, data={"grants": len(grants)})
    return batch


def _frame_of(subject: str, keys: list[str]) -> matching.Frame:
    ids = [int(k.split(":")[1]) for k in keys]
    frame = matching.Frame(subject)
    today = timezone.localdate()
    for chunk in range(0, len(ids), 5000):
        for row in holders.rows(subject, only=ids[chunk : chunk + 5000]):
            frame.add(row, today)
    return frame


def _blocked(policy: Policy, period: str) -> dict[str, tuple[str, str]]:
    out = {
        key: (Exclusion.ALREADY_GRANTED, f"{period} 期已发放或已放弃")
        for key in Grant.objects.filter(policy=policy, period=period)
        .exclude(status=GrantStatus.REJECTED)
        .values_list("holder_key", flat=True)
    }
    declined = OptOut.objects.filter(policy=policy, kind=OptOutKind.BENEFIT)
    for key in declined.values_list("holder_key", flat=True):
        out[key] = (Exclusion.OPTED_OUT, "本人已申明放弃该项待遇")
    return out


def _assess(version: PolicyVersion, record: dict, blocked) -> Decimal | tuple[str, str]:
    if record.get("is_deceased"):
        return (Exclusion.DECEASED, f"死亡日期 {record.get('death_date')}")
    if blocked:
        return blocked
    missing = sorted(n for n in rules.variables_of(version.benefit or 0) if record.get(n) is None)
    if missing:
        return (Exclusion.INCOMPLETE, "缺少数据：" + "、".join(missing))
    return _amount(version, record)


def _amount(version: PolicyVersion, record: dict) -> Decimal | tuple[str, str]:
    if version.benefit is None:
        return Decimal("0")
    try:
        value = Decimal(str(rules.evaluate(version.benefit, record))).quantize(Decimal("0.01"))
    except (InvalidOperation, rules.RuleRuntimeError, TypeError, ValueError):
        value = None
    if value is None or not value.is_finite() or value < 0:
        return (Exclusion.INCOMPLETE, "无法计算待遇金额")
    return value


def _holder_fields(frame: matching.Frame, i: int) -> dict:
    pk = int(frame.keys[i].split(":")[1])
    person = frame.subject == "person"
    return {
        "holder_key": frame.keys[i],
        "holder_name": frame.names[i],
        "region_code": frame.regions[i],
        "person_id": pk if person else None,
        "entity_id": None if person else pk,
    }


def _totals(batch: GrantBatch, grants: list[Grant], frame) -> None:
    batch.total_amount = sum((g.amount for g in grants), Decimal("0"))
    batch.beneficiaries = len(grants)
    batch.data_version = {
        "evaluated_on": timezone.localdate().isoformat(),
        "rows": len(frame.keys),
        "registry_updated_through": frame.watermark.isoformat() if frame.watermark else None,
        "rule_version": batch.version.number,
    }
    batch.save(update_fields=["total_amount", "beneficiaries", "data_version"])


def _review(batch: GrantBatch, actor, status: str, note: str) -> GrantBatch:
    require_role(actor, REVIEWERS)
    batch = GrantBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != BatchStatus.PENDING:
        raise Conflict("该批次已审核")
    batch.status, batch.reviewed_by, batch.reviewed_at = status, actor, timezone.now()
    batch.review_note = note[:300]
    batch.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    record_event(actor=actor, verb=f"policy.batch_{status}", obj=batch, data={"note": note})
    return batch


@transaction.atomic
def batch_approve(*, batch: GrantBatch, actor, note: str = "") -> GrantBatch:
    batch = _review(batch, actor, BatchStatus.APPROVED, note)
    batch.grants.filter(status=GrantStatus.PROPOSED).update(status=GrantStatus.GRANTED)
    grants = list(batch.grants.filter(status=GrantStatus.GRANTED))
    numbers = _numbers(grants)
    users = _accounts_by_number(list(numbers.values()), batch.policy.subject)
    for grant in grants:
        for user in users.get(numbers.get(grant.pk, ""), []):
            _tell_grant(user, grant, batch)
    return batch


def _numbers(grants: list[Grant]) -> dict[int, str]:
    out = {}
    for grant in grants:
        holder = grant.person or grant.entity
        out[grant.pk] = getattr(holder, "id_number", None) or getattr(holder, "credit_code", "")
    return out


def _tell_grant(user, grant: Grant, batch: GrantBatch) -> None:
    notify(
        user=user,
        title=f"免申即享：「{batch.version.title}」{grant.period} 期 {grant.amount} 元已核定发放",
        body="无需申请，资金将按月发放至您的社保卡或惠民惠农“一卡通”账户。如需放弃，请在“我的政策”中操作。",
        link="/policies/mine/",
        dedup_key=f"{MESSAGE_PREFIX}grant:{grant.pk}",
    )


@transaction.atomic
def batch_reject(*, batch: GrantBatch, actor, note: str) -> GrantBatch:
    if not note.strip():
        raise DomainError("请填写驳回理由", fields={"note": "必填"})
    batch = _review(batch, actor, BatchStatus.REJECTED, note)
    batch.grants.update(status=GrantStatus.REJECTED)
    return batch


def _holder_key_of(user, policy: Policy) -> str:
    from onething.registry import selectors as registry

    holder = (
        registry.person_for_user(user)
        if policy.subject == "person"
        else registry.entity_for_user(user)
    )
    if holder is None:
        raise Forbidden("未找到您的基础信息")
    return (
        holders.of_person(holder).key
        if policy.subject == "person"
        else holders.of_entity(holder).key
    )


@transaction.atomic
def grant_decline(*, grant: Grant, actor) -> Grant:
    """The beneficiary declines this grant and the benefit from now on."""
    if _holder_key_of(actor, grant.policy) != grant.holder_key:
        raise NotFound("未找到该待遇")
    if grant.status not in (GrantStatus.PROPOSED, GrantStatus.GRANTED):
        raise Conflict("该待遇当前状态不能放弃")
    Grant.objects.filter(pk=grant.pk).update(status=GrantStatus.DECLINED)
    OptOut.objects.get_or_create(policy=grant.policy, holder_key=grant.holder_key,
                                 kind=OptOutKind.BENEFIT, defaults={"created_by": actor})  # fmt: skip
    record_event(actor=actor, verb="policy.grant_declined", obj=grant)
    grant.refresh_from_db()
    return grant


@transaction.atomic
def opt_out(*, policy: Policy, actor, kind: str = OptOutKind.MESSAGES) -> OptOut:
    key = _holder_key_of(actor, policy)
    row, _ = OptOut.objects.get_or_create(policy=policy, holder_key=key, kind=kind,
                                          defaults={"created_by": actor})  # fmt: skip
    record_event(actor=actor, verb="policy.opted_out", obj=policy, data={"kind": kind})
    return row


@transaction.atomic
def opt_in(*, policy: Policy, actor) -> None:
    OptOut.objects.filter(policy=policy, holder_key=_holder_key_of(actor, policy)).delete()
    record_event(actor=actor, verb="policy.opted_in", obj=policy)


@transaction.atomic
def policy_apply(*, policy: Policy, actor, confirmations: list[str]) -> PolicyApplication:
    """One-click application: the registry data is carried over; only confirmations are asked."""
    from . import selectors

    if policy.mode != Mode.APPLY:
        raise DomainError("免申即享政策无需申请")
    holder = selectors.holder_for(actor, policy.subject)
    if holder is None:
        raise Forbidden("未找到您的基础信息，无法申请")
    missing = [c for c in policy.current.confirmations if c not in confirmations]
    if missing:
        raise DomainError("请确认：" + "；".join(missing), fields={"confirmations": "请逐项确认"})
    values = holders.attributes(holder, timezone.localdate())
    app, created = PolicyApplication.objects.get_or_create(
        policy=policy, holder_key=holder.key,
        defaults={"version": policy.current, "applicant": actor, "values": values,
                  "confirmations": confirmations, "holder_name": holder.name,
                  "region_code": holder.region_code, "person": holder.person, "entity": holder.entity},
    )  # fmt: skip
    if not created:
        raise Conflict("您已申请过该政策")
    record_event(
        actor=actor, verb="policy.applied", obj=app, data={"version": policy.current.number}
    )
    return app


def scheduled_grants(*, today: date | None = None) -> int:
    """Start this period's grant run of each recurring no-application policy, once."""
    today = today or timezone.localdate()
    started = 0
    for policy in Policy.objects.filter(active=True, mode=Mode.AUTO, current__isnull=False):
        period = period_of(policy, today)
        if (
            GrantBatch.objects.filter(policy=policy, period=period)
            .exclude(status=BatchStatus.REJECTED)
            .exists()
        ):
            continue
        if PolicyRun.objects.filter(
            policy=policy, kind=RunKind.GRANT, period=period, status=RunStatus.QUEUED
        ).exists():
            continue
        run_start(policy=policy, kind=RunKind.GRANT, period=period)
        started += 1
    return started
