"""``compile_rule``: a rule in, ``Compiled`` (SQL or a Polars expression) or ``NotCompiled`` out."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..backends import PolarsBackend, SqlBackend, Uncompilable
from .compiler import Compiler


@dataclass(frozen=True)
class Compiled:
    """A rule in columnar form.

    ``sql`` / ``expr`` are never NULL (SQL boolean expression, Polars expression).
    ``condition_sql`` / ``condition_expr`` may be NULL where the rule is false: use them in
    WHERE or CASE WHEN (and Polars ``when``), where they are faster.
    """

    dialect: str
    sql: str | None = None
    condition_sql: str | None = None
    expr: Any = None
    condition_expr: Any = None
    ok: bool = True


@dataclass(frozen=True)
class NotCompiled:
    """Marker: the caller must evaluate this rule per record; ``reason`` is for the user."""

    dialect: str
    reason: str
    ok: bool = False


def compile_rule(
    rule: Any,
    *,
    dialect: str = "duckdb",
    columns: Mapping[str, str],
    codes: Mapping[str, list] | None = None,
) -> Compiled | NotCompiled:
    """Columnar form of ``holds(rule, row)`` for a table whose column types are ``columns``.

    ``dialect`` is "duckdb", "postgres" or "spark" (``.sql``, a boolean SQL expression) or "polars"
    (``.expr``). ``columns`` maps names to "int", "float", "bool" or "text". A rule outside
    the supported subset yields ``NotCompiled`` (``ok`` false, ``reason`` in Chinese):
    evaluate it per record instead.

    ``codes`` (DuckDB only) names columns stored with a dictionary code column
    (``code_column(name)``, 0-based position in the given list, which must hold every value
    of the table): IN lists over them compile to a bitmap lookup.
    """
    backend = PolarsBackend() if dialect == "polars" else SqlBackend(dialect, codes)
    compiler = Compiler(columns, backend)
    try:
        condition = compiler.truth(rule)
    except Uncompilable as error:
        return NotCompiled(dialect, str(error))
    strict = compiler.strict(condition)
    if dialect == "polars":
        return Compiled(dialect, expr=strict, condition_expr=condition)
    return Compiled(dialect, sql=backend.render(strict), condition_sql=backend.render(condition))
