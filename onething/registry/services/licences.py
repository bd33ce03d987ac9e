"""The licence library: issuing (numbered, faced, sealed, superseding the older one) and revoking."""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from onething.catalog.blueprint import Blueprint, FormField, MaterialPlan
from onething.catalog.models import LicenseType
from onething.common.errors import DomainError
from onething.common.events import record_event
from onething.common.notify import notify

from .. import faces, identifiers, sealing, selectors
from ..constants import (
    ENTITY_FIELD_LABELS,
    PERSON_FIELD_LABELS,
    REMINDER_PREFIX,
    HolderKind,
    LicenseStatus,
)
from ..models import License, LicenseSerial, Person, UsageRecord
from .usage import LEGAL_REP_PREFIX, SPOUSE_PREFIX


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
    *,
    license_type,
    department,
    data: dict,
    case_number: str = "",
    person=None,
    entity=None,
    actor=None,
    issued_on: date | None = None,
) -> License:
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
        license_type=lt,
        holder_kind=kind,
        person=person,
        entity=entity,
        holder_name=holder.name,
        holder_number=_number(holder),
        department=department,
        serial=serial,
        version=version,
        issued_on=issued_on,
        valid_until=until,
        case_number=case_number,
        data=faces.face(
            lt,
            data=data or {},
            person=person,
            entity=entity,
            issued_on=issued_on,
            valid_until=until,
            department=department,
            number=identifier,
        ),
    )
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
            user=user,
            title=title,
            body=body,
            link=f"/registry/licenses/{lic.identifier}/",
            dedup_key=f"{REMINDER_PREFIX}{what}:{lic.identifier}:{user.pk}",
        )


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
    fields = Blueprint.of(blueprint).fields
    types = LicenseType.objects.in_bulk(_license_sources(fields))
    out = {}
    for row in fields:
        for source in row.prefill:
            value = _lookup(source, person, entity, licenses)
            if value is not None and value != "":  # a blank on a licence face is no value
                out[row.field] = {
                    "value": _json_value(value),
                    "source": source,
                    "source_label": source_label(source, types),
                    "read_only": True,
                }
                break
    return out


def _license_sources(fields: tuple[FormField, ...]) -> list[str]:
    sources = (s for row in fields for s in row.prefill)
    return [s.split(".")[1] for s in sources if s.startswith("license.") and s.count(".") == 2]


def exemptions(*, blueprint: dict, person=None, entity=None) -> dict[str, dict]:
    """material → why it need not be submitted: a licence valid today, or a registry field.
    A material whose code starts with ``spouse_`` is looked up on the applicant's spouse."""
    return exemptions_from(
        blueprint=blueprint, person=person, entity=entity, licenses=_valid_by_type(person, entity)
    )


def exemptions_from(*, blueprint: dict, person, entity, licenses: dict[str, License]) -> dict:
    """``exemptions`` with the holder's valid licences by type already read."""
    others = _others(person, entity, licenses)
    out = {}
    for material in Blueprint.of(blueprint).materials:
        whose, subject, held = next(
            (o[1:] for o in others if material.code.startswith(o[0])), ("", person, licenses)
        )
        if material.disposition == "license" and (lic := held.get(material.license_type)):
            out[material.code] = {
                "kind": "license",
                "license": lic.identifier,
                "license_type": lic.license_type_id,
                "reason": f"已通过电子证照获取：{lic.license_type.name}"
                + (f"（{whose}）" if whose else ""),
            }
        elif material.disposition == "shared_data" and _shared(material, subject, entity):
            out[material.code] = {
                "kind": "shared_data",
                "license": None,
                "license_type": None,
                "reason": f"已通过共享数据获取：{source_label(material.registry_field, {})}",
            }
    return out


def _others(person, entity, own: dict) -> list[tuple]:
    """(code prefix, whose, person, their licences by type) for materials about someone else:
    the applicant's spouse, and a registered entity's legal representative, whose identity is
    checked against their e-licences instead of a copy being filed. For an entity not yet
    registered the person applying is its representative: their own licences."""
    spouse = getattr(person, "spouse", None)
    rep = getattr(entity, "legal_rep", None)
    return [
        (SPOUSE_PREFIX, "配偶", spouse, _valid_by_type(spouse, None) if spouse else {}),
        (LEGAL_REP_PREFIX, "法定代表人", rep, _valid_by_type(rep, None))
        if rep
        else (LEGAL_REP_PREFIX, "", person, own),
    ]


def _shared(material: MaterialPlan, person, entity) -> bool:
    source = material.registry_field
    return bool(source) and _registry_value(source, person, entity) is not None


@transaction.atomic
def usage_record(
    *, actor, purpose: str, case_number: str, person=None, entity=None, licenses=(), fields=()
) -> None:
    """Append to the holder-visible usage log; licences may be License objects or identifiers."""
    if person is None and entity is None:
        raise DomainError("使用记录须指明持证主体", fields={"holder": "必填"})
    identifiers = [getattr(x, "identifier", x) for x in licenses]
    common = {
        "actor": actor if getattr(actor, "is_authenticated", False) else None,
        "actor_label": _actor_label(actor),
        "purpose": purpose,
        "case_number": case_number or "",
    }
    row = UsageRecord.objects.create(
        **common, person=person, entity=entity, fields=list(fields), licenses=identifiers
    )
    # A spouse's or a legal representative's licence: its holder sees the use in their own log.
    others = [
        UsageRecord.objects.create(**common, person_id=pid, entity_id=eid, licenses=ids)
        for (pid, eid), ids in _held_by_others(identifiers, person, entity).items()
    ]
    record_event(
        actor=actor,
        verb="registry.usage_recorded",
        obj=row,
        objects=others,
        data={"case": case_number},
    )


def _held_by_others(identifiers: list[str], person, entity) -> dict[tuple, list[str]]:
    my_person, my_entity = getattr(person, "pk", None), getattr(entity, "pk", None)
    held: dict[tuple, list[str]] = {}
    if not identifiers:
        return held
    rows = License.objects.filter(identifier__in=identifiers).values_list(
        "identifier", "person_id", "entity_id"
    )
    for identifier, pid, eid in rows:
        if (pid and pid == my_person) or (eid and eid == my_entity):
            continue  # the applicant's own: in the applicant's row already
        held.setdefault((pid, eid), []).append(identifier)
    return held


def _actor_label(actor) -> str:
    if not getattr(actor, "is_authenticated", False):
        return "系统"
    dept = getattr(actor, "department", None)
    return f"{actor}（{dept.name}）" if dept else str(actor)
