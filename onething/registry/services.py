"""Writes for the registries and the licence library; the calls other apps make (用证、用数)."""

import logging
from datetime import date, timedelta
from decimal import Decimal

from django.core import signing
from django.db import transaction
from django.utils import timezone

from onething.catalog.models import LicenseType, OneThing
from onething.common import jobs
from onething.common.errors import DomainError, Forbidden
from onething.common.events import record_event
from onething.common.notify import notify

from . import faces, identifiers, sealing, selectors
from .constants import (
    CONSENT_HOURS,
    CONSENT_ROLES,
    ENTITY_FIELD_LABELS,
    EXPIRY_WINDOW_DAYS,
    HOLDER_CODE_SECONDS,
    PERSON_FIELD_LABELS,
    REMINDER_PREFIX,
    SEAL_BATCH,
    HolderKind,
    LicenseStatus,
)
from .models import Consent, Entity, License, LicenseSerial, Person, UsageRecord
from .validators import credit_code_error, id_birth_date, id_gender, id_number_error

log = logging.getLogger(__name__)
HOLDER_CODE_SALT = "onething.registry.holder-code"
SPOUSE_PREFIX = "spouse_"  # materials about the applicant's spouse (spouse_id_card …)

# ---- base registries ---------------------------------------------------------------------------


@transaction.atomic
def person_create(*, id_number: str, name: str, actor=None, **fields) -> Person:
    """One person; gender and birth date default to what the number says (GB 11643)."""
    id_number = (id_number or "").strip().upper()
    if (problem := id_number_error(id_number)) is not None:
        raise DomainError("公民身份号码不正确", fields={"id_number": problem})
    fields.setdefault("gender", id_gender(id_number))
    fields.setdefault("birth_date", id_birth_date(id_number))
    person = Person.objects.create(id_number=id_number, name=name, **fields)
    record_event(actor=actor, verb="registry.person_created", obj=person)
    return person


@transaction.atomic
def entity_create(
    *, credit_code: str, name: str, entity_type: str, legal_rep: Person | None = None,
    checksum_override: bool = False, actor=None, **fields,
) -> Entity:  # fmt: skip
    """One entity; a code failing its check characters needs ``checksum_override`` (试点期赋码)."""
    credit_code = (credit_code or "").strip().upper()
    if (
        problem := credit_code_error(credit_code, allow_checksum_override=checksum_override)
    ) is not None:
        raise DomainError("统一社会信用代码不正确", fields={"credit_code": problem})
    checksum_override = checksum_override and credit_code_error(credit_code) is not None
    if legal_rep is not None:
        fields.update(legal_rep_name=legal_rep.name, legal_rep_id_number=legal_rep.id_number)
    entity = Entity.objects.create(
        credit_code=credit_code, name=name, entity_type=entity_type, legal_rep=legal_rep,
        checksum_override=checksum_override, **fields,
    )  # fmt: skip
    record_event(
        actor=actor,
        verb="registry.entity_created",
        obj=entity,
        data={"override": checksum_override},
    )
    return entity


# ---- seals -------------------------------------------------------------------------------------


def seal(*, department, payload: bytes) -> dict:
    """Seal any document bytes: {"algorithm": "SM2-SM3", "key_id", "digest", "signature"}."""
    return sealing.seal_bytes(department=department, payload=payload)


def seal_verify(*, payload: bytes, seal: dict) -> bool:
    return sealing.seal_bytes_verify(payload=payload, seal=seal or {})


def seal_pending(*, limit: int = SEAL_BATCH) -> int:
    """Seal licences bulk-loaded without a signature (demo data); run by the worker in batches."""
    pending = License.objects.filter(signature="").select_related("department", "license_type")
    done = 0
    for lic in pending.order_by("id")[:limit]:
        # No transaction around the signing: on SQLite it held the write lock for the whole SM2
        # computation, back to back, and page writes starved past busy_timeout (HTTP 500) while
        # the worker sealed the demo's licences. The seal is written by one UPDATE.
        sealing.seal_license(lic)
        done += 1
    return done


