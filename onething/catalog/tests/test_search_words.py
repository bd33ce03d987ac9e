"""The catalog list finds one-things by the words people use, not only by their official names."""

import re

import pytest

from onething.catalog import selectors
from onething.catalog.models import OneThing


@pytest.fixture
def standard(standard_catalog):
    return standard_catalog


@pytest.mark.parametrize(
    ("words", "code"),
    [
        ("开饭店", "open-restaurant"),  # a 俗称
        ("我想开个火锅店", "open-restaurant"),  # a 俗称 inside a sentence
        ("孩子出生", "newborn-birth"),  # no 俗称: its words, 出生
        ("注销公司", "enterprise-deregistration"),
        ("餐饮证", "open-restaurant"),  # a synonym of 食品经营许可, a keyword
    ],
)
def test_everyday_words_find_the_one_thing(standard, words, code):
    assert code in selectors.codes_matching(words)


def test_the_list_page_searches_by_everyday_words(standard, client):
    html = client.get("/onethings/", {"q": "开饭店"}).content.decode()
    assert "开办餐饮店" in html and "没有找到" not in html


def test_nothing_found_points_to_the_assistant_and_shows_no_averages(standard, client):
    html = client.get("/onethings/", {"q": "火星移民"}).content.decode()
    assert "共 0 个一件事。" in html and "平均压减" not in html
    assert 'href="/assistant/"' in html and "智能导办" in html


def _listed(client, q: str) -> list[str]:
    """The one-things' names as the list page shows them, top to bottom."""
    html = client.get("/onethings/", {"q": q}).content.decode()
    return re.findall(r'<a class="tile"[^>]*>\s*<h3>(.*?)</h3>', html)  # not the 一类事 tiles


def test_a_search_lists_the_one_thing_it_names_first(standard, client):
    assert _listed(client, "开饭店")[0] == "开办餐饮店"
    assert _listed(client, "注销公司")[0] == "企业注销登记"  # its 俗称, before other 注销 matches
    # 餐饮证 means 食品经营许可: a keyword of 开办餐饮店, only words in 开办养老机构's description.
    listed = _listed(client, "餐饮证")
    assert listed[0] == "开办餐饮店" and listed.index("开办养老机构") > 0


def test_a_search_by_words_lists_first_the_one_thing_matching_more_of_them(standard, client):
    listed = _listed(client, "孩子出生")
    assert listed[0] == "新生儿出生"  # 孩子 (its 俗称 生孩子) and 出生; 收养登记 only 孩子
    assert listed.index("新生儿出生") < listed.index("收养登记")
    matched = [sum(w in " ".join(_texts(name)) for w in ("孩子", "出生")) for name in listed]
    assert matched == sorted(matched, reverse=True)


def test_a_one_thing_named_by_the_search_comes_before_one_that_only_mentions_it(standard, client):
    listed = _listed(client, "出生")
    # 出生 is in the name of 新生儿出生, only in the description of 生育服务 (earlier in the catalog).
    assert listed.index("新生儿出生") == 0
    assert listed.index("生育服务（生育登记和育儿补贴）") > 0


def _texts(name: str) -> list[str]:
    ot = OneThing.objects.get(name=name)
    return [ot.name, ot.description, *(ot.aliases or []), *(ot.keywords or [])]
