"""Rule attributes of registry holders: the Person/Entity fields plus derived ones.

This is the one module that reads the registry tables in bulk (for columnar matching); single
holders come through ``registry.selectors``. Attribute names and types are documented in
docs/policies.md; ``age`` and ``years_since_founded`` are computed for the day of evaluation.
"""

from dataclasses import dataclass
from datetime import date

from onething.registry.constants import ENTITY_FIELD_LABELS, PERSON_FIELD_LABELS
from onething.registry.models import Entity, Person

from .constants import Subject

PERSON_FIELDS = {
    "gender": "text",
    "birth_date": "text",
    "ethnicity": "text",
    "household_region": "text",
    "residence_region": "text",
    "marital_status": "text",
    "disability_category": "text",
    "disability_level": "text",
    "is_veteran": "bool",
    "death_date": "text",
    "education": "text",
    "employment_status": "text",
}
PERSON_DERIVED = {
    "age": "int",
    "is_deceased": "bool",
    "household_city": "text",
    "household_province": "text",
}
ENTITY_FIELDS = {
    "entity_type": "text",
    "registered_region": "text",
    "industry_code": "text",
    "registered_capital": "float",
    "founded_on": "text",
    "employees": "int",
    "operating_status": "text",
    "tax_credit_rating": "text",
    "is_high_tech": "bool",
    "is_small_micro": "bool",
}
ENTITY_DERIVED = {
    "years_since_founded": "int",
    "industry_section": "text",
    "registered_city": "text",
    "registered_province": "text",
}
DERIVED_LABELS = {
    "age": "年龄（周岁）",
    "is_deceased": "已死亡",
    "household_city": "户籍地所在市（州）",
    "household_province": "户籍地所在省",
    "years_since_founded": "成立年限（年）",
    "industry_section": "行业门类",
    "registered_city": "登记地所在市（州）",
    "registered_province": "登记地所在省",
}


@dataclass(frozen=True)
class Holder:
    key: str  # p:<id> | e:<id>
    name: str
    region_code: str
    obj: Person | Entity

    @property
    def person(self):
        return self.obj if isinstance(self.obj, Person) else None

    @property
    def entity(self):
        return self.obj if isinstance(self.obj, Entity) else None


def types_for(subject: str) -> dict[str, str]:
    if subject == Subject.PERSON:
        return PERSON_FIELDS | PERSON_DERIVED
    return ENTITY_FIELDS | ENTITY_DERIVED


def variables_for(subject: str) -> set[str]:
    return set(types_for(subject))


def labels_for(subject: str) -> dict[str, str]:
    base = PERSON_FIELD_LABELS if subject == Subject.PERSON else ENTITY_FIELD_LABELS
    return {name: base.get(name) or DERIVED_LABELS.get(name, name) for name in types_for(subject)}


def years_between(start: date | str | None, today: date) -> int | None:
    if not start:
        return None
    start = date.fromisoformat(start) if isinstance(start, str) else start
    return today.year - start.year - ((today.month, today.day) < (start.month, start.day))


def _text(value) -> str | None:
    return None if value is None else str(value)


def person_attributes(row: dict, today: date) -> dict:
    """``row`` has the PERSON_FIELDS (FKs as ids), from ``.values()`` or an instance."""
    out = {name: _cast(row.get(name), kind) for name, kind in PERSON_FIELDS.items()}
    region = out["household_region"] or ""
    out.update(
        age=years_between(row.get("birth_date"), today),
        is_deceased=bool(row.get("death_date")),
        household_city=(region[:4] + "00") if region else None,
        household_province=region[:2] or None,
    )
    return out


def entity_attributes(row: dict, today: date) -> dict:
    out = {name: _cast(row.get(name), kind) for name, kind in ENTITY_FIELDS.items()}
    region = out["registered_region"] or ""
    out.update(
        years_since_founded=years_between(row.get("founded_on"), today),
        industry_section=(out["industry_code"] or "")[:1] or None,
        registered_city=(region[:4] + "00") if region else None,
        registered_province=region[:2] or None,
    )
    return out


def _cast(value, kind: str):
    if value is None:
        return None
    if kind == "float":
        return float(value)
    if kind == "text":
        return value.isoformat() if isinstance(value, date) else str(value)
    return value


def _instance_row(obj, fields) -> dict:
    return {name: getattr(obj, obj._meta.get_field(name).attname) for name in fields}


def attributes(holder: Holder, today: date) -> dict:
    if holder.person is not None:
        return person_attributes(_instance_row(holder.obj, PERSON_FIELDS), today)
    return entity_attributes(_instance_row(holder.obj, ENTITY_FIELDS), today)


def of_person(person: Person) -> Holder:
    return Holder(f"p:{person.pk}", person.name, person.household_region_id or "", person)


def of_entity(entity: Entity) -> Holder:
    return Holder(f"e:{entity.pk}", entity.name, entity.registered_region_id or "", entity)


def queryset(subject: str):
    return Person.objects.all() if subject == Subject.PERSON else Entity.objects.all()


def from_key(key: str) -> Holder | None:
    kind, _, pk = key.partition(":")
    model, wrap = (Person, of_person) if kind == "p" else (Entity, of_entity)
    obj = model.objects.filter(pk=pk).first() if pk.isdigit() else None
    return wrap(obj) if obj else None


def rows(subject: str, *, changed_since=None, only: list[int] | None = None):
    """(key, name, region, updated_at, attributes-source row) for the whole table, lean.
    No ID numbers: they are encrypted, and only the few matches to notify need them
    (``registry.selectors.id_numbers_of``)."""
    person = subject == Subject.PERSON
    fields = [*PERSON_FIELDS] if person else [*ENTITY_FIELDS, "credit_code"]
    qs = queryset(subject)
    if changed_since is not None:
        qs = qs.filter(updated_at__gt=changed_since)
    if only is not None:
        qs = qs.filter(pk__in=only)
    return qs.order_by("id").values("id", "name", "updated_at", *fields).iterator(chunk_size=2000)


def region_field(subject: str) -> str:
    return "household_region" if subject == Subject.PERSON else "registered_region"


def key_prefix(subject: str) -> str:
    return "p" if subject == Subject.PERSON else "e"
