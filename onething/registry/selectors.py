"""Reads of the registries and the licence library, already scoped to who is asking.

There is no path to another person's or entity's data except as its holder, through a consent
recorded when the holder showed their code to a clerk, or through a case consent the cases app
records with ``services.consent_grant`` for the case's applicant.
"""

from datetime import date

from django.db.models import Q
from django.utils import timezone

from onething.accounts.models import User
from onething.common import hotsql
from onething.common.models import Message
from onething.common.validators import mask_id as _mask_id

from .constants import CONSENT_ROLES, REMINDER_PREFIX, LicenseStatus
from .models import Consent, Entity, License, Person, UsageRecord, id_hash

LICENSE_RELATED = ("license_type", "department", "seal_key", "superseded_by", "person", "entity")


def mask_id(value: str) -> str:
    """4201**********123X: keep the first four and the last four characters."""
    return _mask_id(value)


def person_by_id_number(id_number: str) -> Person | None:
    """Exact match through the keyed hash: the number itself is stored encrypted."""
    value = (id_number or "").strip().upper()
    if not value:
        return None
    # On the case-submission path: hand-written SQL, compiled once (hotsql).
    found = hotsql.select(Person, {"id_number_hash": id_hash(value)}, limit=1)
    return found[0] if found else None


def id_numbers_of(person_ids) -> dict[int, str]:
    """Person id → ID number for just these people. Bulk readers (policy matching) select no
    numbers and ask here for the few they need, so the population is not decrypted."""
    ids, out = list(person_ids), {}
    for start in range(0, len(ids), 5000):  # stays under SQLite's bound-parameter limit
        chunk = ids[start : start + 5000]
        out.update(Person.objects.filter(pk__in=chunk).values_list("pk", "id_number"))
    return out


def entity_by_credit_code(code: str) -> Entity | None:
    value = (code or "").strip().upper()
    return Entity.objects.filter(credit_code=value).first() if value else None


def person_for_user(user) -> Person | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return person_by_id_number(user.id_number)


def entity_for_user(user) -> Entity | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return entity_by_credit_code(user.credit_code)


def users_of(*, person=None, entity=None):
    """The accounts that hold this person's or entity's data (for notifications)."""
    if person is not None:
        return User.objects.filter(id_number=person.id_number, is_active=True)
    if entity is not None:
        return User.objects.filter(credit_code=entity.credit_code, is_active=True)
    return User.objects.none()


def _holder_q(*, person=None, entity=None) -> Q:
    q = Q(pk__in=[])
    if person is not None:
        q |= Q(person=person)
    if entity is not None:
        q |= Q(entity=entity)
    return q


def licenses_of(*, person=None, entity=None, valid_on: date | None = None):
    """Licences valid on that day (default today): status valid, issued by then, not yet expired.
    Expired, revoked and superseded licences are never returned, so never exempt anything."""
    day = valid_on or timezone.localdate()
    return (
        License.objects.filter(_holder_q(person=person, entity=entity), status=LicenseStatus.VALID)
        .filter(issued_on__lte=day)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        .select_related(*LICENSE_RELATED)
        .order_by("license_type_id", "-version")
    )


def wallet(user):
    """All of the user's own licences, any status, newest first (证照夹)."""
    person, entity = person_for_user(user), entity_for_user(user)
    if person is None and entity is None:
        return License.objects.none()
    q = _holder_q(person=person, entity=entity)
    if person is not None:  # the 个体工商户 or company a person runs (经营者、法定代表人)
        q |= Q(entity__legal_rep=person)
    return License.objects.filter(q).select_related(*LICENSE_RELATED)


def is_holder(user, lic: License) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if lic.person_id is not None:
        return bool(user.id_number) and user.id_number == lic.holder_number
    if user.credit_code and user.credit_code == lic.holder_number:
        return True
    rep = lic.entity.legal_rep if lic.entity_id else None
    return bool(user.id_number) and rep is not None and rep.id_number == user.id_number


