"""The base registries: creating a natural person or an entity record."""

from django.db import transaction

from onething.common.errors import DomainError
from onething.common.events import record_event
from onething.common.validators import credit_code_error, id_birth_date, id_gender, id_number_error

from ..models import Entity, Person


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
    *,
    credit_code: str,
    name: str,
    entity_type: str,
    legal_rep: Person | None = None,
    checksum_override: bool = False,
    actor=None,
    **fields,
) -> Entity:
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
        credit_code=credit_code,
        name=name,
        entity_type=entity_type,
        legal_rep=legal_rep,
        checksum_override=checksum_override,
        **fields,
    )
    record_event(
        actor=actor,
        verb="registry.entity_created",
        obj=entity,
        data={"override": checksum_override},
    )
    return entity
