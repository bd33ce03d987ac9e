from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onething.common import validators as v


@pytest.mark.parametrize("value", ["11010519491231002X", "11010119900307803X"])
def test_published_id_numbers_pass(value):
    assert v.id_number_error(value) is None


def test_a_wrong_id_check_digit_names_the_18th_position():
    assert v.id_number_error("110105194912310021") == "第18位校验码应为X，实际为1"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1101051949123100", "公民身份号码应为18位，实际为16位"),
        ("11010519491231A02X", "第15位应为数字，实际为“A”"),
        ("99010519491231002X", "第1–2位省级行政区划代码“99”不存在"),
        ("110105194913310029", "第7–14位出生日期“19491331”不是有效日期"),
        ("110105289912310021", "第7–14位出生日期“28991231”超出合理范围"),
    ],
)
def test_bad_id_numbers_get_field_level_chinese_messages(value, message):
    assert v.id_number_error(value) == message


def test_published_credit_code_passes():
    assert v.credit_code_problem("91350100M000100Y43") is None


def test_a_wrong_credit_check_character_is_named_and_overridable():
    problem = v.credit_code_problem("91350100M000100Y44")
    assert problem.message == "第18位校验码应为3，实际为4"
    assert problem.checksum
    assert v.credit_code_error("91350100M000100Y44", allow_checksum_override=True) is None
    assert v.credit_code_error("91350100M000100Y44") == "第18位校验码应为3，实际为4"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("91350100M000100Y4", "统一社会信用代码应为18位，实际为17位"),
        ("91350100M0001O0Y43", "第14位字符“O”不允许（不使用 I、O、S、V、Z）"),
        ("B1350100M000100Y43", "第1位登记管理部门代码“B”不存在"),
        ("90350100M000100Y43", "第2位机构类别代码“0”不存在"),
    ],
)
def test_structural_credit_code_errors_are_never_overridable(value, message):
    assert v.credit_code_error(value, allow_checksum_override=True) == message


def test_an_inner_organisation_code_error_is_named():
    # Recompute position 18 so only the GB 11714 check (position 17) is wrong.
    first17 = "91350100M000100Y5"
    code = first17 + v.credit_check_char(first17)
    assert v.credit_code_error(code) == "第17位（组织机构代码校验码）应为4，实际为5"


def test_mask_keeps_first_and_last_four():
    assert v.mask_id("42010219900307123X") == "4201**********123X"


def test_gender_and_birth_date_come_from_the_number():
    assert v.id_gender("11010519491231002X") == "female"
    assert v.id_birth_date("11010519491231002X") == date(1949, 12, 31)


ids = st.builds(
    v.make_id_number,
    st.sampled_from(["420102", "420106", "110105", "440524", "429004"]),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2024, 12, 31)),
    st.integers(0, 999),
)
credits = st.builds(
    v.make_credit_code,
    st.sampled_from(["420102", "420100", "350100", "110000"]),
    st.text(alphabet=v.CREDIT_CHARS, min_size=8, max_size=8),
    authority=st.sampled_from("159Y"),
    category=st.sampled_from("123"),
)


@given(ids)
def test_generated_id_numbers_pass(value):
    assert v.id_number_error(value) is None


@given(ids, st.integers(0, 17), st.sampled_from("0123456789X"))
def test_any_single_character_change_in_an_id_number_fails(value, pos, ch):
    changed = value[:pos] + ch + value[pos + 1 :]
    if changed != value:
        assert v.id_number_error(changed) is not None


@given(credits)
def test_generated_credit_codes_pass(value):
    assert v.credit_code_problem(value) is None


@given(credits, st.integers(0, 17), st.sampled_from(v.CREDIT_CHARS))
def test_any_single_character_change_in_a_credit_code_fails(value, pos, ch):
    changed = value[:pos] + ch + value[pos + 1 :]
    if changed != value:
        assert v.credit_code_problem(changed) is not None
