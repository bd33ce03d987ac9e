"""The catalog list finds one-things by the words people use, not only by their official names."""

import pytest

from onething.catalog import selectors


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
