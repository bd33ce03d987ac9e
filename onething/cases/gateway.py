"""The registry functions cases call, in one place (the registry is the source of truth).

Thin on purpose: it keeps the list of what cases needs from the registry short and visible.
"""

from django.utils import timezone

from onething.catalog.blueprint import Blueprint
from onething.common import validators
from onething.registry import selectors as registry_selectors
from onething.registry import services as registry_services

from . import validation

person_for_user = registry_selectors.person_for_user
entity_for_user = registry_selectors.entity_for_user
mask_id = registry_selectors.mask_id
license_issue = registry_services.license_issue
usage_record = registry_services.usage_record
seal = registry_services.seal
holder_from_code = registry_services.holder_from_code
consent_grant = registry_services.consent_grant
# What the licence pages mask (any valid 公民身份号码, whatever the field is called; *phone fields):
# a case's form masks the same values, so one number looks the same on every screen.
is_personal_number = validators.is_personal_number


def person_by_id_number(id_number: str):
    return registry_selectors.person_by_id_number(id_number) if id_number else None


def entity_by_credit_code(code: str):
    return registry_selectors.entity_by_credit_code(code) if code else None


def licenses_of(*, person=None, entity=None, valid_on=None) -> list:
    if person is None and entity is None:
        return []
    return list(registry_selectors.licenses_of(person=person, entity=entity, valid_on=valid_on))


def _reusable(licences, valid_on) -> bool:
    # The registry reads licences valid today; rows read for another day (tests) must not stand in.
    return licences is not None and valid_on == timezone.localdate()


def prefill(*, blueprint, person=None, entity=None, licences=None, valid_on=None) -> dict:
    """``licences``: the holder's ``licenses_of`` rows for ``valid_on``, saving a re-read.
    A value that fails its own field's check is offered but not locked: the applicant corrects it
    (a read-only field the form then refuses could never be submitted)."""
    if person is None and entity is None:
        return {}
    if not _reusable(licences, valid_on):
        found = registry_services.prefill(blueprint=blueprint, person=person, entity=entity)
    else:
        found = registry_services.prefill_from(
            blueprint=blueprint,
            person=person,
            entity=entity,
            licenses=registry_services.by_type(licences),
        )
    schema = Blueprint.of(blueprint).form_schema.get("properties", {})
    for field, entry in found.items():
        if field in schema and validation.field_error(schema[field], entry["value"]):
            entry["read_only"] = False
    return found


def exemptions(*, blueprint, person=None, entity=None, licences=None, valid_on=None) -> dict:
    if person is None and entity is None:
        return {}
    if not _reusable(licences, valid_on):
        return registry_services.exemptions(blueprint=blueprint, person=person, entity=entity)
    return registry_services.exemptions_from(
        blueprint=blueprint,
        person=person,
        entity=entity,
        licenses=registry_services.by_type(licences),
    )


def seal_verify(*, payload: bytes, seal: dict) -> bool:
    return bool(seal) and registry_services.seal_verify(payload=payload, seal=seal)


def entity_establish(
    *, region_code: str, form: dict, legal_rep, individual: bool, code: str = "", actor=None
):
    """The market subject a registration (设立登记) creates, with the code the reviewer entered
    or else one the registration assigns (GB 32100: 9 = 市场监管, 1 = 企业, 2 = 个体工商户)."""
    from decimal import Decimal, InvalidOperation

    if not code or registry_selectors.entity_by_credit_code(code) is not None:
        code = _new_credit_code(region_code, individual)
    try:
        capital = Decimal(str(form.get("registered_capital") or 0))
    except InvalidOperation:
        capital = Decimal(0)
    name = form.get("enterprise_name_proposed") or form.get("enterprise_name") or ""
    return registry_services.entity_create(
        credit_code=code,
        name=str(name),
        legal_rep=legal_rep,
        actor=actor,
        entity_type="individual_business" if individual else form.get("enterprise_type") or "llc",
        registered_region_id=region_code,
        registered_capital=capital,
        founded_on=timezone.localdate(),
        address=str(form.get("registered_address") or form.get("premises_address") or ""),
    )


def _new_credit_code(region_code: str, individual: bool) -> str:
    import secrets

    from onething.common.validators import CREDIT_CHARS, make_credit_code

    while True:
        body = "".join(secrets.choice(CREDIT_CHARS) for _ in range(8))
        code = make_credit_code(region_code, body, category="2" if individual else "1")
        if registry_selectors.entity_by_credit_code(code) is None:
            return code
