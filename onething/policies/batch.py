"""Matching many entities against many policies at once: pure functions over files.

Used by ``onething policies match|explain`` and meant to be reused by the policy library.
A policy is ``{"code", "title", "condition"}`` with a JsonLogic condition; an entity table
is a CSV with an ``id`` column. Rules compile to one columnar expression each and are
evaluated a chunk of policies per query; rules that do not compile fall back, one by one,
to the per-record engine, and the result says so.
"""

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

from . import entityfiles
from .attributes import Attribute
from .wording import Wording

ENGINES = ("auto", "duckdb", "polars", "spark", "python")  # auto is DuckDB, never Spark
SPARK_MASTER = "local[*]"  # --engine spark without --master: a local session
CHUNK = 62  # policies per query: one bit each in a BIGINT mask, sign bit left alone
# Columns with at most this many distinct values get a dictionary code column in DuckDB
# (UINT16 codes; the bitmap literal of an IN list is one character per value).
CODE_LIMIT = 4096
_INT = re.compile(r"-?(0|[1-9][0-9]*)\Z")
# Ids sort as numbers when all are integers of this form (else as text), as in ``match``.
ID_INTEGER = r"-?(0|[1-9][0-9]{0,17})"
# DuckDB's memory for a file run; beyond it, sorts and tables spill to a temporary directory.
MEMORY_LIMIT = "2GB"


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
    hits: list[tuple[int, int]] = field(default_factory=list)  # (row, policy index)


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


def used_columns(policies: list[Policy]) -> set[str]:
    """The attributes the policies read (``id`` aside)."""
    names = set().union(*(rules.variables_of(p.condition) for p in policies)) if policies else set()
    return names - {"id", ""}


def load_entities(
    path: str | Path, declared: dict[str, Attribute], used: Iterable[str] | None = None
) -> EntityTable:
    """The entity file with the declared types, in memory (for the per-record and Spark
    engines, explanations and tests; ``match_files`` keeps large files in DuckDB)."""
    names = set(used if used is not None else _file_columns(path, declared))
    with _duckdb() as connection:
        _load(connection, path, declared, names)
        return _table_from(connection, declared, sorted(names))


def _file_columns(path, declared: dict[str, Attribute]) -> set[str]:
    """The declared columns of the file (for explanations: every attribute it has)."""
    with _duckdb() as connection:
        columns = entityfiles._header(connection, path, entityfiles.file_format(path))
    return set(columns) & set(declared)


def _load(connection, path, declared: dict[str, Attribute], names: set[str]) -> int:
    undeclared = sorted(names - set(declared))
    if undeclared:
        raise BatchError(
            f"字段 {'、'.join(undeclared)} 未在数据元目录（data/catalog/data_elements.yaml）"
            "中声明，请用 --schema 文件声明其类型"
        )
    try:
        return entityfiles.load(connection, path, declared, names)
    except entityfiles.EntityFileError as error:
        raise BatchError(str(error)) from error


def _table_from(connection, declared: dict[str, Attribute], names: list[str]) -> EntityTable:
    columns = ", ".join(["id", *(entityfiles.ident(n) for n in names)])
    rows = connection.execute(
        f"SELECT {columns} FROM {entityfiles.TABLE} ORDER BY rowid"
    ).fetchall()
    values = list(zip(*rows, strict=True)) if rows else [()] * (len(names) + 1)
    types = {n: declared[n].kind for n in names}
    return EntityTable(
        list(values[0]), types, {n: list(values[i + 1]) for i, n in enumerate(names)}
    )


class _duckdb:
    """A private in-memory DuckDB bounded in memory, spilling to a temporary directory."""

    def __enter__(self):
        import duckdb

        self.directory = tempfile.TemporaryDirectory()
        self.connection = duckdb.connect(
            config={"memory_limit": MEMORY_LIMIT, "temp_directory": self.directory.name}
        )
        return self.connection

    def __exit__(self, *exc):
        self.connection.close()
        self.directory.cleanup()


