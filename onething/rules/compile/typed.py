"""The JavaScript type a compiled sub-expression carries, and what a SQL NULL in it means."""

from dataclasses import dataclass, field
from typing import Any

COLUMN_KINDS = {"int": "num", "float": "num", "bool": "bool", "text": "text"}
_NO_CONST = object()


@dataclass(frozen=True)
class Typed:
    """A compiled sub-expression with its JavaScript type.

    ``null`` tells what SQL NULL means here: "" (never NULL), "null" (JavaScript null,
    from a column) or "nan" (NaN, from arithmetic or a failed conversion).
    """

    x: Any
    kind: str  # "num" | "bool" | "text" | "null"
    null: str = ""
    const: Any = field(default=_NO_CONST, compare=False)

    @property
    def is_const(self) -> bool:
        return self.const is not _NO_CONST


def _first(ops: list[Typed]) -> Typed:
    return ops[0] if ops else Typed(None, "null", "null", None)