def reseal_plain(*, limit: int = SEAL_BATCH) -> dict[str, int]:
    """Re-seal licences sealed over plain digests (whose manifest lets anyone with a copy of the
    table brute-force the ID numbers in it) with a salted manifest. Only a seal that still
    verifies is renewed: a licence changed since it was sealed must not get a fresh seal."""
    counts, after = {"resealed": 0, "refused": 0}, 0
    while counts["resealed"] < limit:
        batch = list(selectors.plain_sealed(after=after)[:limit])
        if not batch:
            break
        for lic in batch:
            if counts["resealed"] >= limit:
                break
            counts["resealed" if _reseal(lic) else "refused"] += 1
            after = lic.pk
    return counts


def _reseal(lic: License) -> bool:
    if not sealing.verify_license(lic).seal_valid:
        log.warning("licence %s: plain seal does not verify; not resealed", lic.identifier)
        return False
    with transaction.atomic():
        sealing.seal_license(lic)
        record_event(
            actor=None, verb="license.resealed", obj=lic, data={"format": sealing.SALTED_MANIFEST}
        )
    return True


# ---- licences ----------------------------------------------------------------------------------


def _license_type(value) -> LicenseType:
    if isinstance(value, LicenseType):
        return value
    found = LicenseType.objects.filter(code=value).first()
    if found is None:
        raise DomainError("证照类型不存在", fields={"license_type": f"未知证照类型：{value}"})
    return found


def _holder(person, entity) -> tuple[str, object]:
    if (person is None) == (entity is None):
        raise DomainError(
            "证照须有且仅有一个持证主体（个人或经营主体）", fields={"holder": "请指定持证人"}
        )
    return (HolderKind.PERSON, person) if person is not None else (HolderKind.ENTITY, entity)


def valid_until(license_type: LicenseType, issued_on: date) -> date | None:
    """The day before the validity_years anniversary (a 29 February issue runs to 28 February)."""
    if not license_type.validity_years:
        return None
    year = issued_on.year + license_type.validity_years
    try:
        anniversary = issued_on.replace(year=year)
    except ValueError:
        anniversary = date(year, 3, 1)
    return anniversary - timedelta(days=1)


