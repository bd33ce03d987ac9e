"""Importing the catalog files: all or nothing, every problem named; export is byte-stable."""

import shutil
from pathlib import Path

import pytest
import yaml

from onething.accounts.models import Department, DepartmentKind
from onething.catalog import services
from onething.catalog.loader import CatalogInvalid
from onething.catalog.models import OneThing, OneThingVersion, ServiceItem
from onething.testing import MINI


@pytest.fixture
def broken(tmp_path):
    """A copy of the mini catalog to break in the test."""
    root = tmp_path / "catalog"
    shutil.copytree(MINI, root)
    return root


def _edit(path: Path, fn):
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    fn(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _problems(root) -> list[str]:
    with pytest.raises(CatalogInvalid) as exc:
        services.catalog_import(path=root)
    return [str(p) for p in exc.value.problems]


def test_export_after_import_gives_back_the_same_bytes(mini_catalog, tmp_path):
    services.catalog_export(path=tmp_path / "out")
    for original in MINI.rglob("*.yaml"):
        exported = tmp_path / "out" / original.relative_to(MINI)
        assert exported.read_bytes() == original.read_bytes(), original.name


def test_a_kind_s_level_names_are_imported_and_exported_in_level_order(mini_catalog, tmp_path):
    fire = DepartmentKind.objects.get(code="fire")
    fire.names = {"county": "{region}消防救援大队", "province": "{region}消防救援总队"}
    fire.save()  # as PostgreSQL's jsonb gives them back: not in the file's order
    services.catalog_export(path=tmp_path)
    exported = yaml.safe_load((tmp_path / "departments.yaml").read_text(encoding="utf-8"))
    exported = {d["code"]: d for d in exported}
    assert list(exported["fire"]["names"].items()) == [
        ("province", "{region}消防救援总队"),
        ("county", "{region}消防救援大队"),
    ]
    assert "names" not in exported["market"]  # a kind without patterns writes no empty key
    names = dict(Department.objects.filter(kind_id="fire").values_list("region_id", "name"))
    assert names["420000"] == "湖北省消防救援总队"
    assert names["420100"] == "武汉市消防救援支队"
    assert names["420102"] == "武汉市江岸区消防救援大队"


@pytest.mark.parametrize(
    ("names", "path", "message"),
    [
        (
            {"town": "{region}消防救援站"},
            "[1]/names/town",
            "层级无效：'town'，应为 province、city、county 之一（部门类别 fire）",
        ),
        (
            {"city": "{county}消防救援支队"},
            "[1]/names/city",
            "未知占位符：{county}，市级名称只能用 {region}、{city}（部门类别 fire）",
        ),
        (
            {"county": "{region}{district}消防救援大队"},
            "[1]/names/county",
            "未知占位符：{district}，县级名称只能用 {region}、{city}、{county}（部门类别 fire）",
        ),
        (
            ["{region}消防救援总队"],
            "[1]/names",
            "分层级名称应为“层级: 名称模式”的映射：['{region}消防救援总队']（部门类别 fire）",
        ),
    ],
)
def test_a_name_pattern_for_an_unknown_level_or_with_an_unknown_placeholder_is_refused(
    regions, broken, names, path, message
):
    _edit(broken / "departments.yaml", lambda d: d[1].update(names=names))
    assert f"departments.yaml: {path}: {message}" in _problems(broken)
    assert not DepartmentKind.objects.exists()


def test_importing_twice_publishes_no_new_version(mini_catalog):
    services.catalog_import(path=MINI)
    assert OneThingVersion.objects.filter(onething_id="mini-restaurant").count() == 1


def test_an_unknown_department_a_dangling_dependency_and_a_bad_rule_are_all_reported(
    regions, broken
):
    _edit(broken / "items" / "fire.yaml", lambda d: d[0].update(department="nowhere"))

    def break_onething(d):
        d["dependencies"] = [{"item": "mini-food-license", "requires": ["not-a-member"]}]
        d["items"][2]["when"] = {"≈": [{"var": "big"}, "yes"]}
        d["material_rules"][0]["when"] = {"==": [{"var": "unknown_question"}, "no"]}

    _edit(broken / "onethings" / "mini-restaurant.yaml", break_onething)
    problems = _problems(broken)
    assert any("items/fire.yaml: [0]/department: 未知部门类别：nowhere" in p for p in problems)
    assert any("/dependencies/0/requires" in p and "not-a-member" in p for p in problems)
    assert any("/items/2/when/≈" in p and "未知运算符" in p for p in problems)
    assert any("/material_rules/0/when" in p and "unknown_question" in p for p in problems)
    assert not ServiceItem.objects.exists()


def test_duplicate_codes_are_refused(regions, broken):
    _edit(broken / "items" / "fire.yaml", lambda d: d.append(dict(d[0])))
    assert any("事项编码重复：mini-fire-check" in p for p in _problems(broken))


def test_a_dependency_cycle_is_refused_when_saved(regions, broken):
    _edit(
        broken / "onethings" / "mini-restaurant.yaml",
        lambda d: d.update(
            dependencies=[
                {"item": "mini-registration", "requires": ["mini-fire-check"]},
                {"item": "mini-fire-check", "requires": ["mini-food-license"]},
                {"item": "mini-food-license", "requires": ["mini-registration"]},
            ]
        ),
    )
    problems = _problems(broken)
    assert any("循环" in p and "mini-registration" in p for p in problems)
    assert not OneThing.objects.exists()


def test_a_one_thing_of_a_single_item_is_not_a_one_thing(regions, broken):
    _edit(broken / "onethings" / "mini-restaurant.yaml", lambda d: d.update(items=d["items"][:1]))
    assert any("至少包含两个事项" in p for p in _problems(broken))


def test_a_situation_that_references_an_unknown_item_is_caught(regions, broken):
    _edit(
        broken / "onethings" / "mini-restaurant.yaml",
        lambda d: d["items"].append({"item": "ghost-item"}),
    )
    assert any("/items/3/item: 未知事项：ghost-item" in p for p in _problems(broken))


def test_an_edit_makes_a_new_version_and_the_old_one_stays_as_it_was(mini_catalog, broken):
    _edit(broken / "items" / "market.yaml", lambda d: d[0].update(promised_days=8))
    services.catalog_import(path=broken)
    versions = OneThingVersion.objects.filter(onething_id="mini-restaurant").order_by("number")
    assert [v.number for v in versions] == [1, 2]
    old, new = (
        next(i for i in v.snapshot["items"] if i["code"] == "mini-food-license") for v in versions
    )
    assert (old["promised_days"], new["promised_days"]) == (10, 8)
    with pytest.raises(ValueError):
        versions[0].save()


def test_status_moves_one_step_at_a_time(mini_catalog):
    from onething.common.errors import DomainError

    ot = OneThing.objects.get(code="mini-restaurant")
    services.onething_advance(onething=ot, to="定标")
    assert ot.status == "定标"
    with pytest.raises(DomainError, match="下一阶段"):
        services.onething_advance(onething=ot, to="初标")
