"""No-application grants (免申即享): building a batch, approving or rejecting it, declining, opting out, applying."""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from onething.common.errors import Conflict, DomainError, Forbidden, NotFound
from onething.common.events import record_event
from onething.common.notify import notify
from onething.rules import services as rules

from .. import holders, matching
from ..constants import (
    MESSAGE_PREFIX,
    BatchStatus,
    Exclusion,
    GrantStatus,
    Mode,
    OptOutKind,
)
from ..models import (
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
from .base import REVIEWERS, require_role
from .matching import _accounts_by_number


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
            grants.append(
                Grant(
                    batch=batch,
                    policy=policy,
                    version=version,
                    period=run.period,
                    amount=verdict,
                    values=frame.records[index],
                    **row,
                )
            )
    Grant.objects.bulk_create(grants, batch_size=1000)
    GrantExclusion.objects.bulk_create(exclusions, batch_size=1000)
    _totals(batch, grants, frame)
    record_event(
        actor=None,
        verb="policy.batch_built",
        obj=batch,
        data={"grants": len(grants), "exclusions": len(exclusions)},
        objects=[*grants, *exclusions],
    )
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


def _review(batch: GrantBatch, actor, status: str, note: str, grants: list[int]) -> GrantBatch:
    """Record the review; ``grants`` are the grant rows the decision updates (audited with it)."""
    require_role(actor, REVIEWERS)
    batch = GrantBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != BatchStatus.PENDING:
        raise Conflict("该批次已审核")
    batch.status, batch.reviewed_by, batch.reviewed_at = status, actor, timezone.now()
    batch.review_note = note[:300]
    batch.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    record_event(
        actor=actor,
        verb=f"policy.batch_{status}",
        obj=batch,
        data={"note": note},
        objects=[(Grant, pk) for pk in grants],
    )
    return batch


@transaction.atomic
def batch_approve(*, batch: GrantBatch, actor, note: str = "") -> GrantBatch:
    proposed = batch.grants.filter(status=GrantStatus.PROPOSED)
    batch = _review(batch, actor, BatchStatus.APPROVED, note, _locked_pks(proposed))
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
    batch = _review(batch, actor, BatchStatus.REJECTED, note, _locked_pks(batch.grants.all()))
    batch.grants.update(status=GrantStatus.REJECTED)
    return batch


def _locked_pks(grants) -> list[int]:
    return list(grants.select_for_update().values_list("pk", flat=True))


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
    opt, created = OptOut.objects.get_or_create(
        policy=grant.policy,
        holder_key=grant.holder_key,
        kind=OptOutKind.BENEFIT,
        defaults={"created_by": actor},
    )
    record_event(
        actor=actor,
        verb="policy.grant_declined",
        obj=grant,
        fields=["status"],
        objects=[opt] if created else (),
    )
    grant.refresh_from_db()
    return grant


@transaction.atomic
def opt_out(*, policy: Policy, actor, kind: str = OptOutKind.MESSAGES) -> OptOut:
    key = _holder_key_of(actor, policy)
    row, created = OptOut.objects.get_or_create(
        policy=policy, holder_key=key, kind=kind, defaults={"created_by": actor}
    )
    record_event(
        actor=actor,
        verb="policy.opted_out",
        obj=policy,
        data={"kind": kind},
        objects=[row] if created else (),
    )
    return row


@transaction.atomic
def opt_in(*, policy: Policy, actor) -> None:
    rows = OptOut.objects.filter(policy=policy, holder_key=_holder_key_of(actor, policy))
    gone = [(OptOut, pk) for pk in rows.select_for_update().values_list("pk", flat=True)]
    rows.delete()
    record_event(actor=actor, verb="policy.opted_in", obj=policy, objects=gone)


@transaction.atomic
def policy_apply(*, policy: Policy, actor, confirmations: list[str]) -> PolicyApplication:
    """One-click application: the registry data is carried over; only confirmations are asked."""
    from .. import selectors

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
        policy=policy,
        holder_key=holder.key,
        defaults={
            "version": policy.current,
            "applicant": actor,
            "values": values,
            "confirmations": confirmations,
            "holder_name": holder.name,
            "region_code": holder.region_code,
            "person": holder.person,
            "entity": holder.entity,
        },
    )
    if not created:
        raise Conflict("您已申请过该政策")
    record_event(
        actor=actor, verb="policy.applied", obj=app, data={"version": policy.current.number}
    )
    return app
