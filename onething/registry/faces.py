"""The data printed on a licence (照面信息): filled from the holder's registry record where the
field means the same thing, so a clerk issuing a licence only types what is new."""

from datetime import date

from .constants import EntityType, Gender

PERSON_ALIASES = {
    "name": "name", "holder_name": "name", "member_name": "name", "owner_name": "name",
    "id_number": "id_number", "holder_id_number": "id_number", "member_id_number": "id_number",
    "gender": "gender_label", "ethnicity": "ethnicity", "birth_date": "birth_date",
    "address": "household_address", "residence_address": "residence_address",
    "disability_category": "disability_category", "disability_level": "disability_level",
    "employment_status": "employment_status",
}  # fmt: skip
ENTITY_ALIASES = {
    "name": "name", "operator_name": "name", "owner_name": "name", "credit_code": "credit_code",
    "entity_type": "entity_type_label", "legal_rep_name": "legal_rep_name",
    "registered_capital": "registered_capital", "founded_on": "founded_on", "address": "address",
    "premises_address": "address",
}  # fmt: skip


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
    license_type, *, data: dict, person=None, entity=None, issued_on: date, valid_until, department
) -> dict:
    """Every field of the type: given data first, then the holder's registry, then the dates."""
    holder, aliases = (person, PERSON_ALIASES) if person is not None else (entity, ENTITY_ALIASES)
    derived = {
        "valid_from": issued_on,
        "valid_until": valid_until or "长期",
        "issuing_authority": department.name,
    }
    out = {}
    for f in license_type.fields or []:
        code = f["code"]
        if code in data:
            out[code] = plain(data[code])
        elif code in aliases:
            out[code] = plain(_attr(holder, aliases[code]))
        else:
            out[code] = plain(derived.get(code, ""))
    return out
