"""Matching many entities against many policies at once: pure functions over files.

Used by ``onething policies match|explain`` and meant to be reused by the policy library.
A policy is ``{"code", "title", "condition"}`` with a JsonLogic condition; an entity table
is a CSV with an ``id`` column. Rules compile to one columnar expression each and are
evaluated a chunk of policies per query; rules that do not compile fall back, one by one,
to the per-record engine, and the result says so.
"""

import csv
import json
import re
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from onething.rules import services as rules

ENGINES = ("auto", "duckdb", "polars", "spark", "python")  # auto is DuckDB, never Spark
CHUNK = 62  # policies per query: one bit each in a BIGINT mask, sign bit left alone
# Columns with at most this many distinct values get a dictionary code column in DuckDB
# (UINT16 codes; the bitmap literal of an IN list is one character per value).
CODE_LIMIT = 4096
_INT = re.compile(r"-?(0|[1-9][0-9]*)\Z")
_DECIMAL = re.compile(r"-?[0-9]+\.[0-9]+\Z")
_BOOLS = {"true": True, "false": False}


class BatchError(ValueError):
    """Bad input file; the message is Chinese and names the line or policy."""


@dataclass(frozen=True)
class Policy:
    code: str
    title: str
    condition: Any


@dataclass
class EntityTable:
    ids: list[str]
    types: dict[str, str]  # column -> "int" | "float" | "bool" | "text" (id excluded)
    columns: dict[str, list]  # column -> typed values, None for empty cells

    def __len__(self) -> int:
        return len(self.ids)

    def record(self, row: int) -> dict[str, Any]:
        return {name: values[row] for name, values in self.columns.items()}

    def row_of(self, entity_id: str) -> int:
        try:
            return self.ids.index(entity_id)
        except ValueError:
            raise BatchError(f"实体文件中没有 id 为 {entity_id} 的记录") from None


@dataclass
class MatchResult:
    pairs: list[tuple[str, str]]  # (entity_id, policy_code), sorted
    engine: str
    fallbacks: list[tuple[str, str]] = field(default_factory=list)  # (policy code, reason)
    seconds: float = 0.0


# --- policies ------------------------------------------------------------------------------


def load_policies(path: str | Path) -> list[Policy]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BatchError(f"无法读取策略文件 {path}：{error}") from error
    if not isinstance(data, list):
        raise BatchError("策略文件必须是 JSON 数组")
    return [_policy(item, i) for i, item in enumerate(data)]


def _policy(item: Any, index: int) -> Policy:
    if not isinstance(item, dict) or not {"code", "title", "condition"} <= item.keys():
        raise BatchError(f"第 {index + 1} 条策略缺少 code、title 或 condition")
    return Policy(str(item["code"]), str(item["title"]), item["condition"])


def check_policies(policies: list[Policy], columns: Iterable[str]) -> list[str]:
    """Chinese messages, one per problem, naming the policy code and the path in the rule."""
    known, problems, seen = set(columns) | {"id"}, [], set()
    for policy in policies:
        if policy.code in seen:
            problems.append(f"策略 {policy.code}：编码重复")
        seen.add(policy.code)
        for error in rules.validate(policy.condition, variables=known):
            problems.append(f"策略 {policy.code}：{error.path}：{error.message}")
    return problems


# --- entities ------------------------------------------------------------------------------


