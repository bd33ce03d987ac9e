"""Rule attributes of registry holders: the Person/Entity fields plus derived ones.

This is the one module that reads the registry tables in bulk (for columnar matching); single
holders come through ``registry.selectors``. Attribute names and types are documented in
docs/policies.md; ``age`` and ``years_since_founded`` are computed for the day of evaluation.
"""

import functools
from dataclasses import dataclass
from datetime import date

from onething.registry import selectors as registry

from . import attributes as catalog_attributes
from .attributes import Attribute
from .constants import Subject
from .wording import Wording

# The attributes rules read; their types and labels are declared once, as data elements of the
# catalog (``attributes.catalog``), and ``types_for`` refuses a name the catalog lacks.
PERSON_FIELDS = (
    "gender",
    "birth_date",
    "ethnicity",
    "household_region",
    "residence_region",
    "marital_status",
    "disability_category",
    "disability_level",
    "is_veteran",
    "death_date",
    "education",
    "employment_status",
)
PERSON_DERIVED = ("age", "is_deceased", "household_city", "household_province")
ENTITY_FIELDS = (
    "entity_type",
    "registered_region",
    "industry_code",
    "registered_capital",
    "founded_on",
    "employees",
    "operating_status",
    "tax_credit_rating",
    "is_high_tech",
    "is_small_micro",
)
ENTITY_DERIVED = (
    "years_since_founded",
    "industry_section",
    "registered_city",
    "registered_province",
)


@dataclass(frozen=True)
class Holder:
    key: str  # p:<id> | e:<id>
    name: str
    region_code: str
    obj: object  # a registry Person or Entity

    @property
    def person(self):
        return self.obj if registry.is_person(self.obj) else None

    @property
    def entity(self):
        return self.obj if registry.is_entity(self.obj) else None


def attributes_for(subject: str) -> dict[str, Attribute]:
    """The declared attributes of a subject's rules, from the catalog."""
    person = subject == Subject.PERSON
    names = (*PERSON_FIELDS, *PERSON_DERIVED) if person else (*ENTITY_FIELDS, *ENTITY_DERIVED)
    declared = catalog_attributes.catalog("person" if person else "entity")
    missing = [name for name in names if name not in declared]
    if missing:
        raise LookupError(f"data_elements.yaml declares no element for {', '.join(missing)}")
    return {name: declared[name] for name in names}


@functools.cache
def types_for(subject: str) -> dict[str, str]:
    return catalog_attributes.kinds(attributes_for(subject))


def variables_for(subject: str) -> set[str]:
    return set(types_for(subject))


def labels_for(subject: str) -> dict[str, str]:
    return catalog_attributes.labels(attributes_for(subject))


def wording_for(subject: str) -> Wording:
    """Explanations and near misses in the catalog's labels and option labels."""
    return Wording(attributes_for(subject))


def years_between(start: date | str | None, today: date) -> int | None:
    if not start:
        return None
    start = date.fromisoformat(start) if isinstance(start, str) else start
    return today.year - start.year - ((today.month, today.day) < (start.month, start.day))


def _text(value) -> str | None:
    return None if value is None else str(value)


def person_attributes(row: dict, today: date) -> dict:
    """``row`` has the PERSON_FIELDS (FKs as ids), from ``.values()`` or an instance."""
    kinds = types_for(Subject.PERSON)
    out = {name: _cast(row.get(name), kinds[name]) for name in PERSON_FIELDS}
    region = out["household_region"] or ""
    out.update(
        age=years_between(row.get("birth_date"), today),
        is_deceased=bool(row.get("death_date")),
        household_city=(region[:4] + "00") if region else None,
        household_province=region[:2] or None,
    )
    return out


def entity_attributes(row: dict, today: date) -> dict:
    kinds = types_for(Subject.ENTITY)
    out = {name: _cast(row.get(name), kinds[name]) for name in ENTITY_FIELDS}
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


def of_person(person) -> Holder:
    return Holder(f"p:{person.pk}", person.name, person.household_region_id or "", person)


def of_entity(entity) -> Holder:
    return Holder(f"e:{entity.pk}", entity.name, entity.registered_region_id or "", entity)


def queryset(subject: str):
    return registry.holders_all(persons=subject == Subject.PERSON)


def from_key(key: str) -> Holder | None:
    kind, _, pk = key.partition(":")
    wrap = of_person if kind == "p" else of_entity
    found = registry.holders_all(persons=kind == "p").filter(pk=pk) if pk.isdigit() else None
    obj = found.first() if found is not None else None
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
