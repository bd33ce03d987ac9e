"""The declared type, label and option labels of every attribute a policy reads.

Attributes are data elements of the catalog (``data/catalog/data_elements.yaml``): an
attribute ``x`` is the element whose ``prefill`` names the registry field ``person.x`` /
``entity.x``, else the element with code ``x`` (derived attributes such as ``age``). Files
given with ``--schema`` declare attributes outside the catalog in the same shape. Entity files
are read with these types, never guessed: a digit-only code stays text with its leading zeros.
"""

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.conf import settings

from onething.catalog.constants import ElementType

# What a column holds for the rule compiler: "int" | "float" | "bool" | "text".
KINDS = {
    ElementType.INTEGER: "int",
    ElementType.MONEY: "float",
    "number": "float",  # only in --schema files: a decimal that is not an amount of money
    ElementType.BOOLEAN: "bool",
}
SCHEMA_TYPES = {*ElementType.values, "number"}
# The text a CSV cell must match for its declared type (empty cells are nulls). Integers stop
# at 15 digits, exact in a JavaScript number; region codes have 2, 4, 6, 9 or 12 digits.
PATTERNS = {
    "integer": r"-?(0|[1-9][0-9]{0,14})",
    "money": r"-?(0|[1-9][0-9]*)(\.[0-9]+)?",
    "number": r"-?(0|[1-9][0-9]*)(\.[0-9]+)?",
    "boolean": r"true|false",
    "date": r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])",
    "region": r"[0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{12}",
}
EXPECTED = {
    "integer": "整数",
    "money": "数字",
    "number": "数字",
    "boolean": "布尔值 true 或 false",
    "date": "日期（YYYY-MM-DD）",
    "region": "行政区划代码（2、4、6、9 或 12 位数字）",
}


class SchemaError(ValueError):
    """A bad --schema file or an undeclared attribute; the message is Chinese."""


@dataclass(frozen=True)
class Attribute:
    name: str
    label: str
    type: str  # a catalog element type, or "number"
    options: dict[str, str] = field(default_factory=dict)  # stored value -> label

    @property
    def kind(self) -> str:
        return KINDS.get(self.type, "text")

    @property
    def pattern(self) -> str | None:
        return PATTERNS.get(self.type)

    @property
    def expected(self) -> str:
        if self.type == ElementType.ENUM:
            return "以下取值之一：" + "、".join(self.options)
        return EXPECTED.get(self.type, "文本")

    def fits(self, cell: str) -> bool:
        """Whether a non-empty CSV cell is a value of this type (the loaders' check)."""
        if self.type == ElementType.ENUM:
            return cell in self.options
        return self.pattern is None or re.fullmatch(self.pattern, cell) is not None

    def option_label(self, value) -> str | None:
        return self.options.get(value) if isinstance(value, str) else None


@functools.cache
def _elements(path: str) -> tuple[dict, ...]:
    return tuple(yaml.safe_load(Path(path).read_text(encoding="utf-8")) or [])


def _attribute(name: str, element: dict) -> Attribute:
    options = {str(o["value"]): str(o["label"]) for o in element.get("options") or []}
    return Attribute(name, str(element["name"]), str(element["type"]), options)


def catalog(subject: str | None = None) -> dict[str, Attribute]:
    """Attributes declared by the catalog, by name. ``subject`` ("person"/"entity") picks the
    registry fields its elements prefill from; without it both are offered (person first)."""
    return dict(_catalog(str(Path(settings.CATALOG_DIR) / "data_elements.yaml"), subject))


@functools.cache
def _catalog(path: str, subject: str | None) -> dict[str, Attribute]:
    elements = _elements(path)
    out = {e["code"]: _attribute(e["code"], e) for e in elements}
    prefixes = [f"{subject}."] if subject else ["entity.", "person."]
    for prefix in prefixes:  # later prefixes win: person over entity for a shared name
        for element in sorted(elements, key=lambda e: e["code"], reverse=True):
            for source in element.get("prefill") or []:
                if source.startswith(prefix) and source.count(".") == 1:
                    name = source.removeprefix(prefix)
                    out[name] = _attribute(name, element)
    return out


def load_schema(path: str | Path) -> dict[str, Attribute]:
    """Attributes from a --schema file: a YAML or JSON list of ``{code, name, type, options}``
    as in data_elements.yaml (``type`` may also be ``number``, a decimal)."""
    try:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise SchemaError(f"无法读取字段声明文件 {path}：{error}") from error
    if not isinstance(doc, list):
        raise SchemaError(f"字段声明文件 {path} 必须是列表（格式同 data_elements.yaml）")
    return dict(_schema_entry(path, i, entry) for i, entry in enumerate(doc))


def _schema_entry(path, index: int, entry) -> tuple[str, Attribute]:
    where = f"字段声明文件 {path} 第 {index + 1} 项"
    if not isinstance(entry, dict) or not isinstance(entry.get("code"), str):
        raise SchemaError(f"{where}：缺少 code")
    if entry.get("type") not in SCHEMA_TYPES:
        raise SchemaError(
            f"{where}（{entry['code']}）：类型 {entry.get('type')!r} 无效，应为 "
            + "、".join(sorted(SCHEMA_TYPES))
        )
    options = entry.get("options") or []
    if entry["type"] == ElementType.ENUM and not options:
        raise SchemaError(f"{where}（{entry['code']}）：枚举类型必须给出 options")
    if not all(isinstance(o, dict) and {"value", "label"} <= o.keys() for o in options):
        raise SchemaError(f"{where}（{entry['code']}）：options 每项须有 value 和 label")
    element = {"name": entry.get("name") or entry["code"], **entry, "options": options}
    return entry["code"], _attribute(entry["code"], element)


def declared(schema: str | Path | None = None, subject: str | None = None) -> dict[str, Attribute]:
    """The catalog's attributes, overridden by those of a --schema file."""
    return catalog(subject) | (load_schema(schema) if schema else {})


def kinds(attributes: dict[str, Attribute]) -> dict[str, str]:
    return {name: a.kind for name, a in attributes.items()}


def labels(attributes: dict[str, Attribute]) -> dict[str, str]:
    return {name: a.label for name, a in attributes.items()}
