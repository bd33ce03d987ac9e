"""``onething policies match|explain`` over temporary files, through call_command."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from onething.policies import attributes, batch

POLICIES = [
    {"code": "P2", "title": "稳岗补贴", "condition": {">=": [{"var": "employees"}, 10]}},
    {"code": "P1", "title": "高新奖励", "condition": {"==": [{"var": "hightech"}, True]}},
    {
        "code": "P3",
        "title": "名单",
        "condition": {"some": [{"merge": [{"var": "name"}]}, {"==": [{"var": ""}, "乙"]}]},
    },
]
ENTITIES = (
    "id,employees,ratio,hightech,name,mixed\n10,12,0.5,true,甲,1\n2,,1.25,false,乙,x\n1,30,,,丙,\n"
)
HEADER = "id,employees,ratio,hightech,name,mixed\n"
# employees is declared by the catalog; the others by the --schema file.
SCHEMA = """
- {code: ratio, name: 比率, type: number}
- {code: hightech, name: 高新, type: boolean}
- {code: name, name: 名称, type: text}
- {code: mixed, name: 混合, type: text}
"""


@pytest.fixture
def files(tmp_path):
    (tmp_path / "p.json").write_text(json.dumps(POLICIES, ensure_ascii=False))
    (tmp_path / "e.csv").write_text(ENTITIES)
    (tmp_path / "s.yaml").write_text(SCHEMA)
    return tmp_path


def run_match(files, engine="auto", entities="e.csv"):
    out = files / "m.csv"
    args = ["match", "--policies", str(files / "p.json"), "--entities", str(files / entities)]
    args += ["--schema", str(files / "s.yaml")]
    call_command("policies", *args, "--out", str(out), "--engine", engine)
    return out.read_text().splitlines()


@pytest.mark.parametrize("engine", ["auto", "duckdb", "polars", "python"])
def test_match_output_is_sorted_and_engines_agree(files, engine):
    assert run_match(files, engine) == ["entity_id,policy_code", "1,P2", "2,P3", "10,P1", "10,P2"]


def test_fallback_and_summary_go_to_stderr(files, capsys):
    run_match(files, "duckdb")
    err = capsys.readouterr().err
    assert "政策 P3 无法用 duckdb 批量编译" in err and "改为逐条求值" in err
    assert "3 对" not in err and "4 对，3 个实体，3 项政策" in err


def test_bad_row_reports_line_and_writes_nothing(files):
    (files / "bad.csv").write_text(HEADER + "1,3,,,,\n2,4,,,,,5\n")
    with pytest.raises(CommandError, match="第 3 行"):
        run_match(files, entities="bad.csv")
    assert not (files / "m.csv").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (",3,,,,\n", "第 2 行：缺少 id"),
        ("1,3,,,,\n1,4,,,,\n", "第 3 行：id 1 重复（首次出现在第 2 行）"),
    ],
)
def test_missing_and_duplicate_ids(files, text, message):
    (files / "bad.csv").write_text(HEADER + text)
    with pytest.raises(CommandError, match=message):
        run_match(files, entities="bad.csv")


def test_invalid_policy_names_code_and_path(files):
    bad = [{"code": "X9", "title": "t", "condition": {"and": [{">": [{"var": "nope"}, 1]}]}}]
    (files / "p.json").write_text(json.dumps(bad))
    with pytest.raises(CommandError, match="策略 X9：/and/0/>/0/var：未知字段：nope"):
        run_match(files)


def test_column_types_are_declared_not_inferred(files):
    declared = attributes.declared(files / "s.yaml")
    table = batch.load_entities(files / "e.csv", declared)
    assert table.types == {
        "employees": "int",
        "ratio": "float",
        "hightech": "bool",
        "name": "text",
        "mixed": "text",
    }
    assert table.columns["employees"] == [12, None, 30]
    assert table.columns["mixed"] == ["1", "x", None]


def test_explain_prints_reasons(files, capsys):
    args = ["explain", "--policies", str(files / "p.json"), "--entities", str(files / "e.csv")]
    call_command("policies", *args, "--schema", str(files / "s.yaml"), "--entity", "2")
    out = capsys.readouterr().out
    assert "[P2] 稳岗补贴：不符合（1 项条件未满足）" in out
    assert "从业人数 ≥ 10：不满足（实际 空）" in out
    assert "[P3] 名单：符合" in out


def test_compiled_engines_keep_row_order_on_large_tables():
    # DuckDB loads and scans row groups (122,880 rows) in parallel: order must not leak.
    n = 300_000
    table = batch.EntityTable([str(i) for i in range(n)], {"x": "int"}, {"x": list(range(n))})
    policies = [batch.Policy("P", "t", {"==": [{"%": [{"var": "x"}, 7]}, 3]})]
    expected = [(str(i), "P") for i in range(3, n, 7)]
    assert batch.match(policies, table, "duckdb").pairs == expected
    policies = [batch.Policy("Q", "t", {"<": [{"var": "x"}, 40]})]
    assert batch.match(policies, table, "polars").pairs == [(str(i), "Q") for i in range(40)]
