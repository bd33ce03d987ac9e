"""Columnar engines of batch matching: Polars and DuckDB masks, one bit a policy, a chunk of policies a query."""

import tempfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from onething.rules import services as rules

from .batch_input import (
    CHUNK,
    CODE_LIMIT,
    EntityTable,
)


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