# --- matching ------------------------------------------------------------------------------


def match(
    policies: list[Policy], table: EntityTable, engine: str = "auto", master: str = SPARK_MASTER
) -> MatchResult:
    """``master``: the Spark master URL, for ``engine="spark"`` only."""
    started = time.perf_counter()
    if engine == "python":
        hits = _python_hits(policies, table)
        result = MatchResult([], "python")
    else:
        backend = "duckdb" if engine == "auto" else engine
        result = MatchResult([], backend)
        hits = _compiled_hits(policies, table, backend, result.fallbacks, master)
    result.hits = sorted(set(hits), key=lambda h: (h[0], policies[h[1]].code))
    result.pairs = _sorted_pairs(hits, policies, table)
    result.seconds = time.perf_counter() - started
    return result


OUTPUT_FORMATS = (".csv", ".parquet")


@dataclass
class FileResult:
    pairs: int
    entities: int
    engine: str
    fallbacks: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    master: str = ""


def match_files(
    policies: list[Policy],
    entities: str | Path,
    out: str | Path,
    declared: dict[str, Attribute],
    engine: str = "auto",
    master: str = SPARK_MASTER,
) -> FileResult:
    """Every matching (entity_id, policy_code) pair from an entity file (CSV or Parquet) to
    ``out`` (.csv or .parquet), written by the engine itself, never a Python object per pair
    (except the per-record engine's and fallback rules' own pairs).

    Rows are sorted by entity id (as numbers when every id is an integer, else as text), then
    policy code.
    """
    started = time.perf_counter()
    suffix = Path(out).suffix.lower()
    if suffix not in OUTPUT_FORMATS:
        raise BatchError(f"输出文件 {out}：只支持 .csv 和 .parquet")
    backend = "duckdb" if engine == "auto" else engine
    names = used_columns(policies)
    partial = Path(out).with_name(f".{Path(out).name}.partial{suffix}")
    with _duckdb() as connection:
        count = _load(connection, entities, declared, names)
        result = FileResult(0, count, backend, master=master)
        types = {n: declared[n].kind for n in names}
        writer = {"duckdb": _duckdb_write, "polars": _polars_write}.get(backend, _records_write)
        try:  # written aside and renamed: a failed run leaves no half-written output
            result.pairs = writer(connection, policies, types, declared, partial, result)
            partial.replace(out)
        finally:
            partial.unlink(missing_ok=True)
    result.seconds = time.perf_counter() - started
    return result


def _compile_all(
    policies, types, dialect: str, fallbacks: list, codes: dict | None = None
) -> tuple[list, list[Policy]]:
    compiled, manual = [], []
    for policy in policies:
        form = rules.compile_rule(policy.condition, dialect=dialect, columns=types, codes=codes)
        if form.ok:
            compiled.append((policy.code, form))
        else:
            manual.append(policy)
            fallbacks.append((policy.code, form.reason))
    return compiled, manual


def _fallback_pairs(connection, manual: list[Policy], declared, directory: str) -> str | None:
    """Pairs of the rules that do not compile, per record, as a Parquet file (row, id, code)."""
    if not manual:
        return None
    import polars as pl

    table = _table_from(connection, declared, sorted(used_columns(manual)))
    hits = _python_hits(manual, table)
    path = str(Path(directory) / "fallback.parquet")
    pl.DataFrame(
        {
            "__row": [row for row, _ in hits],
            "id": [table.ids[row] for row, _ in hits],
            "policy_code": [manual[p].code for _, p in hits],
        },
        schema={"__row": pl.Int64, "id": pl.String, "policy_code": pl.String},
    ).write_parquet(path)
    return path


