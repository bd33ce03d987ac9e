import shutil

import pytest
import yaml

from onething.assistant import selectors
from onething.catalog import services as catalog
from onething.catalog import signals

pytestmark = pytest.mark.django_db


def top(q, **kw):
    hits = selectors.search(q, **kw)
    assert hits, f"no result for {q!r}"
    return hits[0]


@pytest.mark.parametrize(
    "query",
    [
        "我想开个面馆",  # synonym with an insertion
        "开饭店",  # alias
        "開飯店要辦什麼",  # traditional characters
        "ｍｉｎｉ 开饭店 ２０２６",  # full-width letters and digits mixed in
        "营业值照怎么办",  # homophone typo of 营业执照
        "请问一下我打算在汉口开一家小面馆需要跑哪些部门啊",  # extra words
    ],
)
def test_colloquial_questions_find_the_restaurant(mini_catalog, query):
    hit = top(query)
    assert (hit.code, hit.kind) == ("mini-restaurant", "onething")


def test_results_say_why_they_matched(mini_catalog):
    assert "面馆→餐饮" in top("我想开个面馆").why
    assert "营业值照→营业执照" in top("营业值照").why


def test_one_things_rank_above_their_items(mini_catalog):
    hits = selectors.search("食品经营许可")
    kinds = [h.kind for h in hits]
    assert kinds[0] == "onething"
    assert "item" in kinds
    assert hits[0].score > max(h.score for h in hits if h.kind == "item")


def test_kinds_are_the_documented_ones(mini_catalog):
    kinds = {h.kind for h in selectors.search("消防 餐饮 小店开张", limit=50)}
    assert kinds <= {"onething", "oneclass", "item", "policy"}
    assert {"onething", "item"} <= kinds


def test_the_index_rebuilds_after_a_catalog_import(mini_catalog, tmp_path):
    assert "小酒馆" not in selectors.search("想开个小酒馆")[0].why
    copy = tmp_path / "mini"
    shutil.copytree(mini_catalog, copy)
    path = copy / "onethings" / "mini-restaurant.yaml"
    doc = yaml.safe_load(path.read_text())
    doc["aliases"].append("开小酒馆")
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))
    catalog.catalog_import(path=copy)
    hit = top("想开个小酒馆")
    assert hit.code == "mini-restaurant"
    assert "小酒馆" in hit.why


def test_the_change_signal_forgets_the_index(mini_catalog):
    selectors.index_current()
    assert selectors._state["fingerprint"] is not None
    signals.catalog_changed()
    assert selectors._state["fingerprint"] is None


def test_a_policies_source_can_be_added(mini_catalog, monkeypatch):
    from onething.assistant import sources
    from onething.assistant.index import Doc

    def policies():
        return [Doc("p1", "餐饮企业稳岗补贴", "policy", title=["餐饮企业稳岗补贴"])]

    monkeypatch.setattr(sources, "SOURCES", [*sources.SOURCES])
    sources.register_source(policies)
    selectors._state.update(fingerprint=None)
    assert "policy" in {h.kind for h in selectors.search("稳岗补贴")}
