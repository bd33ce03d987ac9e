"""The compiled blueprint as typed objects, for the apps that read it (catalog's public door).

The compiler writes the blueprint as JSON (a case stores its own copy, so that a later catalog
version never changes a case already submitted). Apps above the catalog read it through
``Blueprint.of(stored)``, never by key: a renamed key then fails here, in one place, not as a
``KeyError`` in another app's request. Cases written by older versions may lack newer keys, so
every part has a default. (The apply page's template still renders the stored material and
field rows as they are: they are the catalog's display rows, passed through whole.) A blueprint
dict is never changed once compiled, so its typed view is built once and kept (a few hundred,
by the dict's identity).
"""

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

_BUILT: dict[int, "Blueprint"] = {}  # id(stored dict) → its typed view, oldest first
_KEPT = 256
_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class ItemPlan:
    code: str
    name: str
    # The department kind's code (市场监管 …); the case's region picks the office.
    department_kind: str = ""
    level: str = ""  # the administrative level that decides it: province, city or county
    stage: int = 0  # the parallel stage it runs in
    result: str = ""  # the licence type it issues, if any
    days: int = 0  # working days committed inside this one-thing
    establishes: bool = False  # a registration creating a new subject (设立登记)
    decided_by: str = "internal"  # "internal" (onething's reviewer pages) or a system's code
    kind: str = ""  # its legal kind: 行政许可, 行政确认, 行政给付, 公共服务, 其他行政权力 …

    @property
    def routing(self) -> dict:
        """The shape ``cases.services.department_for_item`` routes, as the snapshot gives it."""
        return {
            "name": self.name,
            "department": {"code": self.department_kind},
            "level": self.level,
        }


@dataclass(frozen=True, slots=True)
class MaterialPlan:
    code: str
    name: str
    disposition: str  # constants.Disposition: upload, commitment, license, shared_data, …
    disposition_label: str = ""
    description: str = ""
    license_type: str = ""
    license_type_name: str = ""
    registry_field: str = ""  # the registry value that proves it (shared data)
    produced_by: str = ""  # the earlier item whose result supplies it
    used_by: tuple[str, ...] = ()  # the items that read it
    required: bool = False
    commitment_allowed: bool = False  # may follow under a commitment (容缺)


@dataclass(frozen=True, slots=True)
class FormField:
    field: str
    label: str = ""
    kind: str = ""  # the data element's type: text, date, region, …
    used_by: tuple[str, ...] = ()
    prefill: tuple[str, ...] = ()  # registry sources, first with a value wins


@dataclass(frozen=True, slots=True)
class Produced:
    """A form field an earlier item's result supplies: ``source`` on its licence's face."""

    field: str
    produced_by: str
    source: str


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
    version: int
    items: tuple[ItemPlan, ...]
    materials: tuple[MaterialPlan, ...]
    fields: tuple[FormField, ...]
    form_schema: Mapping[str, Any]  # JSON Schema of the one form
    produced: tuple[Produced, ...]
    questions: tuple[Question, ...]
    answers: Mapping[str, Any]
    promised_days: int
    legal_days: int
    dependencies: Mapping[str, tuple[str, ...]]  # item → the items it waits for
    cross_region: str  # 无, 全省通办 or 跨省通办: the weakest of its items
    fee: Decimal
    before: Mapping[str, int]  # reductions: the figures when each item is done alone
    after: Mapping[str, int]  # … and in the one-thing
    faq: tuple[tuple[str, str], ...]  # (question, answer) as published

    @classmethod
    def of(cls, stored: Mapping[str, Any] | None) -> "Blueprint":
        """The typed view of a stored blueprint, built once per dict: a request reads the same
        blueprint in several places (about 0.2 ms a build)."""
        if stored is None:
            return cls._build({})
        hit = _BUILT.get(id(stored))
        if hit is not None and hit.raw is stored:  # ``raw`` keeps the dict, so its id is not reused
            return hit
        built = cls._build(stored)
        with _LOCK:
            while len(_BUILT) >= _KEPT:
                _BUILT.pop(next(iter(_BUILT)))
            _BUILT[id(stored)] = built
        return built

    @classmethod
    def _build(cls, bp: Mapping[str, Any]) -> "Blueprint":
        header, process = bp.get("onething") or {}, bp.get("process") or {}
        form, reductions = bp.get("form") or {}, bp.get("reductions") or {}
        return cls(
            raw=bp,
            code=header.get("code") or "",
            name=header.get("name") or "",
            version=header.get("version") or 0,
            items=tuple(_item(i) for i in bp.get("items", [])),
            materials=tuple(_material(m) for m in bp.get("materials", [])),
            fields=tuple(_field(f) for f in form.get("layout", [])),
            form_schema=form.get("schema") or {},
            produced=tuple(
                Produced(p["field"], p["produced_by"], p["source"])
                for p in form.get("produced", [])
            ),
            questions=tuple(_question(q) for q in bp.get("questions", [])),
            answers=bp.get("answers") or {},
            promised_days=process.get("promised_days") or 0,
            legal_days=process.get("legal_days") or 0,
            dependencies={k: tuple(v) for k, v in (process.get("dependencies") or {}).items()},
            cross_region=bp.get("cross_region") or "无",
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

    @property
    def produced_fields(self) -> frozenset[str]:
        return frozenset(p.field for p in self.produced)

    def materials_used_by(self, item: str) -> list[str]:
        return [m.code for m in self.materials if item in m.used_by]


def _item(row: dict) -> ItemPlan:
    promised = row.get("promised_days") or 0
    committed = row.get("committed_days")
    return ItemPlan(
        code=row["code"],
        name=row.get("name") or "",
        department_kind=(row.get("department") or {}).get("code") or "",
        level=row.get("level") or "",
        stage=row.get("stage") or 0,
        result=row.get("result") or "",
        days=promised if committed is None else committed,
        establishes=bool(row.get("establishes")),
        decided_by=row.get("decided_by") or "internal",
        kind=row.get("kind") or "",
    )


def _material(row: dict) -> MaterialPlan:
    return MaterialPlan(
        code=row["code"],
        name=row.get("name") or "",
        disposition=row.get("disposition") or "",
        disposition_label=row.get("disposition_label") or "",
        description=row.get("description") or "",
        license_type=row.get("license_type") or "",
        license_type_name=row.get("license_type_name") or "",
        registry_field=row.get("registry_field") or "",
        produced_by=row.get("produced_by") or "",
        used_by=tuple(row.get("used_by") or ()),
        required=bool(row.get("required")),
        commitment_allowed=bool(row.get("commitment_allowed")),
    )


def _field(row: dict) -> FormField:
    return FormField(
        field=row["field"],
        label=row.get("label") or "",
        kind=row.get("type") or "",
        used_by=tuple(row.get("used_by") or ()),
        prefill=tuple(row.get("prefill") or ()),
    )


def _question(row: dict) -> Question:
    options = {o["value"]: o["label"] for o in row.get("options", [])}
    return Question(
        code=row.get("code") or "",
        text=row.get("text") or "",
        answer=row.get("answer"),
        options=options,
    )
