"""Compiled Spark SQL agrees with the per-record engine on every row.

One local SparkSession for the module, with the engine's settings (ANSI mode on). A Spark
query costs ~0.2 s or more, so every example evaluates a whole batch of rules (both compiled
forms of each) in one query. The hand-picked cases also run with ANSI mode off and whole-stage
code generation on: the answers must not depend on them, since ``spark.pairs`` may run in a
cluster's own session.
"""

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pyspark.sql import types as T

from onething.policies import spark as spark_engine
from onething.policies.tests.test_compile_agreement import (
    COLUMNS,
    TEXTS,
    VALUES,
    _nodes,
    python_rows,
    variables,
)
from onething.rules import services

NAMES = sorted(COLUMNS)
SPARK_TYPES = {"int": T.LongType(), "float": T.DoubleType(), "bool": T.BooleanType()}
SCHEMA = T.StructType(
    [T.StructField("__row", T.LongType(), False)]
    + [T.StructField(n, SPARK_TYPES.get(COLUMNS[n], T.StringType())) for n in NAMES]
)
# Where Java and Spark SQL differ from DuckDB: U+0085 ends a line for Java's $, quotes and
# backslashes are escaped differently in literals, \v and \f are written as octal escapes,
# astral characters sort after U+FFFF only in code point order.
SPARK_TEXTS = ["5\u0085", "\u00857", "\u000b7\u000c", "it's", "a\\b", "\\", "\U0001f600", "\uffff"]
SPARK_TEXTS += ["2021-05-01", "2020-12-31", "-0", "+.5e1"]
ALL_TEXTS = TEXTS + SPARK_TEXTS
records = st.fixed_dictionaries({**VALUES, "t": st.none() | st.sampled_from(ALL_TEXTS)})
constants = (
    st.none()
    | st.booleans()
    | st.integers(-6, 6)
    | st.sampled_from([0.5, -1.5, 2.25, 100])
    | st.sampled_from(ALL_TEXTS)
)
rules = st.recursive(variables | variables | constants, _nodes, max_leaves=8)
LEGACY = {"spark.sql.ansi.enabled": "false", "spark.sql.codegen.wholeStage": "true"}


@pytest.fixture(scope="module")
def spark():
    session = spark_engine.session("local[2]", spark_engine.TEST_SETTINGS)
    yield session
    session.stop()


@pytest.fixture(params=[{}, LEGACY], ids=["engine", "legacy-wholestage"])
def modes(request, spark):
    """The engine's settings, or ANSI off with whole-stage code generation (as a cluster may)."""
    for key, value in request.param.items():
        spark.conf.set(key, value)
    yield
    for key in request.param:
        spark.conf.set(key, {**spark_engine.LOCAL, **spark_engine.SEMANTICS}[key])


def spark_columns(spark, expressions: list[str], rows: list[dict]) -> list[list]:
    """Each expression's value on every row, one Spark query for all of them."""
    data = [(i, *(row[n] for n in NAMES)) for i, row in enumerate(rows)]
    result = spark.createDataFrame(data, SCHEMA).selectExpr("__row", *expressions).collect()
    ordered = sorted(result, key=lambda r: r[0])
    return [[r[k + 1] for r in ordered] for k in range(len(expressions))]


def both_forms(form) -> list[str]:
    return [form.sql, f"CASE WHEN {form.condition_sql} THEN TRUE ELSE FALSE END"]


