"""Matching many entities against many policies at once: pure functions over files.

Used by ``onething policies match|explain`` and meant to be reused by the policy library.
A policy is ``{"code", "title", "condition"}`` with a JsonLogic condition; an entity table
is a CSV with an ``id`` column. Rules compile to one columnar expression each and are
evaluated a chunk of policies per query; rules that do not compile fall back, one by one,
to the per-record engine, and the result says so. Matching a table in memory: ``batch_memory``.
"""

import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from onething.rules import services as rules

from . import entityfiles
from .attributes import Attribute
from .batch_input import (
    CHUNK,
    CODE_LIMIT,
    ENGINES,
    ID_INTEGER,
    MEMORY_LIMIT,
    SPARK_MASTER,
    BatchError,
    EntityTable,
    MatchResult,
    Policy,
    _duckdb,
    _load,
    _table_from,
    check_policies,
    load_entities,
    load_policies,
    used_columns,
)
from .batch_masks import (
    dictionary_codes,
    duckdb_masks,
    duckdb_table,
    polars_column,
    to_polars,
)
from .batch_memory import _python_hits, match
from .wording import Wording

# The names callers know as batch.x; the inputs and the engines live beside this module.
__all__ = [
    "BatchError",
    "CHUNK",
    "ENGINES",
    "EntityTable",
    "MEMORY_LIMIT",
    "MatchResult",
    "Policy",
    "SPARK_MASTER",
    "check_policies",
    "dictionary_codes",
    "duckdb_masks",
    "duckdb_table",
    "explain_entity",
    "load_entities",
    "load_policies",
    "match",
    "match_files",
    "polars_column",
    "to_polars",
]

# --- files to files ---------------------------------------------------------------------


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
    # Stored in key order: a slice of the output (``_slices``) then reads only its own blocks.
    connection.execute(
        f"CREATE TABLE __coded AS SELECT {columns} FROM {entityfiles.TABLE} ORDER BY __key"
    )
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
        f"FROM {entityfiles.TABLE} WHERE ({form.condition_sql})"
        for code, form in compiled
    ]
    with tempfile.TemporaryDirectory() as directory:
        fallback = _fallback_pairs(connection, manual, declared, directory)
        if fallback:
            parts.append(
                f"SELECT {key} AS __key, policy_code FROM read_parquet('{fallback}') WHERE TRUE"
            )
        if not parts:
            parts = [f"SELECT __key, id AS policy_code FROM {entityfiles.TABLE} WHERE FALSE"]
        slices = _slices(connection, len(parts))
        if len(slices) == 1:
            return _copy(connection, _slice_query(parts, *slices[0]), out)
        return _copy_sliced(connection, parts, slices, out, Path(directory))


# Entity × rule cells per sorted slice of the output: at 20 % matching about 8 M pairs to sort,
# well inside DuckDB's memory limit. One sort of every pair (160 M at 1 M entities × 1,000 rules)
# ran out of memory inside the limit ("failed to pin block").
SLICE_CELLS = 40_000_000


def _slices(connection, rules_count: int) -> list[tuple[object, object]]:
    """Ranges [low, high) of ``__key`` (None: open) that split the pairs into slices of about
    ``SLICE_CELLS`` cells; the table is stored sorted by ``__key``, so a slice reads few blocks."""
    rows = max(1, SLICE_CELLS // max(1, rules_count))
    bounds = connection.execute(
        f"SELECT __key FROM (SELECT __key, row_number() OVER (ORDER BY __key) - 1 AS n "
        f"FROM {entityfiles.TABLE}) WHERE n % {rows} = 0 AND n > 0 ORDER BY n"
    ).fetchall()
    edges = [None, *(value for (value,) in bounds), None]
    return list(zip(edges, edges[1:], strict=False))


def _slice_query(parts: list[str], low, high) -> str:
    where = "".join(
        f" AND __key {op} {_literal(value)}"
        for op, value in ((">=", low), ("<", high))
        if value is not None
    )
    union = " UNION ALL ".join(f"{part}{where}" for part in parts)
    return (
        f"SELECT CAST(__key AS VARCHAR) AS entity_id, policy_code FROM ({union}) "
        "ORDER BY __key, policy_code"
    )


def _literal(value) -> str:
    return str(int(value)) if isinstance(value, int) else entityfiles.sql_text(str(value))


def _copy_sliced(connection, parts, slices, out, directory: Path) -> int:
    """Each slice sorted and written on its own, then joined in key order: the slices' ranges
    follow one another, so the joined file is sorted as a whole."""
    parquet = str(out).lower().endswith(".parquet")
    files, written = [], 0
    for number, (low, high) in enumerate(slices):
        files.append(directory / f"slice-{number:05d}{'.parquet' if parquet else '.csv'}")
        written += _copy(connection, _slice_query(parts, low, high), files[-1], header=False)
    if parquet:  # read back in list order (DuckDB keeps insertion order) and written as one file
        listed = ", ".join(entityfiles.sql_text(str(f)) for f in files)
        _copy(connection, f"SELECT * FROM read_parquet([{listed}])", out)
        return written
    with open(out, "wb") as target:
        target.write(b"entity_id,policy_code\n")
        for path in files:
            with open(path, "rb") as source:
                shutil.copyfileobj(source, target, 1 << 20)
    return written


def _numeric_ids(connection) -> bool:
    """Whether every id is an integer without leading zeros (then ids sort as numbers)."""
    pattern = entityfiles.sql_text(ID_INTEGER)
    return bool(
        connection.execute(
            f"SELECT coalesce(bool_and(regexp_full_match(id, {pattern})), FALSE) FROM {entityfiles.TABLE}"
        ).fetchone()[0]
    )


def _copy(connection, query: str, out, header: bool = True) -> int:
    csv = f"FORMAT csv, HEADER {str(header).lower()}"
    options = "FORMAT parquet" if str(out).lower().endswith(".parquet") else csv
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
