"""Explanations use the catalog's labels; a near miss is one condition away and close."""

import pytest

from onething.policies import holders

PERSON = holders.wording_for("person")
ENTITY = holders.wording_for("entity")
UNEMPLOYED = {"in": [{"var": "employment_status"}, ["unemployed", ""]]}
ELDERLY = {"and": [{">=": [{"var": "age"}, 80]}, {"==": [{"var": "household_province"}, "42"]}]}


def test_explanation_uses_option_labels_not_codes():
    explanation = PERSON.explain({"and": [UNEMPLOYED]}, {"employment_status": "employed"})
    assert explanation.lines == ["就业状态 属于 失业、空：不满足（实际 在职）"]
    married = PERSON.explain(
        {"==": [{"var": "marital_status"}, "married"]}, {"marital_status": "married"}
    )
    assert married.lines == ["婚姻状况 = 已婚：满足（实际 已婚）"]
    flag = ENTITY.explain({"==": [{"var": "is_high_tech"}, True]}, {"is_high_tech": False})
    assert flag.lines == ["高新技术企业 = 是：不满足（实际 否）"]


@pytest.mark.parametrize(
    ("age", "near"),
    [(38, False), (71, False), (72, True), (79, True), (None, False)],
)
def test_numeric_near_miss_needs_the_value_within_ten_percent(age, near):
    record = {"age": age, "household_province": "42"}
    assert PERSON.near_miss(ELDERLY, record) is near
    between = {"and": [{"<=": [80, {"var": "age"}, 89]}]}
    assert PERSON.near_miss(between, record) is near


def test_two_failed_conditions_are_never_a_near_miss():
    assert not PERSON.near_miss(ELDERLY, {"age": 79, "household_province": "11"})


def test_option_near_miss_is_one_option_away_in_catalog_order():
    rule = {"and": [{"in": [{"var": "education"}, ["college", "bachelor", "postgraduate"]]}]}
    assert PERSON.near_miss(rule, {"education": "senior"})  # 高中 is next to 大专
    assert not PERSON.near_miss(rule, {"education": "primary"})
    assert not PERSON.near_miss(rule, {"education": None})


def test_flags_are_close_regions_are_not():
    assert ENTITY.near_miss(
        {"and": [{"==": [{"var": "is_high_tech"}, True]}]}, {"is_high_tech": False}
    )
    region = {"and": [{"in": [{"var": "registered_region"}, ["420102"]]}]}
    assert not ENTITY.near_miss(region, {"registered_region": "420103"})


def test_regions_are_named_not_coded(regions):
    explanation = PERSON.explain(
        {"==": [{"var": "household_province"}, "42"]}, {"household_province": "42"}
    )
    assert explanation.lines == ["户籍地所在省 = 湖北省：满足（实际 湖北省）"]
    assert ENTITY.value("registered_region", "420102") == "武汉市江岸区"
    assert ENTITY.value("registered_city", "420100") == "武汉市"
