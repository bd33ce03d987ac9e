"""CSV/JSON import of the base registries: every row is checked first, then all rows are written in
one transaction, or none (a bad row is reported with its line and reason)."""

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import SimpleNamespace

from django.db import transaction

from onething.accounts.models import Region
from onething.common.events import record_event
from onething.common.validators import (
    credit_code_problem,
    id_birth_date,
    id_gender,
    id_number_error,
)

from .constants import (
    DisabilityCategory,
    DisabilityLevel,
    Education,
    EmploymentStatus,
    EntityType,
    Gender,
    MaritalStatus,
    OperatingStatus,
    TaxCreditRating,
)
from .models import Entity, Person, id_hash
from .synth import ENTITY_COLUMNS, PERSON_COLUMNS

PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
INDUSTRY = re.compile(r"^[A-T](\d{2}|\d{3}|\d{4})?$")
TRUE, FALSE = {"1", "true", "yes", "是", "y"}, {"0", "false", "no", "否", "n", ""}
BATCH = 2000


class ImportFailed(Exception):
    def __init__(self, errors: list[str]):
        super().__init__(f"{len(errors)} 处错误")
        self.errors = errors


class RowError(ValueError):
    def __init__(self, column: str, message: str):
        super().__init__(f"{column}：{message}")


def rows_of(path: Path):
    """(line label, row dict) from a CSV (header row, UTF-8) or a JSON array of objects."""
    text = Path(path).read_text(encoding="utf-8-sig")
    if Path(path).suffix.lower() == ".json":
        for n, row in enumerate(json.loads(text), start=1):
            yield f"第{n}条", {k: "" if v is None else str(v) for k, v in row.items()}
        return
    reader = csv.DictReader(io.StringIO(text))
    for row in reader:
        yield f"第{reader.line_num}行", row


def _choice(enum, column: str, value: str) -> str:
    value = (value or "").strip()
    by_label = {label: v for v, label in enum.choices}
    if value in enum.values:
        return value
    if value in by_label:
        return by_label[value]
    raise RowError(
        column, f"“{value}”不是可选值（{'、'.join(label for _, label in enum.choices)}）"
    )


def _bool(column: str, value: str) -> bool:
    v = (value or "").strip().lower()
    if v in TRUE | FALSE:
        return v in TRUE
    raise RowError(column, f"“{value}”应为 是/否")


def _date(column: str, value: str) -> date | None:
    if not (value or "").strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise RowError(column, f"“{value}”不是 YYYY-MM-DD 日期") from exc


def _phone(value: str) -> str:
    if value and not PHONE.match(value.strip()):
        raise RowError("phone", f"“{value}”不是有效的电话号码")
    return (value or "").strip()


@dataclass
class Context:
    regions: set[str]
    persons: dict[str, int] = field(default_factory=dict)  # ID-number hash → person id

    def region(self, column: str, value: str) -> str | None:
        value = (value or "").strip()
        if value and value not in self.regions:
            raise RowError(column, f"区划代码“{value}”不在本省行政区划中")
        return value or None


def person_from(row: dict, ctx: Context) -> Person:
    number = (row.get("id_number") or "").strip().upper()
    if (problem := id_number_error(number)) is not None:
        raise RowError("id_number", problem)
    if not (row.get("name") or "").strip():
        raise RowError("name", "必填")
    gender = _choice(Gender, "gender", row["gender"]) if row.get("gender") else id_gender(number)
    if gender != id_gender(number):
        raise RowError("gender", "与公民身份号码第17位（奇数为男、偶数为女）不符")
    born = _date("birth_date", row.get("birth_date", "")) or id_birth_date(number)
    if born != id_birth_date(number):
        raise RowError("birth_date", "与公民身份号码第7–14位出生日期不符")
    return Person(
        id_number=number,
        name=row["name"].strip(),
        gender=gender,
        birth_date=born,
        ethnicity=(row.get("ethnicity") or "汉族").strip(),
        household_region_id=ctx.region("household_region", row.get("household_region", "")),
        household_address=(row.get("household_address") or "").strip(),
        residence_region_id=ctx.region("residence_region", row.get("residence_region", "")),
        residence_address=(row.get("residence_address") or "").strip(),
        phone=_phone(row.get("phone", "")),
        marital_status=_choice(
            MaritalStatus, "marital_status", row.get("marital_status") or "unmarried"
        ),
        disability_category=_choice(
            DisabilityCategory, "disability_category", row.get("disability_category", "")
        ),
        disability_level=_choice(
            DisabilityLevel, "disability_level", row.get("disability_level", "")
        ),
        is_veteran=_bool("is_veteran", row.get("is_veteran", "")),
        death_date=_date("death_date", row.get("death_date", "")),
        education=_choice(Education, "education", row.get("education", "")),
        employment_status=_choice(
            EmploymentStatus, "employment_status", row.get("employment_status", "")
        ),
    )