def next_serial(license_type: LicenseType, department) -> int:
    counter, _ = LicenseSerial.objects.select_for_update().get_or_create(
        license_type=license_type, department=department
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _check_face(license_type: LicenseType, data: dict) -> None:
    known = {f["code"] for f in license_type.fields or []}
    unknown = {k: f"“{license_type.name}”没有这个照面字段" for k in data if k not in known}
    if unknown:
        raise DomainError("证照数据含未知字段", fields=unknown)


@transaction.atomic
def license_issue(
    *, license_type, department, data: dict, case_number: str = "", person=None, entity=None,
    actor=None, issued_on: date | None = None,
) -> License:  # fmt: skip
    """Issue, seal, supersede the holder's older valid licence of the type, notify the holder."""
    lt = _license_type(license_type)
    kind, holder = _holder(person, entity)
    _check_face(lt, data or {})
    issued_on = issued_on or timezone.localdate()
    previous = _current(lt, person=person, entity=entity)
    serial, version = _numbering(lt, department, previous)
    until = valid_until(lt, issued_on)
    identifier = identifiers.build(
        type_code=lt.code, department_code=department.code, serial=serial, version=version
    )
    lic = License.objects.create(
        identifier=identifier,
        license_type=lt, holder_kind=kind, person=person, entity=entity,
        holder_name=holder.name, holder_number=_number(holder), department=department,
        serial=serial, version=version, issued_on=issued_on, valid_until=until, case_number=case_number,
        data=faces.face(lt, data=data or {}, person=person, entity=entity, issued_on=issued_on,
                        valid_until=until, department=department, number=identifier),
    )  # fmt: skip
    if previous is not None:
        _supersede(previous, lic, actor)
    sealing.seal_license(lic)
    record_event(
        actor=actor,
        verb="license.issued",
        obj=lic,
        data={"identifier": lic.identifier, "case": case_number},
    )
    _tell_holder(lic, f"您的{lt.name}已签发", f"证照标识：{lic.identifier}", "issued")
    return lic


def _number(holder) -> str:
    return holder.id_number if isinstance(holder, Person) else holder.credit_code


def _current(lt, *, person, entity) -> License | None:
    qs = License.objects.select_for_update().filter(license_type=lt, status=LicenseStatus.VALID)
    qs = qs.filter(person=person) if person is not None else qs.filter(entity=entity)
    return qs.order_by("-version", "-id").first()


def _numbering(lt, department, previous: License | None) -> tuple[int, int]:
    """A re-issue by the same department keeps the serial and bumps the version."""
    if previous is not None and previous.department_id == department.id:
        return previous.serial, previous.version + 1
    return next_serial(lt, department), 1


def _supersede(previous: License, newer: License, actor) -> None:
    previous.status, previous.superseded_by = LicenseStatus.SUPERSEDED, newer
    previous.save(update_fields=["status", "superseded_by"])
    record_event(
        actor=actor, verb="license.superseded", obj=previous, data={"by": newer.identifier}
    )


def _tell_holder(lic: License, title: str, body: str, what: str) -> None:
    for user in selectors.users_of(person=lic.person, entity=lic.entity):
        notify(
            user=user, title=title, body=body, link=f"/registry/licenses/{lic.identifier}/",
            dedup_key=f"{REMINDER_PREFIX}{what}:{lic.identifier}:{user.pk}",
        )  # fmt: skip


@transaction.atomic
def license_revoke(*, license: License, reason: str, actor) -> License:
    if not (reason or "").strip():
        raise DomainError("请填写注销原因", fields={"reason": "必填"})
    if license.status == LicenseStatus.REVOKED:
        raise DomainError("证照已注销", fields={"license": "不能重复注销"})
    license.status, license.revoked_at, license.revoke_reason = (
        LicenseStatus.REVOKED,
        timezone.now(),
        reason.strip(),
    )
    license.save(update_fields=["status", "revoked_at", "revoke_reason"])
    record_event(
        actor=actor, verb="license.revoked", obj=license, data={"reason": license.revoke_reason}
    )
    _tell_holder(
        license,
        f"您的{license.license_type.name}已被注销",
        f"原因：{license.revoke_reason}",
        "revoked",
    )
    return license


# ---- using data and licences (用证、用数) ---------------------------------------------------------


def _registry_value(source: str, person, entity):
    kind, _, name = source.partition(".")
    holder = person if kind == "person" else entity if kind == "entity" else None
    if holder is None or name not in (
        PERSON_FIELD_LABELS if kind == "person" else ENTITY_FIELD_LABELS
    ):
        return None
    value = getattr(holder, f"{name}_id" if name.endswith("_region") else name, None)
    return value if value not in (None, "") else None


def source_label(source: str, license_types: dict) -> str:
    kind, _, rest = source.partition(".")
    if kind == "person":
        return f"人口基础信息·{PERSON_FIELD_LABELS.get(rest, rest)}"
    if kind == "entity":
        return f"经营主体信息·{ENTITY_FIELD_LABELS.get(rest, rest)}"
    code, _, field = rest.partition(".")
    lt = license_types.get(code)
    names = {f["code"]: f["name"] for f in (lt.fields if lt else [])}
    return f"电子证照·{lt.name if lt else code}·{names.get(field, field)}"


def _json_value(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _valid_by_type(person, entity) -> dict[str, License]:
    return by_type(selectors.licenses_of(person=person, entity=entity))


def by_type(licenses) -> dict[str, License]:
    """The newest of each type from ``selectors.licenses_of`` rows (ordered type, -version)."""
    found: dict[str, License] = {}
    for lic in licenses:
        found.setdefault(lic.license_type_id, lic)
    return found


def _lookup(source: str, person, entity, licenses: dict[str, License]):
    if source.startswith("license."):
        _, code, field = (source.split(".") + ["", ""])[:3]
        lic = licenses.get(code)
        value = lic.data.get(field) if lic else None
        return value if value not in (None, "") else None
    return _registry_value(source, person, entity)


def prefill(*, blueprint: dict, person=None, entity=None) -> dict[str, dict]:
    """form field → {"value", "source", "source_label", "read_only"}; the first source that has a
    value wins. Fields with no value anywhere are left out (the applicant types them)."""
    return prefill_from(
        blueprint=blueprint, person=person, entity=entity, licenses=_valid_by_type(person, entity)
    )


def prefill_from(*, blueprint: dict, person, entity, licenses: dict[str, License]) -> dict:
    """``prefill`` with the holder's valid licences by type already read (one read per request)."""
    types = LicenseType.objects.in_bulk(_license_sources(blueprint))
    out = {}
    for row in _layout(blueprint):
        for source in row.get("prefill") or []:
            value = _lookup(source, person, entity, licenses)
            if value is not None and value != "":  # a blank on a licence face is no value
                out[row["field"]] = {
                    "value": _json_value(value), "source": source,
                    "source_label": source_label(source, types), "read_only": True,
                }  # fmt: skip
                break
    return out


def _license_sources(blueprint: dict) -> list[str]:
    sources = (s for row in _layout(blueprint) for s in row.get("prefill") or [])
    return [s.split(".")[1] for s in sources if s.startswith("license.") and s.count(".") == 2]


def _layout(blueprint: dict) -> list[dict]:
    return (blueprint.get("form") or {}).get("layout") or []


def exemptions(*, blueprint: dict, person=None, entity=None) -> dict[str, dict]:
    """material → why it need not be submitted: a licence valid today, or a registry field.
    A material whose code starts with ``spouse_`` is looked up on the applicant's spouse."""
    return exemptions_from(
        blueprint=blueprint, person=person, entity=entity, licenses=_valid_by_type(person, entity)
    )


def exemptions_from(*, blueprint: dict, person, entity, licenses: dict[str, License]) -> dict:
    """``exemptions`` with the holder's valid licences by type already read."""
    own = licenses
    spouse = getattr(person, "spouse", None)
    theirs = _valid_by_type(spouse, None) if spouse is not None else {}
    out = {}
    for material in blueprint.get("materials") or []:
        is_spouse = material["code"].startswith(SPOUSE_PREFIX)
        licenses = theirs if is_spouse else own
        if material.get("disposition") == "license" and (
            lic := licenses.get(material.get("license_type"))
        ):
            out[material["code"]] = {
                "kind": "license",
                "license": lic.identifier,
                "license_type": lic.license_type_id,
                "reason": f"已通过电子证照获取：{lic.license_type.name}"
                + ("（配偶）" if is_spouse else ""),
            }
        elif material.get("disposition") == "shared_data" and _shared(
            material, spouse if is_spouse else person, entity
        ):
            out[material["code"]] = {
                "kind": "shared_data",
                "license": None,
                "license_type": None,
                "reason": f"已通过共享数据获取：{source_label(material['registry_field'], {})}",
            }
    return out


def _shared(material: dict, person, entity) -> bool:
    source = material.get("registry_field") or ""
    return bool(source) and _registry_value(source, person, entity) is not None


@transaction.atomic
def usage_record(
    *, actor, purpose: str, case_number: str, person=None, entity=None, licenses=(), fields=()
) -> None:
    """Append to the holder-visible usage log; licences may be License objects or identifiers."""
    if person is None and entity is None:
        raise DomainError("使用记录须指明持证主体", fields={"holder": "必填"})
    row = UsageRecord.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=_actor_label(actor), purpose=purpose, case_number=case_number or "",
        person=person, entity=entity, fields=list(fields),
        licenses=[getattr(x, "identifier", x) for x in licenses],
    )  # fmt: skip
    record_event(actor=actor, verb="registry.usage_recorded", obj=row, data={"case": case_number})


def _actor_label(actor) -> str:
    if not getattr(actor, "is_authenticated", False):
        return "系统"
    dept = getattr(actor, "department", None)
    return f"{actor}（{dept.name}）" if dept else str(actor)


# ---- consent (亮码授权) -------------------------------------------------------------------------


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
    *, grantee, purpose: str, holder_user=None, person=None, entity=None, case_number: str = "",
    scope=(), hours: int = CONSENT_HOURS, actor=None,
) -> Consent:  # fmt: skip
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
        person=person, entity=entity, grantee=grantee, purpose=purpose, case_number=case_number,
        scope=list(scope), expires_at=timezone.now() + timedelta(hours=hours),
    )  # fmt: skip
    record_event(
        actor=actor,
        verb="registry.consent_granted",
        obj=consent,
        data={"grantee": grantee.pk, "purpose": purpose},
    )
    # The log says what the consent opened: the holder's licences valid now.
    usage_record(
        actor=grantee, purpose=purpose, case_number=case_number, person=person, entity=entity,
        licenses=list(selectors.licenses_of(person=person, entity=entity)),
    )  # fmt: skip
    return consent


