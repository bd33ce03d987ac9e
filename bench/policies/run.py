"""Policy matching benchmark: compiled rules vs hand-written SQL vs the per-record engine.

    python bench/policies/run.py [--entities N] [--policies M] [--sample K] [--seed S]

Prints evaluations per second for each engine, the ratios, the agreement between the
compiled engine and the per-record evaluator (on the sample) and between the compiled and
hand-written SQL (match counts per policy, full table), and the peak RSS.
"""

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onething.settings")

import polars as pl  # noqa: E402

from onething.policies import batch  # noqa: E402
from onething.rules import services as rules  # noqa: E402

# Region codes are text, as declared in the catalog (a code is not a number).
REGIONS = [str(420100 + i) for i in range(0, 1800, 100)] + ["420102", "420103", "420111", "420115"]
INDUSTRIES = [f"{c}{n:02d}" for c in "ABCDEFGHI" for n in range(1, 12)]
SCALES = ["微型", "小型", "中型", "大型"]
NUMERIC = {"employees": (0, 2000, "int"), "age_years": (0, 40, "int")}
DECIMALS = {"revenue": (0.0, 50000.0), "tax_paid": (0.0, 3000.0), "rd_ratio": (0.0, 0.3)}
BOOLEANS = ["hightech", "specialized", "listed", "exporter"]
DATES = ["founded", "certified_on"]


