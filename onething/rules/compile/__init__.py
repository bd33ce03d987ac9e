"""JsonLogic compiled to columnar expressions (DuckDB / PostgreSQL / Spark SQL, Polars).

A compiled rule yields, for every row, exactly ``truthy(evaluate(rule, row))`` of the
per-record engine. The typing (``typed``) is what makes that hold: each sub-expression knows its
JavaScript type (number, boolean, text or null) and what a SQL NULL in it stands for —
a JavaScript ``null`` (a column cell) or ``NaN`` (a failed number conversion). Anything
outside the supported subset raises ``Uncompilable`` so that callers fall back to the
per-record engine.

By capability; callers keep ``from onething.rules.compile import …``:

- ``rule``: ``compile_rule`` and what it returns, ``Compiled`` or ``NotCompiled``;
- ``typed``: ``Typed``, a sub-expression with its JavaScript type and the meaning of its NULL;
- ``compiler``: the ``Compiler``'s entry points (truth, values, constants, columns) and its
  operator table, which dispatches to the methods it mixes in from
- ``numbers`` (conversion, arithmetic, min/max), ``comparisons`` (ordering, equality),
  ``membership`` (``in``, ``cat``) and ``branches`` (value-returning ``and`` / ``or`` / ``if``).
"""

from .compiler import Compiler
from .rule import Compiled, NotCompiled, compile_rule
from .typed import COLUMN_KINDS, Typed

__all__ = ["COLUMN_KINDS", "Compiled", "Compiler", "NotCompiled", "Typed", "compile_rule"]
