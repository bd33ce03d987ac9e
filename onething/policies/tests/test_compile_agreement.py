"""The compiled engines (DuckDB SQL, Polars) agree with the per-record engine on every row."""

import duckdb
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onething.policies.batch import EntityTable, polars_column, to_polars
from onething.rules import services
from onething.rules.backends import sql_literal

COLUMNS = {"i": "int", "d": "float", "b": "bool", "t": "text"}
SQL_TYPES = {"int": "BIGINT", "float": "DOUBLE", "bool": "BOOLEAN", "text": "VARCHAR"}
TEXTS = ["", " ", "0", "1", "2.5", "-1", " 3 ", "1e2", "abc", "a", "B", "\u30007", "1.", ".5", "x1"]
VALUES = {
    "i": st.none() | st.integers(-6, 6) | st.sampled_from([100, -250, 4096]),
    "d": st.none() | st.sampled_from([0.0, -0.5, 0.5, 1.0, 2.25, -3.75, 10.5, 1e-3]),
    "b": st.none() | st.booleans(),
    "t": st.none() | st.sampled_from(TEXTS),
}
records = st.fixed_dictionaries(VALUES)
constants = (
    st.none()
    | st.booleans()
    | st.integers(-6, 6)
    | st.sampled_from([0.5, -1.5, 2.25, 100])
    | st.sampled_from(TEXTS)
)
variables = st.sampled_from(sorted(COLUMNS)).map(lambda name: {"var": name})
leaves = variables | variables | constants


def _nodes(children):
    two = st.lists(children, min_size=2, max_size=2)
    return st.one_of(
        st.tuples(st.sampled_from(["==", "!=", "===", "!==", "<", "<=", ">", ">="]), two),
        st.tuples(st.sampled_from(["<", "<="]), st.lists(children, min_size=3, max_size=3)),
        st.tuples(st.sampled_from(["and", "or"]), st.lists(children, min_size=1, max_size=3)),
        st.tuples(st.sampled_from(["!", "!!"]), st.lists(children, min_size=1, max_size=1)),
        st.tuples(st.just("if"), st.lists(children, min_size=2, max_size=5)),
        st.tuples(
            st.sampled_from(["+", "*", "-", "min", "max"]),
            st.lists(children, min_size=1, max_size=3),
        ),
        st.tuples(
            st.sampled_from(["/", "%"]), st.tuples(children, st.sampled_from([2, -4, 0.5, "3"]))
        ),
        st.tuples(
            st.just("in"),
            st.tuples(
                children, st.lists(constants, max_size=4) | st.sampled_from(TEXTS) | variables
            ),
        ),
        st.tuples(st.just("cat"), st.lists(children, min_size=1, max_size=3)),
    ).map(lambda pair: {pair[0]: list(pair[1])})


rules = st.recursive(leaves, _nodes, max_leaves=8)
# Categorical columns with few values, and membership tests drawn from those values (with a
# stray of another type now and then): what dictionary codes turn into bitmap lookups.
FEW = {"i": [-1, 0, 2, 7], "t": TEXTS[:6]}
coded_records = st.fixed_dictionaries(
    {**VALUES, **{n: st.sampled_from(v) | st.sampled_from(v) | st.none() for n, v in FEW.items()}}
)
memberships = st.sampled_from(["i", "t"]).flatmap(
    lambda n: st.lists(st.sampled_from(FEW[n]) | constants, min_size=2, max_size=6).map(
        lambda items: {"in": [{"var": n}, items]}
    )
)
coded_rules = st.recursive(memberships | memberships | memberships | leaves, _nodes, max_leaves=6)
CONNECTION = duckdb.connect()


def duckdb_rows(condition_sql: str, rows: list[dict]) -> list[bool]:
    names = sorted(COLUMNS)
    values = ", ".join(
        "("
        + ", ".join(f"CAST({sql_literal(row[n])} AS {SQL_TYPES[COLUMNS[n]]})" for n in names)
        + ")"
        for row in rows
    )
    query = f"SELECT {condition_sql} FROM (VALUES {values}) AS v({', '.join(names)})"
    return [bool(r[0]) for r in CONNECTION.execute(query).fetchall()]


def coded_rows(rule, rows: list[dict]):
    """The DuckDB form compiled against dictionary code columns built from ``rows``."""
    codes = {n: sorted({r[n] for r in rows if r[n] is not None}) for n in ("i", "t")}
    form = services.compile_rule(rule, columns=COLUMNS, codes=codes)
    if not form.ok:
        return form, None
    names = sorted(COLUMNS)
    coded = [services.code_column(n) for n in codes]

    def cells(row):
        plain = [f"CAST({sql_literal(row[n])} AS {SQL_TYPES[COLUMNS[n]]})" for n in names]
        return plain + [
            f"CAST({'NULL' if row[n] is None else codes[n].index(row[n])} AS USMALLINT)"
            for n in codes
        ]

    values = ", ".join("(" + ", ".join(cells(row)) + ")" for row in rows)
    header = ", ".join(names + [f'"{c}"' for c in coded])
    query = f"SELECT {form.sql}, CASE WHEN {form.condition_sql} THEN TRUE ELSE FALSE END FROM (VALUES {values}) AS v({header})"
    return form, [(bool(a), bool(b)) for a, b in CONNECTION.execute(query).fetchall()]


