"""Primitive builders the rule compiler targets: SQL text (through SQLGlot) and Polars.

The SQL is written in DuckDB's spelling and rendered for PostgreSQL and Spark SQL by SQLGlot.
Both builders offer the same small vocabulary; the JavaScript semantics are decided in
``compile.py``, these only spell the primitives for one engine.
"""

import functools
import operator
from collections.abc import Mapping
from typing import Any, Protocol

import polars as pl
import sqlglot

from .jsvalues import DECIMAL_PATTERN, JS_WHITESPACE


class Uncompilable(Exception):
    """The rule uses something the columnar engines cannot reproduce; evaluate per record.

    Defined here, below ``compile``, because a backend may refuse a primitive too."""


FULL_NUMBER = f"^(?:{DECIMAL_PATTERN})$"
# Java's $ also matches before a final line terminator such as U+0085, which is not JavaScript
# whitespace (TRIM keeps it): "5\u0085" would pass as a number. \z is the very end in Java and RE2.
FULL_NUMBER_TO_END = f"^(?:{DECIMAL_PATTERN})\\z"
NUMBER_PREFIX = f"^{DECIMAL_PATTERN}"
SQL_DIALECTS = ("duckdb", "postgres", "spark")
_SQL_NULLS = {"num": "CAST(NULL AS DOUBLE)", "text": "CAST(NULL AS VARCHAR)"}
# Below this many listed values a plain IN is as cheap as the bitmap test.
BITMAP_MIN_VALUES = 2


def code_column(name: str) -> str:
    """The column holding ``name``'s dictionary code (0-based position in its sorted values)."""
    return f"__code_{name}"


class CodeBook:
    """A column's dictionary: ``x IN (v1, v2, …)`` becomes one bitmap lookup by code.

    DuckDB spells IN in a projection as a chain of ORs, one comparison per listed value; a
    categorical column (industry, region, scale) often lists dozens. The bitmap test costs
    the same whatever the list's length. The dictionary must hold every value of the table.
    """

    def __init__(self, name: str, values: list):
        self.column = sql_identifier(code_column(name))
        self.index = {value: i for i, value in enumerate(values)}

    def membership(self, values: list) -> str | None:
        positions = {self.index[v] for v in values if v in self.index}
        if not positions:
            return None  # plain IN keeps NULL for a null cell, as the bitmap does
        bits = "".join("1" if i in positions else "0" for i in range(len(self.index)))
        return f"(get_bit('{bits}'::BITSTRING, {self.column}) = 1)"


class Backend(Protocol):
    exact_remainder: bool

    def lit(self, value: Any) -> Any: ...
    def col(self, name: str) -> Any: ...
    def null_num(self) -> Any: ...
    def null_of(self, kind: str) -> Any: ...
    def coalesce(self, x: Any, y: Any) -> Any: ...
    def is_null(self, x: Any) -> Any: ...
    def not_(self, x: Any) -> Any: ...
    def and_(self, parts: list) -> Any: ...
    def or_(self, parts: list) -> Any: ...
    def case(self, whens: list[tuple[Any, Any]], other: Any) -> Any: ...
    def cmp(self, op: str, a: Any, b: Any, text: bool = False) -> Any: ...
    def arith(self, op: str, a: Any, b: Any) -> Any: ...
    def neg(self, x: Any) -> Any: ...
    def to_double(self, x: Any) -> Any: ...
    def bool_to_num(self, x: Any, null_is_zero: bool) -> Any: ...
    def text_to_number(self, x: Any, null_is_zero: bool) -> Any: ...
    def text_parse_float(self, x: Any) -> Any: ...
    def least(self, parts: list) -> Any: ...
    def greatest(self, parts: list) -> Any: ...
    def is_in(self, x: Any, values: list) -> Any: ...
    def contains(self, hay: Any, needle: Any) -> Any: ...
    def concat(self, parts: list) -> Any: ...


def sql_literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int) and abs(value) < 2**63:
        return str(value)
    if isinstance(value, (int, float)):
        # A bare 0.1 is a DECIMAL in DuckDB; JavaScript numbers are doubles.
        return f"CAST({float(value)!r} AS DOUBLE)"
    return "'" + str(value).replace("'", "''") + "'"


