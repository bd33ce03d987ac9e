"""The Spark engine: ``onething policies match --engine spark`` and the cluster path ``pairs``."""

import json
import tempfile

import polars as pl
import pytest
from django.core.management import call_command

from onething.policies import attributes, batch
from onething.policies import spark as spark_engine

# Nulls, loose types, dates as text, codes with leading zeros (text), a CJK column.
ENTITIES = """id,employees,ratio,hightech,name,founded,code,地区
10,12,0.5,true,甲,2021-03-18,007,420102
2,,1.25,false,乙,2019-12-01,x,420106
1,30,,,丙,,12,
3,5,2,true,,2024-01-01,,420500
21,0,-0.75,false,"it's",2018-06-30, 3 ,420102
"""
# employees is declared by the catalog, the others here (as --schema): codes are text.
SCHEMA = """
- {code: ratio, name: 比率, type: number}
- {code: hightech, name: 高新, type: boolean}
- {code: name, name: 名称, type: text}
- {code: founded, name: 成立日期, type: date}
- {code: code, name: 编码, type: text}
- {code: 地区, name: 地区, type: region}
"""
POLICIES = [
    {"code": "A1", "title": "稳岗", "condition": {">=": [{"var": "employees"}, 10]}},
    {"code": "A2", "title": "少人", "condition": {"<": [{"var": "employees"}, 6]}},  # null is 0
    {"code": "B1", "title": "高新", "condition": {"==": [{"var": "hightech"}, True]}},
    {"code": "B2", "title": "非高新", "condition": {"!": [{"var": "hightech"}]}},
    {"code": "C1", "title": "新设", "condition": {">=": [{"var": "founded"}, "2020-01-01"]}},
    {"code": "D1", "title": "江岸", "condition": {"in": [{"var": "地区"}, ["420102", "420106"]]}},
    {"code": "D2", "title": "名称", "condition": {"in": ["'", {"var": "name"}]}},
    {"code": "E1", "title": "编码", "condition": {"==": [{"var": "code"}, 12]}},  # "12" == 12
    {"code": "E2", "title": "编码和", "condition": {">": [{"+": [{"var": "code"}, 1]}, 4]}},
    {"code": "F1", "title": "比例", "condition": {"==": [{"%": [{"var": "ratio"}, 0.5]}, -0.25]}},
    {"code": "F2", "title": "人均", "condition": {">": [{"/": [{"var": "employees"}, 4]}, 2.5]}},
    {
        "code": "G1",
        "title": "名单",
        "condition": {"some": [[{"var": "name"}], {"==": [{"var": ""}, "乙"]}]},
    },
]


# Six copies: 72 policies, so that compiled rules span two chunks of batch.CHUNK.
COPIES = [{**p, "code": f"{p['code']}.{k}" if k else p["code"]} for k in range(6) for p in POLICIES]


@pytest.fixture(scope="module")
def spark():
    session = spark_engine.session("local[2]", spark_engine.TEST_SETTINGS)
    yield session
    session.stop()


@pytest.fixture
def files(tmp_path):
    (tmp_path / "p.json").write_text(json.dumps(COPIES, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "e.csv").write_text(ENTITIES, encoding="utf-8")
    (tmp_path / "s.yaml").write_text(SCHEMA, encoding="utf-8")
    return tmp_path


def declared(files):
    return attributes.declared(files / "s.yaml")


def run_match(files, engine: str) -> str:
    out = files / f"m-{engine}.csv"
    args = ["--policies", str(files / "p.json"), "--entities", str(files / "e.csv")]
    args += ["--schema", str(files / "s.yaml"), "--master", "local[2]"]
    call_command("policies", "match", *args, "--out", str(out), "--engine", engine)
    return out.read_text(encoding="utf-8")


def test_cli_spark_writes_the_same_file_as_duckdb_and_per_record(spark, files, capsys):
    spark_out = run_match(files, "spark")
    err = capsys.readouterr().err
    assert "政策 G1 无法用 spark 批量编译" in err and "引擎 spark" in err
    assert spark_out == run_match(files, "duckdb") == run_match(files, "python")
    lines = spark_out.splitlines()
    assert lines[0] == "entity_id,policy_code" and "2,A2" in lines and "1,E1" in lines
    assert (
        "21,D2" in lines
        and "2,G1" in lines
        and "10,D1" in lines
        and "2,D1" in lines
        and "3,F2" not in lines
        and "21,F1" in lines
    )
    assert "21,F1.5" in lines and "2,G1.5" in lines  # the second chunk and its fallback


def test_auto_never_picks_spark(files):
    policies = batch.load_policies(files / "p.json")
    table = batch.load_entities(files / "e.csv", declared(files))
    assert "spark" in batch.ENGINES and batch.match(policies, table).engine == "duckdb"


def test_pairs_stay_in_spark_and_agree_with_per_record(spark, files):
    policies = batch.load_policies(files / "p.json")
    table = batch.load_entities(files / "e.csv", declared(files))
    frame = batch.to_polars(table).with_columns(pl.Series("id", table.ids))
    with tempfile.TemporaryDirectory() as directory:
        entities = spark_engine.entities_frame(spark, frame, directory)
        assert spark_engine.column_types(entities) == table.types
        found, fallbacks = spark_engine.pairs(entities, policies, table.types)
        got = sorted((row.entity_id, row.policy_code) for row in found.collect())
    assert [code for code, _ in fallbacks] == ["G1", "G1.1", "G1.2", "G1.3", "G1.4", "G1.5"]
    assert got == sorted(batch.match(policies, table, "python").pairs)