def polars_rows(expr, rows: list[dict]) -> list[bool]:
    table = EntityTable(
        [str(i) for i in range(len(rows))], COLUMNS, {n: [r[n] for r in rows] for n in COLUMNS}
    )
    return [bool(v) for v in polars_column(to_polars(table), expr)]


def python_rows(rule, rows: list[dict]) -> list[bool]:
    decisions = [services.holds(rule, row) for row in rows]
    # A null cell and an absent field are the same thing to every engine.
    assert decisions == [
        services.holds(rule, {k: v for k, v in r.items() if v is not None}) for r in rows
    ]
    return decisions


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule=rules, rows=st.lists(records, min_size=1, max_size=6))
def test_duckdb_and_polars_agree_with_per_record(rule, rows):
    expected = python_rows(rule, rows)
    sql = services.compile_rule(rule, dialect="duckdb", columns=COLUMNS)
    if sql.ok:
        assert duckdb_rows(sql.sql, rows) == expected, sql.sql
        assert (
            duckdb_rows(f"CASE WHEN {sql.condition_sql} THEN TRUE ELSE FALSE END", rows) == expected
        )
    polars = services.compile_rule(rule, dialect="polars", columns=COLUMNS)
    if polars.ok:
        assert polars_rows(polars.expr, rows) == expected
        assert (
            polars_rows(pl.when(polars.condition_expr).then(True).otherwise(False), rows)
            == expected
        )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule=coded_rules, rows=st.lists(coded_records, min_size=1, max_size=6))
def test_duckdb_with_dictionary_codes_agrees_with_per_record(rule, rows):
    expected = python_rows(rule, rows)
    form, decisions = coded_rows(rule, rows)
    if form.ok:
        assert decisions == [(e, e) for e in expected], form.sql


def test_in_lists_over_coded_columns_become_one_bitmap_lookup():
    rows = [{"i": 3, "d": None, "b": None, "t": "a"}, {"i": None, "d": None, "b": None, "t": "B"}]
    rule = {"!": {"in": [{"var": "t"}, ["a", "zz", "B"]]}}
    form, decisions = coded_rows(rule, rows)
    assert "get_bit('11'" in form.sql and " IN (" not in form.sql
    assert decisions == [(False, False), (False, False)]
    # A list naming no value of the table keeps the plain IN: NOT (NULL IN …) stays NULL.
    nothing, _ = coded_rows({"in": [{"var": "i"}, [7, 8]]}, rows)
    assert " IN (7, 8)" in nothing.sql


@pytest.mark.parametrize(
    ("rule", "record", "expected"),
    [
        ({"<": [{"var": "i"}, 5]}, {"i": None}, True),  # null < 5: null is 0
        ({"==": [{"var": "i"}, 0]}, {"i": None}, False),  # null == 0 is false
        ({"==": [{"var": "i"}, {"var": "t"}]}, {"i": 1, "t": "1"}, True),  # loose equality
        ({"===": [{"var": "i"}, {"var": "t"}]}, {"i": 1, "t": "1"}, False),
        ({"==": [{"var": "i"}, {"var": "t"}]}, {"i": None, "t": None}, True),  # null == null
        ({"!!": [{"var": "t"}]}, {"t": ""}, False),
        ({">": [{"+": [{"var": "t"}, 1]}, 3]}, {"t": " 2.5abc"}, True),  # parseFloat prefix
        ({"!": [{"+": [{"var": "i"}, 1]}]}, {"i": None}, True),  # parseFloat(null) is NaN
        ({"in": [{"var": "t"}, ["a", "b"]]}, {"t": "a"}, True),
        ({"in": ["bc", {"var": "t"}]}, {"t": "abc"}, True),
        ({"<": ["2020-01-01", {"var": "t"}]}, {"t": "2021-05-01"}, True),
    ],
)
def test_known_cases_in_every_engine(rule, record, expected):
    row = {name: record.get(name) for name in COLUMNS}
    assert python_rows(rule, [row]) == [expected]
    assert duckdb_rows(services.compile_rule(rule, columns=COLUMNS).sql, [row]) == [expected]
    assert polars_rows(
        services.compile_rule(rule, dialect="polars", columns=COLUMNS).expr, [row]
    ) == [expected]


def test_uncompilable_rules_say_why():
    result = services.compile_rule({"some": [{"var": "t"}, {"var": ""}]}, columns=COLUMNS)
    assert not result.ok and "some" in result.reason
    assert not services.compile_rule({"var": "nope"}, columns=COLUMNS).ok
    assert not services.compile_rule({"/": [1, {"var": "i"}]}, columns=COLUMNS).ok


def test_postgres_dialect_renders_through_sqlglot():
    result = services.compile_rule({"<": ["a", {"var": "t"}]}, dialect="postgres", columns=COLUMNS)
    assert result.ok and 'COLLATE "C"' in result.sql
