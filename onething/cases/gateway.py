"""The registry functions cases call, in one place (the registry is the source of truth).

Thin on purpose: it keeps the list of what cases needs from the registry short and visible.
"""

from django.utils import timezone

from onething.registry import presenters as registry_presenters
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
is_personal_number = registry_presenters.is_personal_number


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
            blueprint=blueprint, person=person, entity=entity,
            licenses=registry_services.by_type(licences),
        )  # fmt: skip
    schema = blueprint["form"]["schema"]["properties"]
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
        blueprint=blueprint, person=person, entity=entity,
        licenses=registry_services.by_type(licences),
    )  # fmt: skip


def seal_verify(*, payload: bytes, seal: dict) -> bool:
    return bool(seal) and registry_services.seal_verify(payload=payload, seal=seal)
