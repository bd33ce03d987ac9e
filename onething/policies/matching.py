"""Columnar matching of one policy over the registry, reusing ``batch`` (DuckDB, with a
per-record fallback for rules that do not compile)."""

from dataclasses import dataclass, field
from datetime import date

from . import batch, holders
from .constants import Subject


@dataclass
class Frame:
    """Registry rows turned into rule attributes, ready for ``batch.match``."""

    subject: str
    keys: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)  # credit codes; "" for persons
    records: list[dict] = field(default_factory=list)
    watermark: object = None  # the newest updated_at seen

    def add(self, row: dict, today: date) -> None:
        person = self.subject == Subject.PERSON
        attrs = (holders.person_attributes if person else holders.entity_attributes)(row, today)
        self.keys.append(f"{holders.key_prefix(self.subject)}:{row['id']}")
        self.names.append(row["name"])
        self.regions.append(attrs[holders.region_field(self.subject)] or "")
        self.numbers.append(row.get("credit_code") or "")
        self.records.append(attrs)
        if self.watermark is None or row["updated_at"] > self.watermark:
            self.watermark = row["updated_at"]

    def table(self) -> batch.EntityTable:
        types = holders.types_for(self.subject)
        columns = {name: [r[name] for r in self.records] for name in types}
        return batch.EntityTable(list(self.keys), dict(types), columns)


def load(subject: str, today: date, *, changed_since=None) -> Frame:
    frame = Frame(subject)
    for row in holders.rows(subject, changed_since=changed_since):
        frame.add(row, today)
    return frame


def qualifying(frame: Frame, *, code: str, title: str, rule) -> tuple[set[str], dict]:
    """Keys of the frame's holders that satisfy the rule, and how it was computed."""
    if not frame.keys:
        return set(), {"engine": "none", "fallback": ""}
    result = batch.match([batch.Policy(code, title, rule)], frame.table(), "duckdb")
    fallback = result.fallbacks[0][1] if result.fallbacks else ""
    info = {"engine": "python" if fallback else result.engine, "fallback": fallback}
    info["seconds"] = round(result.seconds, 3)
    return {entity_id for entity_id, _ in result.pairs}, info