def make_entities(n: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    cols = {"id": np.arange(1, n + 1)}
    for name, (low, high, _) in NUMERIC.items():
        cols[name] = _with_nulls(rng, rng.integers(low, high, n), 0.05)
    for name, (low, high) in DECIMALS.items():
        cols[name] = _with_nulls(rng, np.round(rng.uniform(low, high, n), 2), 0.05)
    cols["region"] = np.array(REGIONS)[rng.integers(0, len(REGIONS), n)]
    cols["industry"] = np.array(INDUSTRIES)[rng.integers(0, len(INDUSTRIES), n)]
    cols["scale"] = np.array(SCALES)[rng.integers(0, len(SCALES), n)]
    for name in BOOLEANS:
        cols[name] = _with_nulls(rng, rng.random(n) < 0.3, 0.05)
    days = np.datetime64("1990-01-01") + rng.integers(0, 12000, n).astype("timedelta64[D]")
    cols["founded"] = days.astype(str)
    cols["certified_on"] = _with_nulls(rng, (days + 900).astype(str), 0.4)
    return pl.DataFrame({k: pl.Series(k, v, strict=False) for k, v in cols.items()})


def _with_nulls(rng, values: np.ndarray, share: float) -> list:
    mask = rng.random(len(values)) < share
    return [None if m else v.item() for v, m in zip(values, mask, strict=True)]


def column_types() -> dict[str, str]:
    types = {name: spec[2] for name, spec in NUMERIC.items()}
    types.update(dict.fromkeys(DECIMALS, "float"))
    types.update(region="text", industry="text", scale="text")
    types.update(dict.fromkeys(BOOLEANS, "bool"))
    types.update(dict.fromkeys(DATES, "text"))
    return types


def make_condition(rng: random.Random) -> tuple[dict, str]:
    """One JsonLogic condition and the SQL a person would write for it."""
    kind = rng.choice(["num", "num", "dec", "cat", "cat", "bool", "date", "between"])
    if kind in ("num", "dec"):
        name = rng.choice(list(NUMERIC if kind == "num" else DECIMALS))
        low, high = (NUMERIC.get(name) or DECIMALS[name])[:2]
        value = round(rng.uniform(low, high) * rng.choice([0.2, 0.5, 0.8]), 2)
        value = int(value) if kind == "num" else value
        op = rng.choice([">=", ">", "<", "<="])
        # JsonLogic reads a missing number as 0: COALESCE only where that can hold.
        column = f"COALESCE({name}, 0)" if rules.holds({op: [0, value]}) else name
        return {op: [{"var": name}, value]}, f"{column} {op} {value}"
    if kind == "between":
        name = rng.choice(list(NUMERIC))
        low = rng.randint(1, 100)
        return {"<=": [low, {"var": name}, low * 10]}, f"{name} BETWEEN {low} AND {low * 10}"
    if kind == "cat":
        return _categorical(rng)
    if kind == "bool":
        name = rng.choice(BOOLEANS)
        return {"==": [{"var": name}, True]}, f"{name} IS TRUE"
    name = rng.choice(DATES)
    day = f"{rng.randint(1990, 2022)}-{rng.randint(1, 12):02d}-01"
    op = rng.choice([">=", "<"])
    return {op: [{"var": name}, day]}, f"{name} {op} '{day}'"


def _categorical(rng: random.Random) -> tuple[dict, str]:
    name, pool = rng.choice([("region", REGIONS), ("industry", INDUSTRIES), ("scale", SCALES)])
    chosen = rng.sample(pool, rng.randint(1, max(1, len(pool) // 2)))
    sql = ", ".join(str(v) if isinstance(v, int) else f"'{v}'" for v in chosen)
    return {"in": [{"var": name}, chosen]}, f"{name} IN ({sql})"


def make_policies(m: int, seed: int) -> list[tuple[dict, str]]:
    rng = random.Random(seed)
    policies = []
    for _ in range(m):
        parts = [make_condition(rng) for _ in range(rng.randint(3, 6))]
        rule = {"and": [p[0] for p in parts]}
        policies.append((rule, "(" + " AND ".join(p[1] for p in parts) + ")"))
    return policies


def timed(fn):
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def run_masks(connection, conditions: list[str]) -> list[np.ndarray]:
    return list(batch.duckdb_masks(connection, conditions))


def bit_of(masks: list[np.ndarray], policy: int, rows) -> np.ndarray:
    chunk, bit = divmod(policy, batch.CHUNK)
    return (masks[chunk][rows] & np.int64(1 << bit)) != 0


def counts(masks: list[np.ndarray], m: int) -> list[int]:
    return [int(np.count_nonzero(bit_of(masks, p, slice(None)))) for p in range(m)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--policies", type=int, default=1_000)
    parser.add_argument("--sample", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=20250601)
    parser.add_argument("--repeat", type=int, default=2, help="timed runs per SQL engine")
    parser.add_argument("--skip-polars", action="store_true")
    parser.add_argument("--spark", action="store_true", help="also time the Spark engine")
    parser.add_argument("--spark-entities", type=int, default=200_000, help="rows for --spark")
    parser.add_argument("--skip-dense", action="store_true", help="skip dense.py (file to file)")
    parser.add_argument(
        "--dense",
        default="1000000x200,1000000x1000,10000000x200:compiled",
        help="dense shapes, entities x policies, comma-separated; ':compiled' leaves out the "
        "hand-written side (default: the issue's three shapes)",
    )
    args = parser.parse_args()
    n, m = args.entities, args.policies

    frame, gen_s = timed(lambda: make_entities(n, args.seed))
    policies = make_policies(m, args.seed)
    types = column_types()
    codes, codes_s = timed(lambda: batch.dictionary_codes(frame, types))
    forms, compile_s = timed(
        lambda: [rules.compile_rule(p[0], columns=types, codes=codes) for p in policies]
    )
    assert all(f.ok for f in forms), [f.reason for f in forms if not f.ok]
    print(
        f"entities {n:,} × policies {m:,} ({sum(len(p[0]['and']) for p in policies):,} conditions); "
        f"data generated in {gen_s:.1f} s, {m} rules compiled in {compile_s:.2f} s; "
        f"dictionary codes for {', '.join(codes) or 'no column'} in {codes_s:.2f} s"
    )

    with tempfile.TemporaryDirectory() as tmp:
        connection = batch.duckdb_table(frame, tmp, codes)  # hand-written SQL reads it too
        compiled_sql = [f.condition_sql for f in forms]
        hand_sql = [p[1] for p in policies]
        run_masks(connection, compiled_sql[: batch.CHUNK] + hand_sql[: batch.CHUNK])  # warm-up
        # Best of --repeat, interleaved, so that a busy neighbour hurts both sides alike.
        compiled_s = hand_s = float("inf")
        for _ in range(args.repeat):
            compiled, seconds = timed(lambda: run_masks(connection, compiled_sql))
            compiled_s = min(compiled_s, seconds)
            hand, seconds = timed(lambda: run_masks(connection, hand_sql))
            hand_s = min(hand_s, seconds)

    polars_s = None
    if not args.skip_polars:
        polars_forms = [rules.compile_rule(p[0], dialect="polars", columns=types) for p in policies]
        table_frame = frame.drop("id")
        _, polars_s = timed(lambda: list(_polars_masks(table_frame, polars_forms)))

    sample = random.Random(args.seed).sample(range(n), min(args.sample, n))
    records = frame[sample].drop("id").to_dicts()
    decisions, python_s = timed(lambda: [[rules.holds(p[0], r) for p in policies] for r in records])
    agree = sum(
        decisions[i][p] == bool(bit_of(compiled, p, [row])[0])
        for i, row in enumerate(sample)
        for p in range(m)
    )
    per_policy = counts(compiled, m)
    same_counts = sum(a == b for a, b in zip(per_policy, counts(hand, m), strict=True))
    report(n, m, len(sample), compiled_s, hand_s, polars_s, python_s, agree, same_counts)
    print(
        f"match density: {sum(per_policy):,} / {n * m:,} pairs = {100 * sum(per_policy) / (n * m):.2f} %"
    )
    if args.spark:
        run_spark(frame, policies, types, compiled, args.spark_entities, args.repeat)
    if not args.skip_dense:  # the dense case, file to file, beside hand-written SQL
        for shape in args.dense.split(","):
            size, _, only = shape.partition(":")
            entities, policies = size.split("x")
            dense = [sys.executable, str(Path(__file__).with_name("dense.py"))]
            dense += ["--entities", entities, "--policies", policies]
            dense += ["--skip-hand"] if only == "compiled" else []
            print(f"=== dense.py {entities} × {policies} ===", flush=True)
            subprocess.run(dense, check=True)


def run_spark(frame, policies, types, duckdb_masks, limit: int, repeat: int) -> None:
    """The Spark engine (local session) on the first ``limit`` entities, against DuckDB's masks."""
    from onething.policies import spark

    k, m = min(limit, frame.height), len(policies)
    forms, compile_s = timed(
        lambda: [rules.compile_rule(p[0], dialect="spark", columns=types) for p in policies]
    )
    assert all(f.ok for f in forms), [f.reason for f in forms if not f.ok]
    conditions = [f.condition_sql for f in forms]
    session, start_s = timed(spark.session)
    with tempfile.TemporaryDirectory() as tmp:
        entities = spark.entities_frame(session, frame.head(k), tmp).cache()
        _, load_s = timed(entities.count)  # Parquet read once and cached, as DuckDB's table
        list(spark.masks(entities, conditions[: batch.CHUNK]))  # warm-up: JIT, codegen
        seconds = float("inf")
        for _ in range(repeat):
            masks, elapsed = timed(lambda: list(spark.masks(entities, conditions)))
            seconds = min(seconds, elapsed)
    agree = sum(
        int(np.count_nonzero(bit_of(masks, p, slice(None)) == bit_of(duckdb_masks, p, slice(k))))
        for p in range(m)
    )
    master = session.sparkContext.master
    print(
        f"compiled (Spark SQL, {master}, first {k:,} entities): "
        f"{k * m / seconds / 1e6:8.1f} M evals/s  ({seconds:.2f} s, best of {repeat}); "
        f"session start {start_s:.1f} s, load {load_s:.1f} s, {m} rules compiled in {compile_s:.2f} s"
    )
    print(
        f"agreement Spark vs DuckDB (compiled): {agree:,} / {k * m:,} ({100 * agree / (k * m):.2f} %)"
    )


def _polars_masks(frame: pl.DataFrame, forms: list):
    for start in range(0, len(forms), batch.CHUNK):
        bits = [
            pl.when(f.condition_expr)
            .then(pl.lit(1 << b, dtype=pl.Int64))
            .otherwise(pl.lit(0, dtype=pl.Int64))
            for b, f in enumerate(forms[start : start + batch.CHUNK])
        ]
        yield batch.polars_column(frame, pl.sum_horizontal(bits))


def report(n, m, k, compiled_s, hand_s, polars_s, python_s, agree, same_counts) -> None:
    total, sampled = n * m, k * m
    compiled_rate, hand_rate, python_rate = total / compiled_s, total / hand_s, sampled / python_s
    print(
        f"compiled (DuckDB SQL from JsonLogic): {compiled_rate / 1e6:8.1f} M evals/s  ({compiled_s:.2f} s)"
    )
    print(
        f"hand-written DuckDB SQL:              {hand_rate / 1e6:8.1f} M evals/s  ({hand_s:.2f} s)"
    )
    if polars_s:
        print(
            f"compiled (Polars expressions):        {total / polars_s / 1e6:8.1f} M evals/s  ({polars_s:.2f} s)"
        )
    print(
        f"per-record evaluator (sample {k:,}):   {python_rate / 1e3:8.1f} k evals/s  ({python_s:.2f} s)"
    )
    print(f"compiled / hand-written time: {compiled_s / hand_s:.2f}×  (goal ≤ 1.5×)")
    print(f"compiled / per-record speed:  {compiled_rate / python_rate:,.0f}×  (goal ≥ 500×)")
    print(
        f"agreement compiled vs per-record: {agree:,} / {sampled:,} ({100 * agree / sampled:.2f} %)"
    )
    print(f"agreement compiled vs hand-written (per-policy match counts): {same_counts} / {m}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:,.0f} MB")


if __name__ == "__main__":
    main()
