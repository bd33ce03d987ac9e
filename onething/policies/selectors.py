"""Reads of the policy library, scoped to who is asking."""

from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils import timezone

from onething.accounts.constants import Role
from onething.accounts.models import Region
from onething.registry import selectors as registry
from onething.rules import services as rules

from . import holders
from .constants import EDITORS, BatchStatus, GrantStatus, OptOutKind, Subject
from .models import Grant, GrantBatch, OptOut, Policy, PolicyApplication, PolicyMatch, PolicyRun

BATCH_VIEWERS = EDITORS | {Role.SUPERVISOR}


def policies(*, subject: str = "", category: str = "", q: str = ""):
    qs = Policy.objects.filter(active=True, current__isnull=False).select_related("current")
    if subject:
        qs = qs.filter(subject=subject)
    if category:
        qs = qs.filter(category=category)
    if q:
        qs = qs.filter(
            Q(current__title__icontains=q) | Q(code__icontains=q) | Q(current__tags__icontains=q)
        )
    return qs.order_by("subject", "category", "code")


def policy_get(code: str) -> Policy | None:
    return Policy.objects.select_related("current").filter(code=code, current__isnull=False).first()


def holder_for(user, subject: str) -> holders.Holder | None:
    if subject == Subject.PERSON:
        person = registry.person_for_user(user)
        return holders.of_person(person) if person else None
    entity = registry.entity_for_user(user)
    return holders.of_entity(entity) if entity else None


@dataclass
class Finding:
    policy: Policy
    passed: bool
    lines: list[str]
    failed: list[str]
    amount: object = None
    opted_out: bool = False
    applied: bool = False


def findings_for(holder: holders.Holder, subject: str) -> tuple[list[Finding], list[Finding]]:
    """(qualifies now, fails exactly one condition) over every active policy for this holder."""
    today = timezone.localdate()
    record = holders.attributes(holder, today)
    wording = holders.wording_for(subject)
    muted = set(OptOut.objects.filter(holder_key=holder.key).values_list("policy_id", flat=True))
    applied = set(
        PolicyApplication.objects.filter(holder_key=holder.key).values_list("policy_id", flat=True)
    )
    matches, near = [], []
    for policy in policies(subject=subject):
        finding = _finding(policy, record, wording, today)
        if finding is None:
            continue
        finding.opted_out, finding.applied = policy.pk in muted, policy.pk in applied
        (matches if finding.passed else near).append(finding)
    return matches, near


def _finding(policy: Policy, record: dict, wording, today) -> Finding | None:
    version = policy.current
    if version.valid_until and version.valid_until < today:
        return None
    explanation = wording.explain(version.eligibility, record)
    if not explanation.passed and not wording.near_miss(version.eligibility, record):
        return None
    failed = [c.line for c in explanation.failed]
    amount = _amount(version, record) if explanation.passed else None
    return Finding(policy, explanation.passed, explanation.lines, failed, amount)


def _amount(version, record):
    if version.benefit is None:
        return None
    try:
        return rules.evaluate(version.benefit, record)
    except rules.RuleRuntimeError:
        return None


def my_findings(user) -> dict:
    """The logged-in user's own space: their person and/or entity, never anyone else's."""
    out = {}
    for subject in (Subject.ENTITY, Subject.PERSON):
        holder = holder_for(user, subject)
        if holder is not None:
            matches, near = findings_for(holder, subject)
            out[subject] = {"holder": holder, "matches": matches, "near": near}
    return out


def my_grants(user):
    keys = [h.key for s in Subject.values if (h := holder_for(user, s))]
    return (
        Grant.objects.filter(holder_key__in=keys)
        .exclude(status=GrantStatus.REJECTED)
        .select_related("version")
    )


def counts_by_region(policy: Policy) -> list[dict]:
    """Qualifying holders per city (市州), from the stored matches."""
    rows = {}
    for code, n in (
        PolicyMatch.objects.filter(policy=policy).values_list("region_code").annotate(n=Count("id"))
    ):
        city = (code[:4] + "00") if code else ""
        rows[city] = rows.get(city, 0) + n
    names = dict(Region.objects.filter(code__in=rows).values_list("code", "name"))
    return [
        {"code": c, "name": names.get(c, "未登记"), "count": n} for c, n in sorted(rows.items())
    ]


def runs_of(policy: Policy):
    return PolicyRun.objects.filter(policy=policy).select_related("version")[:20]


def run_get(user, run_id: int) -> PolicyRun | None:
    if not getattr(user, "is_authenticated", False) or user.role not in BATCH_VIEWERS:
        return None
    return PolicyRun.objects.select_related("policy", "version").filter(pk=run_id).first()


def batches_visible_to(user):
    if not getattr(user, "is_authenticated", False) or user.role not in BATCH_VIEWERS:
        return GrantBatch.objects.none()
    return GrantBatch.objects.select_related("policy", "version", "reviewed_by")


def batch_get(user, batch_id: int) -> GrantBatch | None:
    return batches_visible_to(user).filter(pk=batch_id).first()


def region_prefix(user) -> str | None:
    """The GB/T 2260 prefix of the user's area: 42 for 湖北省, 4201 for 武汉市, 420102 for 江岸区."""
    code = getattr(user, "region_id", None) or ""
    if not code:
        return None
    if code.endswith("0000"):
        return code[:2]
    return code[:4] if code.endswith("00") else code


def batch_holders(user, rows):
    """A provincial batch lists people of the whole province; staff see those of their own area
    (the per-city counts stay whole: they name nobody)."""
    prefix = region_prefix(user)
    return rows.none() if prefix is None else rows.filter(region_code__startswith=prefix)


def batch_by_region(batch: GrantBatch) -> list[dict]:
    rows = {}
    grants = batch.grants.exclude(status=GrantStatus.REJECTED)
    for code, n, total in grants.values_list("region_code").annotate(
        n=Count("id"), total=Sum("amount")
    ):
        city = (code[:4] + "00") if code else ""
        count, amount = rows.get(city, (0, 0))
        rows[city] = (count + n, amount + total)
    names = dict(Region.objects.filter(code__in=rows).values_list("code", "name"))
    return [
        {"code": c, "name": names.get(c, "未登记"), "count": n, "amount": a}
        for c, (n, a) in sorted(rows.items())
    ]


def batch_exclusions(batch: GrantBatch) -> list[dict]:
    return list(batch.exclusions.values("reason").annotate(n=Count("id")).order_by("reason"))


def pending_batches(user):
    return batches_visible_to(user).filter(status=BatchStatus.PENDING)


def is_muted(policy: Policy, key: str) -> bool:
    return OptOut.objects.filter(policy=policy, holder_key=key, kind=OptOutKind.MESSAGES).exists()
