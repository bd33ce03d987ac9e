"""Issue #20's time and visit model: committed limits, 即办, trips by purpose, sources."""

import copy
import shutil
from pathlib import Path

import pytest
import yaml

from onething.catalog import compiler, services
from onething.catalog.loader import CatalogInvalid
from onething.common.testing import MINI

ONETHING = Path("onethings") / "mini-restaurant.yaml"


@pytest.fixture
def broken(tmp_path):
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


def test_an_item_without_a_source_for_its_limits_is_refused(regions, broken):
    _edit(broken / "items" / "fire.yaml", lambda d: d[0].pop("sources"))
    _edit(broken / "items" / "market.yaml", lambda d: d[0].update(sources={"materials": "指南"}))
    problems = _problems(broken)
    assert "items/fire.yaml: [0]/sources: 数据来源必填：至少给出 limits（时限依据）" in problems
    assert any(p.startswith("items/market.yaml: [0]/sources/limits: 必填") for p in problems)


def test_the_old_visits_key_and_bad_trips_are_named(regions, broken):
    def old(d):
        d[0]["visits"] = 1
        d[0]["visits_alone"] = {"submit": -1, "walk": 1}

    _edit(broken / "items" / "fire.yaml", old)
    problems = _problems(broken)
    assert any("[0]/visits: visits 已由 visits_alone" in p for p in problems)
    assert any("[0]/visits_alone/submit: 跑动次数应为非负整数" in p for p in problems)
    assert any("[0]/visits_alone/walk: 未知的跑动类别" in p for p in problems)


def test_a_one_thing_needs_its_committed_limit_visits_and_source(regions, broken):
    _edit(broken / ONETHING, lambda d: [d.pop(k) for k in ("committed_days", "visits", "sources")])
    problems = _problems(broken)
    assert any("mini-restaurant.yaml: /committed_days: 一件事承诺时限必填" in p for p in problems)
    assert any("mini-restaurant.yaml: /visits: 一件事跑动次数必填" in p for p in problems)
    assert any("mini-restaurant.yaml: /sources: 数据来源必填" in p for p in problems)


def test_committing_less_than_the_critical_path_is_refused(regions, broken):
    _edit(broken / ONETHING, lambda d: d.update(committed_days=8))
    problems = _problems(broken)
    # registration 1 + food licence 10 is the longest chain in every situation.
    assert any(
        "/committed_days: 一件事承诺时限 8 天短于事项承诺时限的关键路径 11 天" in p
        and "企业设立登记 → 食品经营许可" in p
        for p in problems
    )


def test_shorter_member_limits_let_the_one_thing_commit_less(regions, broken):
    def shorten(d):
        d["items"][1]["committed_days"] = 5
        d["committed_days"] = 6

    _edit(broken / ONETHING, shorten)
    services.catalog_import(path=broken)
    from onething.catalog import selectors

    bp = compiler.compile_blueprint(selectors.version_latest("mini-restaurant").snapshot)
    assert bp["process"]["critical_days"] == 6
    assert bp["process"]["promised_days"] == 6
    time = bp["reductions"]["figures"]["time"]
    assert (time["before"], time["after"], time["percent"]) == (11, 6, 45.5)
    assert "食品经营许可由单独办理10 个工作日压缩为5 个工作日" in time["explanation"]
    assert time["flagged"] and "低于 50% 的目标" in time["reason"]


def test_a_member_limit_longer_than_the_promise_or_an_instant_with_days_is_refused(regions, broken):
    def bad(d):
        d["items"][0]["committed_days"] = 3
        d["items"][1].update(instant=True, committed_days=2)

    _edit(broken / ONETHING, bad)
    problems = _problems(broken)
    assert any("/items/0/committed_days: 一件事内承诺时限 3 天不能长于" in p for p in problems)
    assert any("/items/1/committed_days: 即办事项的承诺时限应为 0" in p for p in problems)


def test_items_of_a_single_department_are_refused(regions, broken):
    _edit(broken / ONETHING, lambda d: d.update(items=d["items"][:2]))
    assert any("/items: 一件事的事项至少来自两个部门" in p for p in _problems(broken))


def test_instant_items_wait_nothing_and_trips_count_by_purpose(mini_catalog):
    from onething.catalog import selectors

    snap = copy.deepcopy(selectors.version_latest("mini-restaurant").snapshot)
    fire = next(i for i in snap["items"] if i["code"] == "mini-fire-check")
    fire.update(instant=True, committed_days=0, visits_alone={"submit": 1, "inspect": 1})
    snap["visits"] = {"submit": 1, "inspect": 1, "collect": 0}
    red = compiler.compile_blueprint(snap, {"big": "yes"})["reductions"]
    # registration 1 + food 10 + fire 即办 0; trips 1 + 1 + (1 submit + 1 inspection).
    assert red["before"]["time"] == 11
    assert (red["before"]["visits"], red["after"]["visits"]) == (4, 2)
    assert "现场踏勘/验收 1 次" in red["figures"]["visits"]["explanation"]
    assert not red["figures"]["visits"]["flagged"]  # the target is for time and materials


def test_a_version_published_before_the_model_compiles_as_it_did(mini_catalog):
    from onething.catalog import selectors

    snap = copy.deepcopy(selectors.version_latest("mini-restaurant").snapshot)
    for key in ("committed_days", "visits", "sources"):
        snap.pop(key)
    for item in snap["items"]:
        item["visits"] = sum(item.pop("visits_alone").values())
        for key in ("committed_days", "instant", "committed_instant"):
            item.pop(key)
    red = compiler.compile_blueprint(snap, {"big": "yes"})["reductions"]
    assert red["before"] == {"time": 16, "materials": 10, "steps": 12, "visits": 3}
    assert red["after"] == {"time": 11, "materials": 3, "steps": 5, "visits": 1}