def entity_from(row: dict, ctx: Context) -> Entity:
    code = (row.get("credit_code") or "").strip().upper()
    override = _bool("checksum_override", row.get("checksum_override", ""))
    if (problem := credit_code_problem(code)) is not None and not (override and problem.checksum):
        raise RowError(
            "credit_code",
            problem.message
            + ("" if not problem.checksum else "（试点期赋码可填 checksum_override=是）"),
        )
    if not (row.get("name") or "").strip():
        raise RowError("name", "必填")
    rep_number = (row.get("legal_rep_id_number") or "").strip().upper()
    if rep_number and (rep_problem := id_number_error(rep_number)) is not None:
        raise RowError("legal_rep_id_number", rep_problem)
    industry = (row.get("industry_code") or "").strip().upper()
    if industry and not INDUSTRY.match(industry):
        raise RowError("industry_code", f"“{industry}”不是 GB/T 4754 行业代码（如 H6210）")
    return Entity(
        credit_code=code,
        checksum_override=problem is not None,
        name=row["name"].strip(),
        entity_type=_choice(EntityType, "entity_type", row.get("entity_type", "")),
        legal_rep_id=ctx.persons.get(id_hash(rep_number)) if rep_number else None,
        legal_rep_name=(row.get("legal_rep_name") or "").strip(),
        legal_rep_id_number=rep_number,
        registered_region_id=ctx.region("registered_region", row.get("registered_region", "")),
        address=(row.get("address") or "").strip(),
        industry_code=industry,
        registered_capital=_decimal(row.get("registered_capital", "")),
        founded_on=_date("founded_on", row.get("founded_on", "")),
        employees=_int("employees", row.get("employees", "")),
        operating_status=_choice(
            OperatingStatus, "operating_status", row.get("operating_status") or "active"
        ),
        tax_credit_rating=_choice(
            TaxCreditRating, "tax_credit_rating", row.get("tax_credit_rating", "")
        ),
        is_high_tech=_bool("is_high_tech", row.get("is_high_tech", "")),
        is_small_micro=_bool("is_small_micro", row.get("is_small_micro", "")),
        phone=_phone(row.get("phone", "")),
    )


def _decimal(value: str) -> Decimal:
    try:
        return Decimal((value or "0").strip())
    except InvalidOperation as exc:
        raise RowError("registered_capital", f"“{value}”应为数字（万元）") from exc


def _int(column: str, value: str) -> int:
    if not (value or "").strip().isdigit() and (value or "").strip():
        raise RowError(column, f"“{value}”应为非负整数")
    return int(value or 0)


# kind → (row builder, model, key within the file, unique column upserts match on, columns)
KINDS = {
    "persons": (person_from, Person, "id_number", "id_number_hash", PERSON_COLUMNS),
    "entities": (
        entity_from,
        Entity,
        "credit_code",
        "credit_code",
        ENTITY_COLUMNS + ["checksum_override"],
    ),
}


def check(kind: str, path: Path, ctx: Context) -> list[str]:
    """Every problem in the file, by line; duplicates of the key within the file count too."""
    build, _, key, _, _ = KINDS[kind]
    errors, seen = [], {}
    for line, row in rows_of(path):
        try:
            obj = build(row, ctx)
        except RowError as exc:
            errors.append(f"{line}：{exc}")
            continue
        number = getattr(obj, key)
        if number in seen:
            errors.append(f"{line}：{key}：与{seen[number]}重复")
        seen.setdefault(number, line)
    return errors


@transaction.atomic
def import_file(*, kind: str, path, actor=None) -> int:
    """Validate the whole file, then upsert it by its key in one transaction (all or nothing)."""
    build, model, _, unique, _ = KINDS[kind]
    ctx = Context(regions=set(Region.objects.values_list("code", flat=True)))
    if kind == "entities":
        # Hashes, not numbers: reading them needs no decryption of the whole population.
        ctx.persons = dict(Person.objects.values_list("id_number_hash", "pk"))
    if errors := check(kind, Path(path), ctx):
        raise ImportFailed(errors)
    fields = [
        f.attname
        for f in model._meta.concrete_fields
        if f.attname not in ("id", unique, "created_at", "spouse_id")
    ]
    batch, total = [], 0
    for _, row in rows_of(Path(path)):
        batch.append(build(row, ctx))
        if len(batch) >= BATCH:
            total += _flush(model, batch, unique, fields)
    total += _flush(model, batch, unique, fields)
    marker = SimpleNamespace(
        _meta=SimpleNamespace(label_lower=f"registry.{kind}_import"), pk=Path(path).name
    )
    record_event(actor=actor, verb=f"registry.{kind}_imported", obj=marker, data={"rows": total})
    return total


def _flush(model, batch: list, key: str, fields: list[str]) -> int:
    if batch:
        model.objects.bulk_create(
            batch, update_conflicts=True, unique_fields=[key], update_fields=fields
        )
    n = len(batch)
    batch.clear()
    return n