def active_consents(clerk, *, person=None, entity=None):
    if not getattr(clerk, "is_authenticated", False) or clerk.role not in CONSENT_ROLES:
        return Consent.objects.none()
    return Consent.objects.filter(
        _consent_holder_q(person, entity),
        grantee=clerk,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )


def _consent_holder_q(person, entity) -> Q:
    if person is not None:
        return Q(person=person)
    if entity is not None:
        return Q(entity=entity)
    return Q(pk__in=[])


def has_consent(clerk, *, person=None, entity=None, license_type: str | None = None) -> bool:
    for consent in active_consents(clerk, person=person, entity=entity):
        if not consent.scope or license_type in consent.scope:
            return True
    return False


def license_for(user, identifier: str) -> License | None:
    """The licence if this user may see it (its holder, or a clerk with consent); else None, so
    callers answer 404 and do not reveal that it exists."""
    lic = License.objects.select_related(*LICENSE_RELATED).filter(identifier=identifier).first()
    if lic is None:
        return None
    if is_holder(user, lic):
        return lic
    if has_consent(user, person=lic.person, entity=lic.entity, license_type=lic.license_type_id):
        return lic
    return None


def license_public(identifier: str) -> License | None:
    """For the public verify page only: callers show the verdict and the masked holder, no more."""
    return License.objects.select_related(*LICENSE_RELATED).filter(identifier=identifier).first()


def usage_log(user):
    """证照使用记录 of the user's own person and entity."""
    person, entity = person_for_user(user), entity_for_user(user)
    if person is None and entity is None:
        return UsageRecord.objects.none()
    return UsageRecord.objects.filter(_holder_q(person=person, entity=entity)).select_related(
        "actor"
    )


def reminders(user):
    """The user's in-app messages from this app (expiry reminders, issued and revoked licences)."""
    if not getattr(user, "is_authenticated", False):
        return Message.objects.none()
    return Message.objects.filter(user=user, dedup_key__startswith=REMINDER_PREFIX)


def expiring(*, today: date, until: date):
    return License.objects.filter(
        status=LicenseStatus.VALID, valid_until__gte=today, valid_until__lte=until
    ).select_related("license_type", "person", "entity")


def plain_sealed(*, after: int = 0):
    """Licences sealed over plain digests (before salted manifests), by id from ``after`` on."""
    return (
        License.objects.filter(salts__isnull=True, pk__gt=after)
        .exclude(signature="")
        .select_related("license_type", "department", "seal_key", "superseded_by")
        .order_by("id")
    )


def counts() -> dict:
    return {
        "persons": Person.objects.count(),
        "entities": Entity.objects.count(),
        "licenses": License.objects.count(),
        "sealed": License.objects.exclude(signature="").count(),
    }


def verify(identifier: str):
    """(licence or None, verdict) for the public check; unknown identifiers are simply invalid."""
    from . import identifiers, sealing

    problem = identifiers.problem(identifier)
    lic = license_public(identifier) if problem is None else None
    if lic is None:
        verdict = sealing.Verdict(status_valid=False).seal_fails(
            problem or "证照库中没有该证照标识"
        )
        return None, verdict
    return lic, sealing.verify_license(lic)


def holder_for_clerk(clerk, number: str):
    """The person or entity behind an ID number / credit code, only if they consented to this clerk."""
    number = (number or "").strip().upper()
    person = person_by_id_number(number) if len(number) == 18 and number[:17].isdigit() else None
    entity = None if person else entity_by_credit_code(number)
    if person and has_consent(clerk, person=person):
        return person
    if entity and has_consent(clerk, entity=entity):
        return entity
    return None


# ---- holders in bulk, for policies' matching (reads only, unscoped: the callers are jobs) ----


def holders_all(*, persons: bool):
    """Every natural person (``persons``) or every entity, as a queryset to narrow and slice."""
    return Person.objects.all() if persons else Entity.objects.all()


def is_person(holder) -> bool:
    return isinstance(holder, Person)


def is_entity(holder) -> bool:
    return isinstance(holder, Entity)