def sql_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class SqlBackend:
    """SQL written in DuckDB's spelling, then rendered for the target dialect by SQLGlot."""

    _SQL_OPS = {"!=": "<>", "=": "=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}

    def __init__(self, dialect: str = "duckdb", codes: Mapping[str, list] | None = None):
        if dialect not in SQL_DIALECTS:
            raise ValueError(f"unknown dialect {dialect}")
        if codes and dialect != "duckdb":
            raise ValueError("dictionary codes are a DuckDB table layout")
        self.dialect = dialect
        self._books = {sql_identifier(n): CodeBook(n, v) for n, v in (codes or {}).items()}
        # PostgreSQL has no % on double precision; DuckDB's and Spark's (Java's) truncate.
        self.exact_remainder = dialect in ("duckdb", "spark")
        self._full_number = FULL_NUMBER_TO_END if dialect == "spark" else FULL_NUMBER
        # The regex already guards every text-to-number cast; TRY_CAST on Spark makes sure
        # the answer does not depend on spark.sql.ansi.enabled either.
        self._cast = "TRY_CAST" if dialect == "spark" else "CAST"

    def render(self, sql: str) -> str:
        # The builder already writes DuckDB; parsing it again costs ~10 ms a rule for nothing.
        if self.dialect == "duckdb":
            return sql
        return sqlglot.transpile(sql, read="duckdb", write=self.dialect)[0]

    def lit(self, value: Any) -> str:
        return sql_literal(value)

    def col(self, name: str) -> str:
        return sql_identifier(name)

    def null_num(self) -> str:
        return _SQL_NULLS["num"]

    def null_of(self, kind: str) -> str:
        return _SQL_NULLS.get(kind, "CAST(NULL AS BOOLEAN)" if kind == "bool" else "NULL")

    def coalesce(self, x: str, y: str) -> str:
        return f"COALESCE({x}, {y})"

    def is_null(self, x: str) -> str:
        return f"({x} IS NULL)"

    def not_(self, x: str) -> str:
        return f"(NOT {x})"

    def and_(self, parts: list[str]) -> str:
        return "(" + " AND ".join(parts) + ")"

    def or_(self, parts: list[str]) -> str:
        return "(" + " OR ".join(parts) + ")"

    def case(self, whens: list[tuple[str, str]], other: str) -> str:
        branches = " ".join(f"WHEN {c} THEN {v}" for c, v in whens)
        return f"(CASE {branches} ELSE {other} END)"

    def cmp(self, op: str, a: str, b: str, text: bool = False) -> str:
        if text and self.dialect == "postgres":
            a = f'{a} COLLATE "C"'  # code point order, as the other engines
        return f"({a} {self._SQL_OPS[op]} {b})"

    def arith(self, op: str, a: str, b: str) -> str:
        return f"({a} {op} {b})"

    def neg(self, x: str) -> str:
        return f"(- {x})"

    def to_double(self, x: str) -> str:
        return f"CAST({x} AS DOUBLE)"

    def bool_to_num(self, x: str, null_is_zero: bool) -> str:
        if null_is_zero:
            return f"(CASE WHEN {x} THEN 1 ELSE 0 END)"
        return f"(CASE WHEN {x} THEN 1 WHEN NOT {x} THEN 0 END)"

    def text_to_number(self, x: str, null_is_zero: bool) -> str:
        source = f"COALESCE({x}, '')" if null_is_zero else x
        s = f"TRIM({source}, {sql_literal(JS_WHITESPACE)})"
        pattern = sql_literal(self._full_number)
        return (
            f"(CASE WHEN {s} = '' THEN CAST(0 AS DOUBLE) "
            f"WHEN REGEXP_MATCHES({s}, {pattern}) THEN {self._cast}({s} AS DOUBLE) END)"
        )

    def text_parse_float(self, x: str) -> str:
        if self.dialect == "postgres":
            raise Uncompilable("PostgreSQL 方言暂不支持对文本做 parseFloat")
        s = f"LTRIM({x}, {sql_literal(JS_WHITESPACE)})"
        found = f"REGEXP_EXTRACT({s}, {sql_literal(NUMBER_PREFIX)}, 0)"
        return f"{self._cast}(NULLIF({found}, '') AS DOUBLE)"

    def least(self, parts: list[str]) -> str:
        # Spark's LEAST and GREATEST refuse a single argument; the minimum of one is itself.
        return parts[0] if len(parts) == 1 else f"LEAST({', '.join(parts)})"

    def greatest(self, parts: list[str]) -> str:
        return parts[0] if len(parts) == 1 else f"GREATEST({', '.join(parts)})"

    def is_in(self, x: str, values: list) -> str:
        book = self._books.get(x)
        if book and len(values) >= BITMAP_MIN_VALUES and (found := book.membership(values)):
            return found
        return f"({x} IN ({', '.join(sql_literal(v) for v in values)}))"

    def contains(self, hay: str, needle: str) -> str:
        return f"(STRPOS({hay}, {needle}) > 0)"

    def concat(self, parts: list[str]) -> str:
        return "(" + " || ".join(parts) + ")" if parts else "''"


class PolarsBackend:
    exact_remainder = False  # Polars' % floors like Python; JavaScript truncates.

    def lit(self, value: Any) -> pl.Expr:
        if isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool)):
            return pl.lit(float(value), dtype=pl.Float64)
        if isinstance(value, str):
            return pl.lit(value, dtype=pl.String)
        return pl.lit(value, dtype=pl.Boolean) if isinstance(value, bool) else pl.lit(None)

    def col(self, name: str) -> pl.Expr:
        return pl.col(name)

    def null_num(self) -> pl.Expr:
        return pl.lit(None, dtype=pl.Float64)

    def null_of(self, kind: str) -> pl.Expr:
        dtype = {"num": pl.Float64, "text": pl.String, "bool": pl.Boolean}.get(kind, pl.Null)
        return pl.lit(None, dtype=dtype)

    def coalesce(self, x: pl.Expr, y: pl.Expr) -> pl.Expr:
        return pl.coalesce(x, y)

    def is_null(self, x: pl.Expr) -> pl.Expr:
        return x.is_null()

    def not_(self, x: pl.Expr) -> pl.Expr:
        return ~x

    def and_(self, parts: list) -> pl.Expr:
        return functools.reduce(operator.and_, parts)

    def or_(self, parts: list) -> pl.Expr:
        return functools.reduce(operator.or_, parts)

    def case(self, whens: list[tuple[Any, Any]], other: pl.Expr) -> pl.Expr:
        chain: Any = pl
        for condition, value in whens:
            chain = chain.when(condition).then(value)
        return chain.otherwise(other)

    def cmp(self, op: str, a: pl.Expr, b: pl.Expr, text: bool = False) -> pl.Expr:
        return _POLARS_CMP[op](a, b)

    def arith(self, op: str, a: pl.Expr, b: pl.Expr) -> pl.Expr:
        return _POLARS_ARITH[op](a, b)

    def neg(self, x: pl.Expr) -> pl.Expr:
        return -x

    def to_double(self, x: pl.Expr) -> pl.Expr:
        return x.cast(pl.Float64)

    def bool_to_num(self, x: pl.Expr, null_is_zero: bool) -> pl.Expr:
        chain = pl.when(x).then(1.0)
        return chain.otherwise(0.0) if null_is_zero else chain.when(~x).then(0.0)

    def text_to_number(self, x: pl.Expr, null_is_zero: bool) -> pl.Expr:
        source = x.fill_null("") if null_is_zero else x
        s = source.str.strip_chars(JS_WHITESPACE)
        parsed = s.cast(pl.Float64, strict=False)
        return pl.when(s == "").then(0.0).when(s.str.contains(FULL_NUMBER)).then(parsed)

    def text_parse_float(self, x: pl.Expr) -> pl.Expr:
        found = x.str.strip_chars_start(JS_WHITESPACE).str.extract(f"({NUMBER_PREFIX})", 1)
        return found.cast(pl.Float64, strict=False)

    def least(self, parts: list) -> pl.Expr:
        return pl.min_horizontal(parts)

    def greatest(self, parts: list) -> pl.Expr:
        return pl.max_horizontal(parts)

    def is_in(self, x: pl.Expr, values: list) -> pl.Expr:
        if values and all(isinstance(v, str) for v in values):
            return x.is_in(pl.lit(pl.Series(values, dtype=pl.String)).implode())
        if values and all(isinstance(v, bool) for v in values):
            return x.is_in(pl.lit(pl.Series(values, dtype=pl.Boolean)).implode())
        numbers = pl.Series([float(v) for v in values], dtype=pl.Float64)
        return x.cast(pl.Float64).is_in(pl.lit(numbers).implode())

    def contains(self, hay: pl.Expr, needle: pl.Expr) -> pl.Expr:
        return hay.str.contains(needle, literal=True)

    def concat(self, parts: list) -> pl.Expr:
        return pl.concat_str(parts) if parts else pl.lit("")


_POLARS_CMP = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_POLARS_ARITH = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}