def _add_code_columns(connection, types: dict[str, str], key: str) -> dict[str, list]:
    """Rebuild the table with the sort key ``__key`` (``key``: the id, as BIGINT when every
    id is an integer) and dictionary code columns (see ``dictionary_codes``) for its text
    columns with few distinct values: the compiled ``in`` lists become one bitmap lookup."""
    codes = {}
    for name, kind in sorted(types.items()):
        if kind != "text":
            continue
        column = entityfiles.ident(name)
        values = connection.execute(
            f"SELECT DISTINCT {column} FROM {entityfiles.TABLE} WHERE {column} IS NOT NULL "
            f"ORDER BY {column} LIMIT {CODE_LIMIT + 1}"
        ).fetchall()
        if len(values) <= CODE_LIMIT:
            codes[name] = [value for (value,) in values]
    added = [
        f"enum_code(CAST({entityfiles.ident(name)} AS ENUM({_listed(values)}))) "
        f"AS {entityfiles.ident(rules.code_column(name))}"
        for name, values in codes.items()
    ]
    columns = ", ".join(["*", f"{key} AS __key", *added])
    connection.execute(f"CREATE TABLE __coded AS SELECT {columns} FROM {entityfiles.TABLE}")
    connection.execute(f"DROP TABLE {entityfiles.TABLE}")
    connection.execute(f"ALTER TABLE __coded RENAME TO {entityfiles.TABLE}")
    return codes


def _listed(values: list[str]) -> str:
    return ", ".join(entityfiles.sql_text(v) for v in values) or "''"


def _duckdb_write(connection, policies, types, declared, out, result: FileResult) -> int:
    # Integer ids are sorted (and carried) as BIGINT, computed once per entity.
    key = "CAST(id AS BIGINT)" if _numeric_ids(connection) else "id"
    codes = _add_code_columns(connection, types, key)
    compiled, manual = _compile_all(policies, types, "duckdb", result.fallbacks, codes)
    # One filtered scan per rule, as a person writes it: measured faster than one pass that
    # builds every entity's list of codes (1 M entities × 200 rules, 17 % matching).
    parts = [
        f"SELECT __key, {entityfiles.sql_text(code)} AS policy_code "
        f"FROM {entityfiles.TABLE} WHERE {form.condition_sql}"
        for code, form in compiled
    ]
    with tempfile.TemporaryDirectory() as directory:
        fallback = _fallback_pairs(connection, manual, declared, directory)
        if fallback:
            parts.append(f"SELECT {key} AS __key, policy_code FROM read_parquet('{fallback}')")
        if not parts:
            parts = [f"SELECT __key, id AS policy_code FROM {entityfiles.TABLE} WHERE FALSE"]
        union = " UNION ALL ".join(parts)
        query = (
            f"SELECT CAST(__key AS VARCHAR) AS entity_id, policy_code FROM ({union}) "
            "ORDER BY __key, policy_code"
        )
        return _copy(connection, query, out)


def _numeric_ids(connection) -> bool:
    """Whether every id is an integer without leading zeros (then ids sort as numbers)."""
    pattern = entityfiles.sql_text(ID_INTEGER)
    return bool(
        connection.execute(
            f"SELECT coalesce(bool_and(regexp_full_match(id, {pattern})), FALSE) FROM {entityfiles.TABLE}"
        ).fetchone()[0]
    )


def _copy(connection, query: str, out) -> int:
    options = "FORMAT parquet" if str(out).lower().endswith(".parquet") else "FORMAT csv, HEADER"
    target = entityfiles.sql_text(str(out))
    written = connection.execute(f"COPY ({query}) TO {target} ({options})").fetchone()
    return int(written[0])


