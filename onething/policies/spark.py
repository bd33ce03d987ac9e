"""Policy matching on Apache Spark: the documented path for populations beyond one machine.

Only ``batch.match(engine="spark")`` (``onething policies match --engine spark``) and callers
that ask for Spark import this module, so the rest of the application never loads pyspark or
starts a JVM. Rules compile to Spark SQL (``compile_rule(dialect="spark")``, rendered by
SQLGlot) and run, a chunk of 62 per query, as on DuckDB.

* ``table_masks`` is the ``spark`` engine of ``batch.match``: an ``EntityTable`` goes to a
  local session through Parquet and comes back as one 64-bit mask per row and policy chunk.
* ``pairs`` takes a Spark DataFrame of entities and returns a Spark DataFrame of
  ``(entity_id, policy_code)``; nothing is collected on the driver, so it runs unchanged on a
  cluster (spark-submit). Rules that do not compile run per record on the executors.
"""

import functools
import os
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import MappingProxyType

import numpy as np
import polars as pl
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from onething.policies import batch_input, batch_masks
from onething.rules import services as rules

# Settings applied to every session used here, ours or the caller's.
# ANSI mode stays on (Spark 4's default, set here so that a cluster's default does not
# decide): the compiled SQL guards every text-to-number cast (decimal regex, then TRY_CAST),
# computes in doubles and divides only by non-zero constants, so ANSI changes no answer;
# anything outside those guarantees then fails loudly instead of becoming NULL, which would
# read as "does not qualify". Column names are case-sensitive, as JsonLogic's are.
SEMANTICS = {"spark.sql.ansi.enabled": "true", "spark.sql.caseSensitive": "true"}
# A local session: no web UI, nothing listening beyond 127.0.0.1. Whole-stage code
# generation fuses a chunk of 62 rules into one Java method that can pass the JVM's 64 KB
# limit (Spark logs a compile error, then falls back) or HotSpot's 8 KB JIT limit (it then
# runs interpreted); per-expression code generation splits the rules into small methods.
LOCAL = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.sql.shuffle.partitions": "2",
    "spark.sql.codegen.wholeStage": "false",
}
# For short runs (the tests: many small queries in a fresh JVM), C1 alone compiles fast enough
# and halves the JVM's CPU time.
TEST_SETTINGS = {"spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1"}
_KINDS = {"bigint": "int", "int": "int", "smallint": "int", "tinyint": "int", "double": "float"}
_KINDS |= {"float": "float", "boolean": "bool", "string": "text"}
PAIRS = T.StructType(
    [
        T.StructField("entity_id", T.StringType(), False),
        T.StructField("policy_code", T.StringType()),
    ]
)


def session(
    master: str = "local[*]", settings: Mapping[str, str] = MappingProxyType({})
) -> SparkSession:
    """The active session (e.g. under spark-submit on a cluster), else a local one with
    ``LOCAL`` and ``settings`` (e.g. JVM options)."""
    spark = SparkSession.getActiveSession()
    if spark is None:
        # Python workers (the per-record fallback of ``pairs``) run this interpreter, which
        # has onething and its dependencies; pyspark reads only the environment for it.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = SparkSession.builder.master(master).appName("onething-policies")
        for key, value in {**LOCAL, **settings}.items():
            builder = builder.config(key, value)
        try:
            spark = builder.getOrCreate()
        except RuntimeError as error:  # no Java, or a JVM that cannot start
            raise batch_input.BatchError(
                f"无法启动 Spark（需要 Java 17 或更高版本）：{error}"
            ) from error
        spark.sparkContext.setLogLevel("ERROR")
    return configure(spark)


def configure(spark: SparkSession) -> SparkSession:
    """Apply ``SEMANTICS`` (runtime settings: also on a session someone else created)."""
    for key, value in SEMANTICS.items():
        spark.conf.set(key, value)
    return spark


def entities_frame(spark: SparkSession, frame: pl.DataFrame, directory: str) -> DataFrame:
    """A Polars frame as a Spark DataFrame with the row position as ``__row``.

    Through a Parquet file that Spark reads in the JVM: no pyarrow, no rows pickled through
    py4j. ``directory`` must outlive the DataFrame (Spark reads lazily).
    """
    path = str(Path(directory) / "entities.parquet")
    frame.with_row_index("__row").with_columns(pl.col("__row").cast(pl.Int64)).write_parquet(path)
    return spark.read.parquet(path)


