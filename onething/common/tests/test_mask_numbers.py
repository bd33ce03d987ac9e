"""ID and mobile numbers typed into free text: found by pattern and check digit, masked as on
receipts; everything else that looks numeric (credit codes, case numbers, amounts) is left alone."""

import re
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from onething.common.security import mask_numbers_in_data, mask_numbers_in_text
from onething.common.validators import id_number_error, make_credit_code, make_id_number

ID = make_id_number("420102", date(1990, 1, 1), 123)
ID_MASKED = ID[:4] + "*" * 10 + ID[-4:]
PHONE = "13812345678"


def test_an_id_number_in_a_sentence_is_masked_to_region_and_last_four():
    text = f"申请人身份证号{ID}，请核实。"
    assert mask_numbers_in_text(text) == f"申请人身份证号{ID_MASKED}，请核实。"


def test_a_lowercase_check_x_and_full_width_digits_count_too():
    with_x = make_id_number("420106", date(1985, 3, 4), 7)
    while not with_x.endswith("X"):
        with_x = make_id_number("420106", date(1985, 3, 4), int(with_x[14:17]) + 1)
    assert mask_numbers_in_text(with_x.lower()) == with_x[:4] + "*" * 10 + with_x[-4:]
    full_width = PHONE.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert mask_numbers_in_text(f"电话{full_width}") == "电话138****5678"


def test_mobile_numbers_are_masked_however_they_are_written():
    cases = {
        f"联系电话{PHONE}。": "联系电话138****5678。",
        "请拨 138 1234 5678 找我": "请拨 138****5678 找我",
        "手机138-1234-5678": "手机138****5678",
        "+86 138-1234-5678": "+86 138****5678",
        "+8613812345678": "+86138****5678",
        "86 13812345678": "86 138****5678",
        f"{PHONE}和13987654321": "138****5678和139****4321",
    }
    for text, masked in cases.items():
        assert mask_numbers_in_text(text) == masked, text


def test_numbers_that_belong_to_something_else_are_left_alone():
    untouched = [
        f"统一社会信用代码{make_credit_code('420102', 'MA4K1234')}",
        "办件编号 420102-20261207-000123 已受理",
        "工单 20261207000123，金额13500000000.00元",
        "食品经营许可证号JY14201020012345",
        f"订单号{ID}7",  # 19 digits: not an ID number
        f"A{PHONE}",
        f"{PHONE}5",
        "座机027-85551234，邮编430014",
        ID[:17] + ("1" if ID[17] != "1" else "2"),  # wrong check digit
        "",
    ]
    for text in untouched:
        assert mask_numbers_in_text(text) == text, text


def test_json_documents_are_masked_at_any_depth_and_keep_their_shape():
    data = {"opinion": f"申请人{PHONE}", "result": {"license": "L-1", "ids": [ID, 3]}, "n": None}
    assert mask_numbers_in_data(data) == {
        "opinion": "申请人138****5678",
        "result": {"license": "L-1", "ids": [ID_MASKED, 3]},
        "n": None,
    }


# ---- properties ---------------------------------------------------------------------------

CHINESE = st.text(
    alphabet="的是一在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可申请电话号码身份证，。、；：！？（）“” ",
    max_size=12,
)
TYPED_ID = st.builds(
    make_id_number,
    st.sampled_from(["420102", "110101", "440305", "510104"]),
    st.dates(date(1930, 1, 1), date(2020, 12, 31)),
    st.integers(0, 999),
)
TYPED_PHONE = st.builds(
    lambda prefix, head, rest, sep, cc: f"{cc}{prefix}{head}{sep}{rest[:4]}{sep}{rest[4:]}",
    st.just("1"),
    st.integers(30, 99).map(str),
    st.integers(0, 10**8 - 1).map(lambda n: f"{n:08d}"),
    st.sampled_from(["", " ", "-"]),
    st.sampled_from(["", "+86 ", "86", "+86-"]),
)
OTHER_NUMBERS = st.one_of(
    st.integers(0, 10**10 - 1).map(str),  # at most 10 digits: an amount, a count, a year
    # 12–17 digits: order and ticket numbers (86 + a mobile number is a mobile number)
    st.integers(10**11, 10**17 - 1).map(str).filter(lambda s: not re.match(r"861[3-9]", s)),
    st.builds(make_credit_code, st.just("420102"), st.sampled_from(["MA4K1234", "7A6B5C4D"])),
    st.just("420102-20261207-000123"),
)


def _free_text(numbers):
    return st.lists(st.tuples(CHINESE, numbers), max_size=5).map(
        lambda parts: "。".join(f"{words}{number}" for words, number in parts)
    )


@given(_free_text(st.one_of(TYPED_ID, TYPED_PHONE, OTHER_NUMBERS)))
def test_masking_twice_is_masking_once(text):
    once = mask_numbers_in_text(text)
    assert mask_numbers_in_text(once) == once


@given(_free_text(OTHER_NUMBERS))
def test_text_without_id_or_mobile_numbers_is_never_changed(text):
    assert mask_numbers_in_text(text) == text


@given(st.lists(st.tuples(CHINESE, st.one_of(TYPED_ID, TYPED_PHONE)), min_size=1, max_size=5))
def test_no_typed_id_or_mobile_number_survives(parts):
    text = "；".join(f"{words}{number}" for words, number in parts)
    out = mask_numbers_in_text(text)
    squeezed = out.replace(" ", "").replace("-", "")
    for _, number in parts:
        digits = number.replace(" ", "").replace("-", "").removeprefix("+86").removeprefix("86")
        assert digits[-11:] not in squeezed
    runs = [r for r in _digit_runs(out) if len(r) == 18]
    assert all(id_number_error(r) is not None for r in runs)


def _digit_runs(text: str) -> list[str]:
    return re.findall(r"[0-9Xx]+", text)
