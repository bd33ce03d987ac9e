"""Matching policies over the registry: the holders each policy reaches, and their notices."""

from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from onething.common.notify import notify

from .. import matching
from ..constants import (
    MESSAGE_PREFIX,
)
from ..models import (
    OptOut,
    Policy,
    PolicyMatch,
    PolicyVersion,
)


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
    return {
        "matched": PolicyMatch.objects.filter(policy=policy).count(),
        "new": len(fresh),
        "removed": removed,
        "notified": notified,
    }


def _match_row(policy, version, frame, i: int) -> PolicyMatch:
    pk = int(frame.keys[i].split(":")[1])
    person = frame.subject == "person"
    return PolicyMatch(
        policy=policy,
        version=version,
        holder_key=frame.keys[i],
        holder_name=frame.names[i],
        region_code=frame.regions[i],
        person_id=pk if person else None,
        entity_id=None if person else pk,
    )


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