def mask_columns(conditions: list[str]) -> list[Column]:
    """One BIGINT column per chunk of ``batch.CHUNK`` Spark SQL conditions, bit i for the i-th."""
    columns = []
    for start in range(0, len(conditions), batch_input.CHUNK):
        part = conditions[start : start + batch_input.CHUNK]
        bits = [f"(CASE WHEN {c} THEN {1 << bit}L ELSE 0L END)" for bit, c in enumerate(part)]
        columns.append(F.expr(" + ".join(bits)))
    return columns


def masks(entities: DataFrame, conditions: list[str]) -> Iterator[np.ndarray]:
    """Per chunk of conditions, one int64 mask per row of ``entities`` (which has ``__row``).

    One query per chunk, as on DuckDB: a query over hundreds of rules makes more generated
    code than Spark's compiler and the JIT handle well (measured: slower, and out of heap at
    1,000 rules). Each result comes back as Parquet read by Polars (no pyarrow, no rows
    pickled through py4j), written on this machine's disk: this is the single-machine path;
    on a cluster use ``pairs``.
    """
    with tempfile.TemporaryDirectory() as directory:
        for chunk, column in enumerate(mask_columns(conditions)):
            path = f"{directory}/{chunk}"
            entities.select("__row", column.alias("mask")).write.parquet(path)
            frame = pl.read_parquet(f"{path}/*.parquet")
            values = np.zeros(frame.height, dtype=np.int64)
            values[frame["__row"].to_numpy()] = frame["mask"].to_numpy()
            yield values


def table_masks(
    table: batch_input.EntityTable, forms: list, master: str = "local[*]"
) -> Iterator[np.ndarray]:
    """The ``spark`` engine of ``batch.match``: masks of compiled Spark forms over ``table``,
    on the active session or a new one at ``master``."""
    if not forms or not len(table):
        return
    spark = session(master)
    with tempfile.TemporaryDirectory() as directory:
        entities = entities_frame(spark, batch_masks.to_polars(table), directory)
        yield from masks(entities, [form.condition_sql for form in forms])


def column_types(entities: DataFrame) -> dict[str, str]:
    """``types`` for ``pairs`` from a DataFrame's schema (``id`` and ``__row`` left out).

    Other Spark types (dates, decimals, nested) are refused: cast them first, dates to ISO
    text (which compares correctly as text), decimals to double.
    """
    types = {}
    for name, kind in entities.dtypes:
        if name in ("id", "__row"):
            continue
        if kind not in _KINDS:
            raise batch_input.BatchError(
                f"列 {name} 的类型 {kind} 不受支持：请先转换为整数、小数、布尔或文本"
            )
        types[name] = _KINDS[kind]
    return types


def pairs(
    entities: DataFrame, policies: list[batch_input.Policy], types: Mapping[str, str]
) -> tuple[DataFrame, list[tuple[str, str]]]:
    """Every (entity_id, policy_code) that matches, as a Spark DataFrame, and the fallbacks.

    ``entities`` has an ``id`` column and the columns of ``types`` (declared, see
    ``attributes``).
    Compiled rules become arrays of matched codes per row, a chunk of rules per array (a
    pass over ``entities`` each: cache it if it is costly to read); the others (listed in the
    second value as ``(code, reason)``) are evaluated per record on the executors, which
    therefore need onething installed. ``SEMANTICS`` are applied to the entities' session.
    """
    configure(entities.sparkSession)
    codes, manual, fallbacks = [], [], []
    for policy in policies:
        form = rules.compile_rule(policy.condition, dialect="spark", columns=types)
        if form.ok:
            codes.append(F.when(F.expr(form.condition_sql), F.lit(policy.code)))
        else:
            manual.append(policy)
            fallbacks.append((policy.code, form.reason))
    parts = []
    entity_id = F.col("id").cast("string").alias("entity_id")
    for start in range(0, len(codes), batch_input.CHUNK):  # bounded generated code, as in masks()
        chunk = F.array(*codes[start : start + batch_input.CHUNK])
        parts.append(
            entities.select(entity_id, F.explode(F.array_compact(chunk)).alias("policy_code"))
        )
    if manual:
        parts.append(_per_record(entities, manual, list(types)))
    if not parts:
        return entities.sparkSession.createDataFrame([], PAIRS), fallbacks
    return functools.reduce(DataFrame.unionByName, parts), fallbacks


def _per_record(
    entities: DataFrame, manual: list[batch_input.Policy], names: list[str]
) -> DataFrame:
    conditions = [(policy.code, policy.condition) for policy in manual]

    def matches(rows):
        for row in rows:
            record = {name: row[name] for name in names}
            for code, condition in conditions:
                if rules.holds(condition, record):
                    yield str(row["id"]), code

    return entities.rdd.mapPartitions(matches).toDF(PAIRS)
