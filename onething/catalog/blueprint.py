"""The compiled blueprint as typed objects, for the apps that read it (catalog's public door).

The compiler writes the blueprint as JSON (a case stores its own copy, so that a later catalog
version never changes a case already submitted). Apps above the catalog read it through
``Blueprint.of(stored)``, never by key: a renamed key then fails here, in one place, not as a
``KeyError`` in another app's request. Cases written by older versions may lack newer keys, so
every part has a default.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, slots=True)
class ItemPlan:
    code: str
    name: str
    department: str = ""
    decided_by: str = "internal"  # "internal" (onething's reviewer pages) or a system's code


@dataclass(frozen=True, slots=True)
class MaterialPlan:
    code: str
    name: str
    disposition: str  # constants.Disposition: upload, commitment, license, shared_data, …
    disposition_label: str = ""
    description: str = ""
    license_type_name: str = ""
    produced_by: str = ""  # the earlier item whose result supplies it
    used_by: tuple[str, ...] = ()  # the items that read it


@dataclass(frozen=True, slots=True)
class FormField:
    field: str
    label: str = ""
    used_by: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Question:
    code: str
    text: str
    answer: Any
    options: Mapping[Any, str] = field(default_factory=dict)  # value → label

    @property
    def answer_label(self) -> str:
        return self.options.get(self.answer, str(self.answer))


@dataclass(frozen=True, slots=True)
class Blueprint:
    raw: Mapping[str, Any]  # the stored JSON, for the catalog's own renderers
    code: str
    name: str
    items: tuple[ItemPlan, ...]
    materials: tuple[MaterialPlan, ...]
    fields: tuple[FormField, ...]
    produced_fields: frozenset[str]  # fields an earlier item's result supplies
    questions: tuple[Question, ...]
    answers: Mapping[str, Any]
    promised_days: int
    legal_days: int
    fee: Decimal
    before: Mapping[str, int]  # reductions: the figures when each item is done alone
    after: Mapping[str, int]  # … and in the one-thing
    faq: tuple[tuple[str, str], ...]  # (question, answer) as published

    @classmethod
    def of(cls, stored: Mapping[str, Any] | None) -> "Blueprint":
        bp = stored or {}
        header, process = bp.get("onething") or {}, bp.get("process") or {}
        form, reductions = bp.get("form") or {}, bp.get("reductions") or {}
        return cls(
            raw=bp,
            code=header.get("code") or "",
            name=header.get("name") or "",
            items=tuple(_item(i) for i in bp.get("items", [])),
            materials=tuple(_material(m) for m in bp.get("materials", [])),
            fields=tuple(_field(f) for f in form.get("layout", [])),
            produced_fields=frozenset(p["field"] for p in form.get("produced", [])),
            questions=tuple(_question(q) for q in bp.get("questions", [])),
            answers=bp.get("answers") or {},
            promised_days=process.get("promised_days") or 0,
            legal_days=process.get("legal_days") or 0,
            fee=Decimal(str(bp.get("fee") or 0)),
            before=reductions.get("before") or {},
            after=reductions.get("after") or {},
            faq=tuple((e.get("q", ""), e.get("a", "")) for e in bp.get("faq") or []),
        )

    def item(self, code: str) -> ItemPlan | None:
        return next((i for i in self.items if i.code == code), None)

    def material(self, code: str) -> MaterialPlan | None:
        return next((m for m in self.materials if m.code == code), None)

    def item_name(self, code: str, default: str = "") -> str:
        found = self.item(code)
        return found.name if found else default

    def fields_used_by(self, item: str) -> list[str]:
        return [f.field for f in self.fields if item in f.used_by]


def _item(row: dict) -> ItemPlan:
    return ItemPlan(
        code=row["code"],
        name=row.get("name") or "",
        department=row.get("department") or "",
        decided_by=row.get("decided_by") or "internal",
    )


def _material(row: dict) -> MaterialPlan:
    return MaterialPlan(
        code=row["code"],
        name=row.get("name") or "",
        disposition=row.get("disposition") or "",
        disposition_label=row.get("disposition_label") or "",
        description=row.get("description") or "",
        license_type_name=row.get("license_type_name") or "",
        produced_by=row.get("produced_by") or "",
        used_by=tuple(row.get("used_by") or ()),
    )


def _field(row: dict) -> FormField:
    return FormField(
        field=row["field"], label=row.get("label") or "", used_by=tuple(row.get("used_by") or ())
    )


def _question(row: dict) -> Question:
    options = {o["value"]: o["label"] for o in row.get("options", [])}
    return Question(
        code=row.get("code") or "",
        text=row.get("text") or "",
        answer=row.get("answer"),
        options=options,
    )
