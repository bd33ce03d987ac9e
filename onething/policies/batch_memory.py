"""Matching an in-memory ``EntityTable``: the per-record engine, and the compiled engines'
masks decoded to sorted (entity id, policy code) pairs."""

import time
from collections.abc import Callable, Iterable

import numpy as np

from onething.rules import services as rules

from .batch_input import _INT, CHUNK, SPARK_MASTER, BatchError, EntityTable, MatchResult, Policy
from .batch_masks import _duckdb_masks, _polars_masks, dictionary_codes, to_polars


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
