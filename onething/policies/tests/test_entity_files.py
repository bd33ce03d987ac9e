"""Entity files are read with the declared types: codes stay text, misfits are errors."""

import polars as pl
import pytest

from onething.policies import attributes, batch, holders

SCHEMA = "- {code: region, name: 所在地区, type: region}\n- {code: ok, name: 合格, type: boolean}\n"
POLICY = batch.Policy("W", "武汉", {"in": [{"var": "region"}, ["420102", "010203"]]})
COUNT = batch.Policy("E", "人多", {">=": [{"var": "employees"}, 10]})


@pytest.fixture
def declared(tmp_path):
    (tmp_path / "s.yaml").write_text(SCHEMA, encoding="utf-8")
    return attributes.declared(tmp_path / "s.yaml")


def match(tmp_path, declared, text, policies=(POLICY,), out="m.csv", name="e.csv"):
    (tmp_path / name).write_text(text, encoding="utf-8")
    result = batch.match_files(list(policies), tmp_path / name, tmp_path / out, declared)
    return result, (tmp_path / out)


def test_digit_only_codes_stay_text_with_leading_zeros(tmp_path, declared):
    _, out = match(tmp_path, declared, "id,region\n1,420102\n2,010203\n3,420103\n")
    assert out.read_text().splitlines() == ["entity_id,policy_code", "1,W", "2,W"]
    table = batch.load_entities(tmp_path / "e.csv", declared, ["region"])
    assert table.types == {"region": "text"} and table.columns["region"][1] == "010203"


def test_catalog_declares_registry_attributes():
    declared = attributes.catalog("entity")
    assert declared["employees"].kind == "int" and declared["registered_region"].kind == "text"
    assert attributes.catalog("person")["employment_status"].options["employed"] == "在职"
    assert holders.types_for("person")["age"] == "int"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "id,region,employees\n1,420102,\n2,42010,\n",
            r"e\.csv 第 3 行，列 region（所在地区）：值 '42010'",
        ),
        ("id,region,employees\n1,42,1.5\n", r"第 2 行，列 employees（从业人数）：值 '1.5'"),
        ("id,region,employees\n1,42,007\n", "值 '007' 不符合声明的类型，应为整数"),
        ('id,region,employees\n1,"42\n01",\n2,x,\n', r"第 3 行，列 region"),  # a quoted line break
    ],
)
def test_misfit_names_file_line_and_column(tmp_path, declared, text, message):
    with pytest.raises(batch.BatchError, match=message):
        match(tmp_path, declared, text, (POLICY, COUNT))
    assert not (tmp_path / "m.csv").exists()


def test_parquet_with_typed_columns_and_a_code_stored_as_number(tmp_path, declared):
    frame = pl.DataFrame({"id": ["1", "2"], "region": ["010203", None], "employees": [12, 3]})
    frame.write_parquet(tmp_path / "e.parquet")
    result = batch.match_files(
        [POLICY, COUNT], tmp_path / "e.parquet", tmp_path / "m.parquet", declared
    )
    assert result.pairs == 2
    assert pl.read_parquet(tmp_path / "m.parquet").rows() == [("1", "E"), ("1", "W")]
    frame.with_columns(pl.col("region").cast(pl.Int64, strict=False)).write_parquet(
        tmp_path / "n.parquet"
    )
    with pytest.raises(batch.BatchError, match="列 region（所在地区）：文件中的类型是 BIGINT"):
        batch.match_files([POLICY], tmp_path / "n.parquet", tmp_path / "m.csv", declared)


def test_undeclared_attribute_asks_for_a_schema(tmp_path, declared):
    policy = batch.Policy("X", "t", {">": [{"var": "height"}, 1]})
    with pytest.raises(batch.BatchError, match="字段 height 未在数据元目录.*--schema"):
        match(tmp_path, declared, "id,height\n1,2\n", (policy,))


def test_out_must_be_csv_or_parquet(tmp_path, declared):
    with pytest.raises(batch.BatchError, match="只支持 .csv 和 .parquet"):
        match(tmp_path, declared, "id,region\n1,42\n", out="m.txt")


@pytest.mark.parametrize("out", ["m.csv", "m.parquet"])
@pytest.mark.parametrize(
    "ids", [["9", "10", "2", "33", "1", "4"], ["b", "a10", "a2", "c", "a", "d"]]
)
def test_output_written_in_slices_is_the_one_sorted_file(tmp_path, declared, monkeypatch, out, ids):
    rows = "".join(f"{i},{'420102' if n % 3 else '010203'},{n * 7}\n" for n, i in enumerate(ids))
    text = "id,region,employees\n" + rows
    slow = batch.Policy("N", "不可编译", {"some": [[1], {"==": [{"var": ""}, 1]}]})
    whole, path = match(tmp_path, declared, text, (POLICY, COUNT, slow), out=out)
    expected = path.read_bytes() if out.endswith(".csv") else pl.read_parquet(path).rows()
    monkeypatch.setattr(batch, "SLICE_CELLS", 6)  # two entities a slice: three slices
    sliced, path = match(tmp_path, declared, text, (POLICY, COUNT, slow), out=out)
    got = path.read_bytes() if out.endswith(".csv") else pl.read_parquet(path).rows()
    assert got == expected and sliced.pairs == whole.pairs > len(ids)
    assert [f for _, f in sliced.fallbacks] == [f for _, f in whole.fallbacks] != []
