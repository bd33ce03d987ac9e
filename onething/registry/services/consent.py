"""Consent (亮码授权): the holder's short-lived code and the clerk's consent it grants."""

from datetime import timedelta

from django.core import signing
from django.db import transaction
from django.utils import timezone

from onething.common.errors import DomainError, Forbidden
from onething.common.events import record_event

from .. import selectors
from ..constants import (
    CONSENT_HOURS,
    CONSENT_ROLES,
    HOLDER_CODE_SECONDS,
)
from ..models import Consent, Entity, Person
from .licences import _holder, usage_record

HOLDER_CODE_SALT = "onething.registry.holder-code"


def holder_code(*, person=None, entity=None) -> str:
    """A short-lived signed code (5 minutes) naming the holder by row id, not by ID number."""
    kind, holder = _holder(person, entity)
    return signing.TimestampSigner(salt=HOLDER_CODE_SALT).sign(f"{kind[0]}{holder.pk}")


def _clerk(user) -> None:
    if not getattr(user, "is_authenticated", False) or user.role not in CONSENT_ROLES:
        raise Forbidden("仅窗口或部门工作人员可以扫码查验")


def holder_from_code(*, code: str, clerk) -> Person | Entity:
    """Scan/paste of the holder's code: records a consent for this clerk and returns the holder."""
    _clerk(clerk)
    try:
        value = signing.TimestampSigner(salt=HOLDER_CODE_SALT).unsign(
            (code or "").strip(), max_age=HOLDER_CODE_SECONDS
        )
    except signing.SignatureExpired as exc:
        raise DomainError(
            "身份码已过期，请让办事人刷新后重新出示", fields={"code": "已过期（有效期5分钟）"}
        ) from exc
    except signing.BadSignature as exc:
        raise DomainError("身份码无效", fields={"code": "无法识别的身份码"}) from exc
    model = Person if value[0] == "p" else Entity
    holder = model.objects.filter(pk=value[1:]).first()
    if holder is None:
        raise DomainError("身份码无效", fields={"code": "持证主体不存在"})
    kwargs = {"person": holder} if model is Person else {"entity": holder}
    consent_grant(grantee=clerk, purpose="窗口亮码授权查验证照", actor=clerk, **kwargs)
    return holder


@transaction.atomic
def consent_grant(
    *,
    grantee,
    purpose: str,
    holder_user=None,
    person=None,
    entity=None,
    case_number: str = "",
    scope=(),
    hours: int = CONSENT_HOURS,
    actor=None,
) -> Consent:
    """Let ``grantee`` (a clerk) see the holder's licences for a while. The cases app calls this
    when a case's applicant is the holder (purpose "办件", case_number set)."""
    if holder_user is not None:
        person, entity = (
            selectors.person_for_user(holder_user),
            selectors.entity_for_user(holder_user),
        )
        person = person if entity is None else None
    _clerk(grantee)
    _holder(person, entity)
    consent = Consent.objects.create(
        person=person,
        entity=entity,
        grantee=grantee,
        purpose=purpose,
        case_number=case_number,
        scope=list(scope),
        expires_at=timezone.now() + timedelta(hours=hours),
    )
    record_event(
        actor=actor,
        verb="registry.consent_granted",
        obj=consent,
        data={"grantee": grantee.pk, "purpose": purpose},
    )
    # The log says what the consent opened: the holder's licences valid now.
    usage_record(
        actor=grantee,
        purpose=purpose,
        case_number=case_number,
        person=person,
        entity=entity,
        licenses=list(selectors.licenses_of(person=person, entity=entity)),
    )
    return consent
