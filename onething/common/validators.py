"""Check digits of the two national identifiers, with messages that name the failing position.

- 公民身份号码, GB 11643-1999: 6-digit region, 8-digit birth date, 3-digit sequence (odd = male)
  and an ISO 7064 MOD 11-2 check character.
- 统一社会信用代码, GB 32100-2015: registration authority, category, 6-digit region, the 9-character
  organisation code (itself carrying a GB 11714 check character) and a MOD 31 check character.

Pure functions, no database: the catalog's form patterns, imports and the demo generator all use them.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError

# First two digits of GB/T 2260 province-level codes (83: 台湾居民居住证).
PROVINCES = {
    *("11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37"),
    *("41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64"),
    *("65", "71", "81", "82", "83"),
}
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"

CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I O S V Z
CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
# Registration authorities (登记管理部门): 1 机构编制 5 民政 9 市场监管 Y 其他, and the later ones.
CREDIT_AUTHORITIES = "123456789ANY"


def id_check_char(first17: str) -> str:
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def id_number_error(value: str, *, today: date | None = None) -> str | None:
    """The first problem with a 公民身份号码, in Chinese, or None when it is valid."""
    value = (value or "").strip().upper()
    if len(value) != 18:
        return f"公民身份号码应为18位，实际为{len(value)}位"
    for pos, ch in enumerate(value[:17], start=1):
        if not ch.isdigit():
            return f"第{pos}位应为数字，实际为“{ch}”"
    if value[17] not in "0123456789X":
        return f"第18位校验码应为数字或X，实际为“{value[17]}”"
    if value[:2] not in PROVINCES:
        return f"第1–2位省级行政区划代码“{value[:2]}”不存在"
    if (problem := _birth_date_error(value[6:14], today or date.today())) is not None:
        return problem
    expected = id_check_char(value[:17])
    if value[17] != expected:
        return f"第18位校验码应为{expected}，实际为{value[17]}"
    return None


def _birth_date_error(digits: str, today: date) -> str | None:
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return f"第7–14位出生日期“{digits}”不是有效日期"
    if born.year < 1900 or born > today:
        return f"第7–14位出生日期“{digits}”超出合理范围"
    return None


def id_birth_date(value: str) -> date:
    return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def id_gender(value: str) -> str:
    """GB 11643: the 17th digit is odd for men and even for women."""
    return "male" if int(value[16]) % 2 else "female"


def _credit_value(ch: str) -> int:
    return CREDIT_CHARS.index(ch)


def credit_check_char(first17: str) -> str:
    total = sum(_credit_value(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARS[(31 - total % 31) % 31]


def org_check_char(first8: str) -> str:
    """GB 11714 check character of a 9-character organisation code (letters A=10 … Z=35)."""
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w
        for c, w in zip(first8, ORG_WEIGHTS, strict=True)
    )
    return {10: "X", 11: "0"}.get(11 - total % 11, str(11 - total % 11))


@dataclass(frozen=True)
class CreditProblem:
    message: str
    checksum: (
        bool  # a check-character failure (overridable for pilot-era codes), not a structural one
    )


def credit_code_problem(value: str) -> CreditProblem | None:
    value = (value or "").strip().upper()
    if len(value) != 18:
        return CreditProblem(f"统一社会信用代码应为18位，实际为{len(value)}位", False)
    for pos, ch in enumerate(value, start=1):
        if ch not in CREDIT_CHARS:
            return CreditProblem(f"第{pos}位字符“{ch}”不允许（不使用 I、O、S、V、Z）", False)
    if (structural := _credit_structure_error(value)) is not None:
        return CreditProblem(structural, False)
    expected = credit_check_char(value[:17])
    if value[17] != expected:
        return CreditProblem(f"第18位校验码应为{expected}，实际为{value[17]}", True)
    org = org_check_char(value[8:16])
    if value[16] != org:
        return CreditProblem(f"第17位（组织机构代码校验码）应为{org}，实际为{value[16]}", True)
    return None


def _credit_structure_error(value: str) -> str | None:
    if value[0] not in CREDIT_AUTHORITIES:
        return f"第1位登记管理部门代码“{value[0]}”不存在"
    if not value[1].isdigit() or value[1] == "0":
        return f"第2位机构类别代码“{value[1]}”不存在"
    if not value[2:8].isdigit():
        return f"第3–8位登记管理机关行政区划码“{value[2:8]}”应为6位数字"
    if value[2:4] not in PROVINCES | {"10"}:
        return f"第3–4位省级行政区划代码“{value[2:4]}”不存在"
    return None


def credit_code_error(value: str, *, allow_checksum_override: bool = False) -> str | None:
    problem = credit_code_problem(value)
    if problem is None or (allow_checksum_override and problem.checksum):
        return None
    return problem.message


def validate_id_number(value: str) -> None:
    if (problem := id_number_error(value)) is not None:
        raise ValidationError(problem, code="id_number")


def validate_credit_code(value: str) -> None:
    if (problem := credit_code_error(value)) is not None:
        raise ValidationError(problem, code="credit_code")


def make_id_number(region: str, born: date, sequence: int) -> str:
    """A valid number for synthetic data: sequence 0–999, odd for men."""
    body = f"{region}{born:%Y%m%d}{sequence:03d}"
    return body + id_check_char(body)


def make_credit_code(region: str, body8: str, *, authority: str = "9", category: str = "1") -> str:
    """A valid code for synthetic data; body8 uses only CREDIT_CHARS without the org check."""
    org = body8 + org_check_char(body8)
    first17 = f"{authority}{category}{region}{org}"
    if org[-1] not in CREDIT_CHARS:  # pragma: no cover - X and 0..9 are all allowed
        raise ValueError(org)
    return first17 + credit_check_char(first17)


def mask_id(value: str) -> str:
    """4201**********123X: the first four and last four characters stay visible."""
    value = value or ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def is_personal_number(code: str, value) -> bool:
    """A face value that identifies a person: any valid 公民身份号码 (whatever the field is called,
    e.g. a driving licence's 证号) or a field named as a phone number."""
    if not isinstance(value, str) or not value:
        return False
    return code.endswith("phone") or (len(value) == 18 and id_number_error(value) is None)