def load_entities(path: str | Path) -> EntityTable:
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            header, rows = _read_rows(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise BatchError(f"无法读取实体文件 {path}：{error}") from error
    id_at = header.index("id")
    names = [n for i, n in enumerate(header) if i != id_at]
    raw = {n: [row[i] for row in rows] for i, n in enumerate(header) if i != id_at}
    types = {n: infer_type(raw[n]) for n in names}
    columns = {n: [parse_cell(v, types[n]) for v in raw[n]] for n in names}
    return EntityTable([row[id_at] for row in rows], types, columns)


def _read_rows(reader: Any) -> tuple[list[str], list[list[str]]]:
    header = next(reader, None)
    if not header or "id" not in header:
        raise BatchError("实体文件第 1 行必须是表头，且包含 id 列")
    if len(set(header)) != len(header):
        raise BatchError("实体文件第 1 行：列名重复")
    rows, first_line, id_at = [], {}, header.index("id")
    for row in reader:
        line = reader.line_num
        _check_row(row, line, len(header), id_at, first_line)
        rows.append(row)
    return header, rows


def _check_row(row: list[str], line: int, width: int, id_at: int, first_line: dict) -> None:
    if len(row) != width:
        raise BatchError(f"实体文件第 {line} 行：有 {len(row)} 列，表头有 {width} 列")
    entity_id = row[id_at]
    if not entity_id.strip():
        raise BatchError(f"实体文件第 {line} 行：缺少 id")
    if entity_id in first_line:
        raise BatchError(
            f"实体文件第 {line} 行：id {entity_id} 重复（首次出现在第 {first_line[entity_id]} 行）"
        )
    first_line[entity_id] = line


def infer_type(values: list[str]) -> str:
    """int, float (decimal), bool or text; empty cells are nulls and do not vote."""
    present = [v for v in values if v != ""]
    if all(_INT.match(v) and abs(int(v)) < 2**53 for v in present) and present:
        return "int"
    if present and all(_INT.match(v) or _DECIMAL.match(v) for v in present):
        return "float"
    if present and all(v in _BOOLS for v in present):
        return "bool"
    return "text"


def parse_cell(value: str, kind: str) -> Any:
    if value == "":
        return None
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    return _BOOLS[value] if kind == "bool" else value


# --- matching ------------------------------------------------------------------------------


def match(policies: list[Policy], table: EntityTable, engine: str = "auto") -> MatchResult:
    started = time.perf_counter()
    if engine == "python":
        hits = _python_hits(policies, table)
        result = MatchResult([], "python")
    else:
        backend = "duckdb" if engine == "auto" else engine
        result = MatchResult([], backend)
        hits = _compiled_hits(policies, table, backend, result.fallbacks)
    result.pairs = _sorted_pairs(hits, policies, table)
    result.seconds = time.perf_counter() - started
    return result


def _python_hits(policies: list[Policy], table: EntityTable) -> list[tuple[int, int]]:
    hits = []
    for row in range(len(table)):
        record = table.record(row)
        hits.extend(
            (row, p) for p, policy in enumerate(policies) if rules.holds(policy.condition, record)
        )
    return hits


def _compiled_hits(policies, table, backend: str, fallbacks: list) -> list[tuple[int, int]]:
    frame = to_polars(table) if backend == "duckdb" else None
    codes = dictionary_codes(frame, table.types) if frame is not None else None
    compiled, manual = [], []
    for index, policy in enumerate(policies):
        form = rules.compile_rule(
            policy.condition, dialect=backend, columns=table.types, codes=codes
        )
        if form.ok:
            compiled.append((index, form))
        else:
            manual.append(index)
            fallbacks.append((policy.code, form.reason))
    forms = [form for _, form in compiled]
    if frame is not None:
        masks = _duckdb_masks(frame, forms, codes)
    else:
        masks = (_spark_masks if backend == "spark" else _polars_masks)(table, forms)
    hits = _decode(masks, [i for i, _ in compiled])
    subset = [policies[i] for i in manual]
    hits.extend((row, manual[p]) for row, p in _python_hits(subset, table))
    return hits


def _spark_masks(table: EntityTable, forms: list) -> Iterable[np.ndarray]:
    try:  # pyspark (and a JVM) only for --engine spark
        from onething.policies import spark
    except ImportError as error:
        raise BatchError(f"引擎 spark 需要安装 pyspark：{error}") from error
    return spark.table_masks(table, forms)


def _decode(masks: Iterable[np.ndarray], indexes: list[int]) -> list[tuple[int, int]]:
    hits = []
    for chunk, mask in enumerate(masks):
        for bit, policy in enumerate(indexes[chunk * CHUNK : (chunk + 1) * CHUNK]):
            rows = np.flatnonzero(mask & np.int64(1 << bit))
            hits.extend(zip(rows.tolist(), [policy] * len(rows), strict=True))
    return hits


def _sorted_pairs(hits, policies: list[Policy], table: EntityTable) -> list[tuple[str, str]]:
    numeric = all(_INT.match(i) for i in table.ids)
    key: Callable = (lambda i: (int(i), i)) if numeric else (lambda i: i)
    pairs = {(table.ids[row], policies[p].code) for row, p in hits}
    return sorted(pairs, key=lambda pair: (key(pair[0]), pair[1]))


def to_polars(table: EntityTable):
    import polars as pl

    dtypes = {"int": pl.Int64, "float": pl.Float64, "bool": pl.Boolean, "text": pl.String}
    series = [pl.Series(n, v, dtype=dtypes[table.types[n]]) for n, v in table.columns.items()]
    return pl.DataFrame(series, height=len(table))


def _polars_masks(table: EntityTable, forms: list) -> Iterable[np.ndarray]:
    import polars as pl

    frame = to_polars(table)
    for start in range(0, len(forms), CHUNK):
        bits = [
            pl.when(form.condition_expr)
            .then(pl.lit(1 << bit, dtype=pl.Int64))
            .otherwise(pl.lit(0, dtype=pl.Int64))
            for bit, form in enumerate(forms[start : start + CHUNK])
        ]
        yield polars_column(frame, pl.sum_horizontal(bits)).astype(np.int64)


def polars_column(frame, expr) -> np.ndarray:
    """One value per row. Polars may hand back a single value when every row has the same
    one (constant rules, and when/then over a uniform column), so broadcast it."""
    values = frame.select(expr.alias("__value"))["__value"].to_numpy()
    return np.repeat(values, frame.height) if len(values) == 1 and frame.height != 1 else values


def dictionary_codes(frame, types: dict[str, str]) -> dict[str, list]:
    """Sorted distinct values of each integer or text column that has few (categoricals).

    Give the result to ``rules.compile_rule(codes=…)`` and to ``duckdb_table(codes=…)``
    together: the compiled SQL reads the code columns that the table then carries.
    """
    codes = {}
    for name, kind in types.items():
        if (
            kind in ("int", "text")
            and name in frame.columns
            and rules.code_column(name) not in frame.columns
        ):
            values = frame.get_column(name).drop_nulls().unique()
            if len(values) <= CODE_LIMIT:
                codes[name] = values.sort().to_list()
    return codes


def duckdb_table(frame, directory: str, codes: dict[str, list] | None = None):
    """A DuckDB connection holding a Polars frame as table ``entities`` (via Parquet: no pyarrow).

    DuckDB neither loads nor returns rows in file order when it runs in parallel, so the
    table carries the row position as ``__row``. Each column in ``codes`` also gets its
    dictionary code column.
    """
    import duckdb
    import polars as pl

    path = str(Path(directory) / "entities.parquet")
    coded = [
        pl.col(name)
        .replace_strict(values, list(range(len(values))), default=None, return_dtype=pl.UInt16)
        .alias(rules.code_column(name))
        for name, values in (codes or {}).items()
    ]
    frame.with_columns(coded).with_row_index("__row").write_parquet(path)
    connection = duckdb.connect()
    connection.execute(f"CREATE TABLE entities AS SELECT * FROM read_parquet('{path}')")
    return connection


def mask_query(sql_conditions: list[str], source: str = "entities") -> str:
    bits = [f"(CASE WHEN {c} THEN {1 << i} ELSE 0 END)" for i, c in enumerate(sql_conditions)]
    return f"SELECT __row, ({' + '.join(bits) or '0'})::BIGINT AS mask FROM {source}"


def duckdb_masks(connection, sql_conditions: list[str], source: str = "entities"):
    """One int64 mask per row, in row order, for each chunk of CHUNK conditions."""
    for start in range(0, len(sql_conditions), CHUNK):
        result = connection.execute(mask_query(sql_conditions[start : start + CHUNK], source))
        columns = result.fetchnumpy()
        rows = np.asarray(columns["__row"], dtype=np.int64)
        masks = np.zeros(len(rows), dtype=np.int64)
        masks[rows] = np.asarray(columns["mask"], dtype=np.int64)
        yield masks


def _duckdb_masks(frame, forms: list, codes: dict[str, list]) -> Iterable[np.ndarray]:
    if not forms:
        return
    with tempfile.TemporaryDirectory() as directory:
        connection = duckdb_table(frame, directory, codes)
        yield from duckdb_masks(connection, [form.condition_sql for form in forms])
        connection.close()


# --- explanations --------------------------------------------------------------------------


def explain_entity(policies: list[Policy], table: EntityTable, entity_id: str) -> list[str]:
    record = table.record(table.row_of(entity_id))
    labels = {name: name for name in table.types}
    lines = []
    for policy in policies:
        explanation = rules.explain(policy.condition, record, labels=labels)
        verdict = (
            "符合" if explanation.passed else f"不符合（{explanation.failed_count} 项条件未满足）"
        )
        lines.append(f"[{policy.code}] {policy.title}：{verdict}")
        lines.extend(f"  {line}" for line in explanation.lines)
    return lines
