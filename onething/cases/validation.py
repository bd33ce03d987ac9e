"""Formal checks (形式审查) of a submitted form: the blueprint's JSON schema plus check digits."""

import re
from datetime import date
from decimal import Decimal, InvalidOperation

ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def id_number_ok(value: str) -> bool:
    """GB 11643: 17 digits, a valid birth date and the ISO 7064 MOD 11-2 check character."""
    value = (value or "").upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    total = sum(int(c) * w for c, w in zip(value[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11] == value[17]


def credit_code_ok(value: str) -> bool:
    """GB 32100: 18 characters from the code set, last one a MOD 31 check character."""
    value = (value or "").upper()
    if len(value) != 18 or any(c not in CREDIT_CHARS for c in value):
        return False
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(value[:17], CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARS[(31 - total % 31) % 31] == value[17]


def _registry_validator(name: str):
    # The registry ships the authoritative validators (with precise messages); prefer them.
    try:
        from onething.common import validators
    except ImportError:
        return None
    return getattr(validators, name, None)


def id_number_problem(value: str) -> str | None:
    fn = _registry_validator("id_number_error")
    if fn is not None:
        return fn(value)
    return None if id_number_ok(value) else "公民身份号码不正确（校验位不符）"


def credit_code_problem(value: str) -> str | None:
    fn = _registry_validator("credit_code_error")
    if fn is not None:
        return fn(value)
    return None if credit_code_ok(value) else "统一社会信用代码不正确（校验位不符）"


def check_id_number(value: str) -> bool:
    return id_number_problem(value) is None


def check_credit_code(value: str) -> bool:
    return credit_code_problem(value) is None


def _number(value, integer: bool):
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    if integer and number != number.to_integral_value():
        return None
    return number


def field_error(schema: dict, value) -> str | None:
    """The Chinese problem with one value, or None."""
    kind = schema.get("type")
    if kind in ("number", "integer"):
        number = _number(value, kind == "integer")
        if number is None:
            return "应为整数" if kind == "integer" else "应为数字"
        return "不能为负数" if number < schema.get("minimum", 0) else None
    if kind == "boolean":
        return None if isinstance(value, bool) or value in ("true", "false") else "应为是或否"
    if not isinstance(value, str):
        return "应为文本"
    return _string_error(schema, value)


def _string_error(schema: dict, value: str) -> str | None:
    fmt = schema.get("format")
    if "enum" in schema and value not in schema["enum"]:
        return "不是可选的值"
    if len(value) > schema.get("maxLength", 10_000):
        return f"不能超过{schema['maxLength']}个字"
    if fmt == "id_number":
        return id_number_problem(value)
    if fmt == "credit_code":
        return credit_code_problem(value)
    if fmt == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            return "日期格式应为 YYYY-MM-DD"
    if "pattern" in schema and not re.fullmatch(schema["pattern"], value):
        return "格式不正确"
    return None


def form_problems(form_schema: dict, form: dict) -> dict[str, str]:
    """{field: problem} for missing required fields, unknown fields and bad values."""
    properties = form_schema.get("properties", {})
    problems = {f"form.{k}": "不是本事项的表单字段" for k in form if k not in properties}
    for code in form_schema.get("required", []):
        if form.get(code) in (None, ""):
            problems[f"form.{code}"] = f"请填写{properties[code]['title']}"
    for code, value in form.items():
        if code in properties and value not in (None, ""):
            error = field_error(properties[code], value)
            if error:
                problems[f"form.{code}"] = f"{properties[code]['title']}：{error}"
    return problems


def same_value(a, b) -> bool:
    """Equal by meaning, as a form posts it: 50 = 50.0 = "50", " 张三 " = "张三",
    date(2021, 3, 18) = "2021-03-18", True = "true"."""
    if a == b:
        return True
    left, right = _meaning(a), _meaning(b)
    return left is not None and left == right


def _meaning(value):
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip() if value is not None else ""
    number = _number(text, False) if text else None
    if number is not None and number.is_finite():
        return number.normalize()
    return text.lower() if text in ("True", "False") else text