# No shrinking: it would rerun Spark queries hundreds of times, and the assertions already
# name the rule, its SQL and the rows.
@settings(
    max_examples=40,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
@given(
    batch=st.lists(rules, min_size=12, max_size=20), rows=st.lists(records, min_size=1, max_size=8)
)
def test_spark_agrees_with_per_record(spark, batch, rows):
    checked, expressions = [], []
    for rule in batch:
        form = services.compile_rule(rule, dialect="spark", columns=COLUMNS)
        # The Spark dialect compiles exactly what DuckDB compiles, for the same reasons.
        duckdb = services.compile_rule(rule, columns=COLUMNS)
        assert form.ok == duckdb.ok and getattr(form, "reason", "") == getattr(duckdb, "reason", "")
        if form.ok:
            checked.append((rule, form.sql, python_rows(rule, rows)))
            expressions += both_forms(form)
    if not checked:
        return
    try:
        values = spark_columns(spark, expressions, rows)
    except Exception:
        for _, sql, _ in checked:  # name the rule Spark refused
            spark_columns(spark, [sql], rows)
        raise
    for k, (rule, sql, expected) in enumerate(checked):
        # Strict form: exactly True/False (never NULL); condition form through CASE WHEN.
        assert values[2 * k] == expected, (rule, sql, rows)
        assert values[2 * k + 1] == expected, (rule, sql, rows)


CASES = [
    ({"<": [{"var": "i"}, 5]}, {"i": None}, True),  # null < 5: null is 0
    ({"==": [{"var": "i"}, 0]}, {}, False),  # a missing field is null, and null == 0 is false
    ({"==": [{"var": "i"}, {"var": "t"}]}, {"i": 1, "t": " 1 "}, True),  # loose equality
    ({"===": [{"var": "i"}, {"var": "t"}]}, {"i": 1, "t": "1"}, False),
    ({"==": [{"var": "b"}, 1]}, {"b": True}, True),
    ({"<": [{"var": "t"}, 6]}, {"t": "5\u0085"}, False),  # Java's $ would accept "5\u0085"
    ({"<": [{"var": "t"}, 8]}, {"t": "\u000b7\u000c"}, True),  # \v, \f are JS whitespace
    ({">": [{"+": [{"var": "t"}, 1]}, 3]}, {"t": "\u3000 2.5abc"}, True),  # parseFloat prefix
    ({"!": [{"+": [{"var": "i"}, 1]}]}, {"i": None}, True),  # parseFloat(null) is NaN
    ({"==": [{"/": [{"var": "i"}, 2]}, 1.5]}, {"i": 3}, True),  # never integer division
    ({"==": [{"%": [{"var": "i"}, 4]}, -2]}, {"i": -6}, True),  # % keeps the dividend's sign
    ({"==": [{"%": [{"var": "d"}, 0.5]}, -0.25]}, {"d": -3.75}, True),
    ({"!!": [{"var": "t"}]}, {"t": "0"}, True),  # "0" is truthy
    ({"!!": [{"var": "t"}]}, {"t": ""}, False),
    ({"!!": [{"var": "d"}]}, {"d": 0.0}, False),
    ({"in": [{"var": "t"}, ["it's", "b"]]}, {"t": "it's"}, True),
    ({"in": ["a\\b", {"var": "t"}]}, {"t": "xa\\by"}, True),  # substring, backslash kept
    ({"in": [{"var": "i"}, [1, "2"]]}, {"i": 2}, False),  # strict per element
    ({"in": ["", {"var": "t"}]}, {"t": ""}, False),  # "" is not a haystack
    ({"<": ["2020-01-01", {"var": "t"}]}, {"t": "2021-05-01"}, True),  # dates as text
    ({"<": ["2020-01-01", {"var": "t"}]}, {"t": None}, False),  # Number("2020-01-01") is NaN
    ({"<": [{"var": "t"}, "\U0001f600"]}, {"t": "\uffff"}, True),  # code point order
    ({"==": [{"cat": [{"var": "t"}, "-", 2.5]}, "it's-2.5"]}, {"t": "it's"}, True),
    ({"==": [{"cat": [{"var": "t"}, "x"]}, "x"]}, {"t": None}, True),  # null joins as ""
    ({"<=": [1, {"var": "i"}, 3]}, {"i": 3}, True),  # between
    ({"max": [{"var": "i"}, {"var": "t"}]}, {"i": 1, "t": "abc"}, False),  # NaN wins
]


def test_known_cases_in_both_modes(spark, modes):
    rows = [{name: record.get(name) for name in NAMES} for _, record, _ in CASES]
    expressions = []
    for rule, _, _ in CASES:
        form = services.compile_rule(rule, dialect="spark", columns=COLUMNS)
        assert form.ok, (rule, form.reason)
        expressions += both_forms(form)
    values = spark_columns(spark, expressions, rows)
    for k, (rule, _, expected) in enumerate(CASES):
        assert python_rows(rule, [rows[k]]) == [expected], rule
        assert values[2 * k][k] is expected and values[2 * k + 1][k] is expected, rule


def test_uncompilable_rules_say_why_in_spark():
    some = {"some": [{"var": "t"}, {"var": ""}]}
    result = services.compile_rule(some, dialect="spark", columns=COLUMNS)
    assert not result.ok and result.dialect == "spark" and "some" in result.reason
    by_column = services.compile_rule({"/": [1, {"var": "i"}]}, dialect="spark", columns=COLUMNS)
    assert not by_column.ok and "除数" in by_column.reason
    assert not services.compile_rule({"var": "nope"}, dialect="spark", columns=COLUMNS).ok
    empty = services.compile_rule({"min": []}, dialect="spark", columns=COLUMNS)
    assert not empty.ok and "min" in empty.reason  # Math.min() is Infinity
