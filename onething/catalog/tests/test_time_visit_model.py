"""Issue #20's time and visit model: committed limits, 即办, trips by purpose, sources."""

import copy
import shutil
from pathlib import Path

import pytest
import yaml

from onething.catalog import compiler, services
from onething.catalog.loader import CatalogInvalid
from onething.testing import MINI

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


def test_the_cli_list_gives_each_figure_and_the_catalog_averages(mini_catalog):
    import io
    import json

    from django.core.management import call_command

    out = io.StringIO()
    call_command("catalog", "list", "--format", "json", stdout=out)
    time = json.loads(out.getvalue())[0]["reductions"]["time"]
    # Default situation: registration 1 + food licence 10 alone, the same chain in the one-thing.
    assert time == {
        "before": 11,
        "after": 11,
        "percent": 0.0,
        "flagged": True,
        "reason": "办理时间仅压减 0.0%（11 → 11个工作日），低于 50% 的目标",
    }
    out = io.StringIO()
    call_command("catalog", "list", stdout=out)
    lines = out.getvalue().splitlines()
    assert "共 1 个一件事，平均压减：时间 0.0%、材料 71.4%、环节 37.5%、跑动 50.0%" in lines[-2]
    assert lines[-1].startswith("  ⚠ 开办小餐馆（mini-restaurant）：办理时间仅压减 0.0%")


def test_the_page_explains_each_figure_and_names_the_sources(client, mini_catalog):
    page = client.get("/onethings/mini-restaurant/").content.decode()
    assert "单独办理依次等待：企业设立登记（1 个工作日）＋食品经营许可（10 个工作日）" in page
    assert "一件事整体承诺 11 个工作日（测试目录：一件事承诺时限）" in page
    assert "单独办理各事项共需提交 7 份材料" in page
    assert "本情形无需办理<b>公众聚集场所投入使用、营业前消防安全检查</b>" in page
    assert "时限——测试目录：时限取自对应法规条款" in page


def test_an_admin_edit_that_commits_less_than_the_chain_cannot_be_published(mini_catalog):
    from onething.catalog.models import OneThing
    from onething.common.errors import DomainError

    ot = OneThing.objects.get(code="mini-restaurant")
    ot.committed_days = 5
    ot.save()
    with pytest.raises(DomainError, match="短于事项承诺时限的关键路径 11 天"):
        services.onething_publish(onething=ot)