def _polars_write(connection, policies, types, declared, out, result: FileResult) -> int:
    import polars as pl

    compiled, manual = _compile_all(policies, types, "polars", result.fallbacks)
    with tempfile.TemporaryDirectory() as directory:
        typed = str(Path(directory) / "entities.parquet")
        connection.execute(
            f"COPY (SELECT rowid AS __row, * FROM {entityfiles.TABLE} ORDER BY rowid) "
            f"TO '{typed}' (FORMAT parquet)"
        )
        frame = pl.scan_parquet(typed)
        parts = [
            frame.filter(form.condition_expr).select(
                "__row", "id", pl.lit(code, dtype=pl.String).alias("policy_code")
            )
            for code, form in compiled
        ]
        fallback = _fallback_pairs(connection, manual, declared, directory)
        if fallback:
            parts.append(pl.scan_parquet(fallback))
        return _sink(parts, out, _numeric_ids(connection))


def _sink(parts: list, out, numeric_ids: bool) -> int:
    import polars as pl

    schema = {"__row": pl.Int64, "id": pl.String, "policy_code": pl.String}
    lazy = pl.concat(parts) if parts else pl.LazyFrame(schema=schema)
    key = pl.col("id").cast(pl.Int64) if numeric_ids else pl.col("id")
    lazy = lazy.sort([key, pl.col("policy_code")])
    lazy = lazy.select(pl.col("id").alias("entity_id"), "policy_code")
    if str(out).lower().endswith(".parquet"):
        lazy.sink_parquet(str(out))
        return pl.scan_parquet(str(out)).select(pl.len()).collect().item()
    lazy.sink_csv(str(out))
    return (
        pl.scan_csv(str(out), schema={"entity_id": pl.String, "policy_code": pl.String})
        .select(pl.len())
        .collect()
        .item()
    )


def _records_write(connection, policies, types, declared, out, result: FileResult) -> int:
    """The per-record and Spark engines: an in-memory table, pairs through Polars' writer."""
    import polars as pl

    table = _table_from(connection, declared, sorted(types))
    found = match(policies, table, result.engine, result.master or SPARK_MASTER)
    result.fallbacks = found.fallbacks
    frame = pl.DataFrame(
        {
            "__row": [row for row, _ in found.hits],
            "id": [table.ids[row] for row, _ in found.hits],
            "policy_code": [policies[p].code for _, p in found.hits],
        },
        schema={"__row": pl.Int64, "id": pl.String, "policy_code": pl.String},
    )
    return _sink([frame.lazy()], out, _numeric_ids(connection))


def _python_hits(policies: list[Policy], table: EntityTable) -> list[tuple[int, int]]:
    hits = []
    for row in range(len(table)):
        record = table.record(row)
        hits.extend(
            (row, p) for p, policy in enumerate(policies) if rules.holds(policy.condition, record)
        )
    return hits


def _compiled_hits(
    policies, table, backend: str, fallbacks: list, master: str = SPARK_MASTER
) -> list[tuple[int, int]]:
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
        masks = (
            _spark_masks(table, forms, master)
            if backend == "spark"
            else _polars_masks(table, forms)
        )
    hits = _decode(masks, [i for i, _ in compiled])
    subset = [policies[i] for i in manual]
    hits.extend((row, manual[p]) for row, p in _python_hits(subset, table))
    return hits


def _spark_masks(table: EntityTable, forms: list, master: str) -> Iterable[np.ndarray]:
    try:  # pyspark (and a JVM) only for --engine spark
        from onething.policies import spark
    except ImportError as error:
        raise BatchError(f"引擎 spark 需要安装 pyspark：{error}") from error
    return spark.table_masks(table, forms, master)


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


def explain_entity(
    policies: list[Policy], entities: str | Path, declared: dict[str, Attribute], entity_id: str
) -> list[str]:
    table = load_entities(entities, declared, used_columns(policies))
    record = table.record(table.row_of(entity_id))
    wording = Wording({name: declared[name] for name in table.types})
    lines = []
    for policy in policies:
        explanation = wording.explain(policy.condition, record)
        verdict = (
            "符合" if explanation.passed else f"不符合（{explanation.failed_count} 项条件未满足）"
        )
        lines.append(f"[{policy.code}] {policy.title}：{verdict}")
        lines.extend(f"  {line}" for line in explanation.lines)
    return lines
