"""The data printed on a licence (照面信息): filled from the holder's registry record where the
field means the same thing, so a clerk issuing a licence only types what is new."""

from datetime import date

from .constants import EntityType, Gender

PERSON_ALIASES = {
    "name": "name",
    "holder_name": "name",
    "member_name": "name",
    "owner_name": "name",
    "id_number": "id_number",
    "holder_id_number": "id_number",
    "member_id_number": "id_number",
    "gender": "gender_label",
    "ethnicity": "ethnicity",
    "birth_date": "birth_date",
    "address": "household_address",
    "residence_address": "residence_address",
    "disability_category": "disability_category",
    "disability_level": "disability_level",
    "employment_status": "employment_status",
}
ENTITY_ALIASES = {
    "name": "name",
    "operator_name": "name",
    "owner_name": "name",
    "credit_code": "credit_code",
    "entity_type": "entity_type_label",
    "legal_rep_name": "legal_rep_name",
    "registered_capital": "registered_capital",
    "founded_on": "founded_on",
    "address": "address",
    "premises_address": "address",
}


# Fields that name the licence's own issuing: the issue date and the issuing department are
# what a marriage registration's date and authority, or a first driving licence's date, are.
ISSUE_ALIASES = {
    "valid_from": "issued_on",
    "registered_on": "issued_on",
    "first_issued_on": "issued_on",
    "issuing_authority": "department",
    "registration_authority": "department",
}
SPOUSE_ALIASES = {"spouse_name": "name", "spouse_id_number": "id_number"}
# The licence's own number (its identifier) where the type prints one and none was given.
NUMBER_FIELDS = ("license_number", "license_no", "certificate_number")


def _attr(holder, name: str):
    if name == "gender_label":
        return Gender(holder.gender).label if holder.gender else ""
    if name == "entity_type_label":
        return EntityType(holder.entity_type).label if holder.entity_type else ""
    return getattr(holder, name, "")


def plain(value):
    """JSON-safe and stable: dates as ISO strings, numbers as strings, None as empty."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool | str):
        return value
    return str(value)


def face(
    license_type,
    *,
    data: dict,
    person=None,
    entity=None,
    issued_on: date,
    valid_until,
    department,
    number: str = "",
) -> dict:
    """Every field of the type: given data first, then the holder's registry, then the dates."""
    holder, aliases = (person, PERSON_ALIASES) if person is not None else (entity, ENTITY_ALIASES)
    issue = {"issued_on": issued_on, "department": department.name}
    derived = {code: issue[source] for code, source in ISSUE_ALIASES.items()}
    derived["valid_until"] = valid_until or "长期"
    derived.update(dict.fromkeys(NUMBER_FIELDS, number))
    out = {}
    for f in license_type.fields or []:
        code = f["code"]
        if code in data:
            out[code] = plain(data[code])
        elif code in aliases:
            out[code] = plain(_attr(holder, aliases[code]))
        elif code in SPOUSE_ALIASES and person is not None:
            out[code] = plain(_spouse(person, SPOUSE_ALIASES[code]))
        else:
            out[code] = plain(derived.get(code, ""))
    return out


def _spouse(person, name: str):
    # The registry links a married person to their spouse; an unlinked one leaves the field blank.
    spouse = person.spouse if getattr(person, "spouse_id", None) else None
    return getattr(spouse, name, "") if spouse is not None else ""