# ---- expiry and renewal (到期换证) ---------------------------------------------------------------


def renewal_link(license_type_code: str) -> str:
    """/cases/apply/<one-thing>?renew= for a published one-thing that issues this type, if any."""
    code = (
        OneThing.objects.filter(items__result_id=license_type_code, versions__isnull=False)
        .order_by("code").values_list("code", flat=True).first()
    )  # fmt: skip
    return f"/cases/apply/{code}" if code else ""


@transaction.atomic
def licenses_expire(*, today: date | None = None) -> int:
    today = today or timezone.localdate()
    due = list(License.objects.filter(status=LicenseStatus.VALID, valid_until__lt=today))
    for lic in due:
        License.objects.filter(pk=lic.pk).update(status=LicenseStatus.EXPIRED)
        record_event(
            actor=None, verb="license.expired", obj=lic, data={"valid_until": str(lic.valid_until)}
        )
    return len(due)


@transaction.atomic
def expiry_reminders(*, today: date | None = None, window_days: int = EXPIRY_WINDOW_DAYS) -> dict:
    """Mark expired licences, then remind holders of those expiring within the window (once per
    licence and window), with a one-click renewal link where the catalog offers one."""
    today = today or timezone.localdate()
    expired = licenses_expire(today=today)
    links: dict[str, str] = {}
    sent = 0
    for lic in selectors.expiring(today=today, until=today + timedelta(days=window_days)):
        if lic.license_type_id not in links:
            links[lic.license_type_id] = renewal_link(lic.license_type_id)
        sent += _remind(lic, links[lic.license_type_id], window_days)
    return {"expired": expired, "reminded": sent}


def _remind(lic: License, link: str, window_days: int) -> int:
    sent = 0
    for user in selectors.users_of(person=lic.person, entity=lic.entity):
        notify(
            user=user,
            title=f"您的{lic.license_type.name}将于{lic.valid_until:%Y年%m月%d日}到期",
            body="可一键申请换证，照面信息和材料将自动带出。"
            if link
            else "请及时到发证部门办理换证。",
            link=f"{link}?renew={lic.identifier}"
            if link
            else f"/registry/licenses/{lic.identifier}/",
            dedup_key=f"{REMINDER_PREFIX}expiry:{lic.identifier}:{lic.valid_until}:{window_days}:{user.pk}",
        )
        sent += 1
    return sent


def seal_jobs_enqueue() -> None:
    """Queue the sealing of unsigned licences (idempotent: one queued job at a time)."""
    if License.objects.filter(signature="").exists():
        jobs.enqueue(
            "registry.seal_pending", dedup_key=f"registry.seal_pending:{timezone.now().timestamp()}"
        )
