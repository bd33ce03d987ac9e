"""What screens and logs show instead of personal numbers, names and addresses."""

import re
import unicodedata


def mask_id_number(value: str | None) -> str:
    """420102199001011234 → 4201**********1234: region and last four, as on receipts."""
    value = (value or "").strip()
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str:
    """13812345678 → 138****5678."""
    value = (value or "").strip()
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str | None) -> str:
    """张晓明 → 张**; a single character stays (it identifies no one)."""
    value = (value or "").strip()
    return value[:1] + "*" * (len(value) - 1) if len(value) > 1 else value


# People type numbers in full-width digits too (Chinese input methods); both count. A number
# glued to other letters or digits, or to a decimal point, belongs to something else: a 统一社会
# 信用代码, a licence or case number, an amount.
_ALNUM = "0-9A-Za-z０-９Ａ-Ｚａ-ｚ"
_DIGIT = "[0-9０-９]"
_SEP = "[ \\-－]?"
_ALONE_BEFORE = rf"(?<![{_ALNUM}])(?<![0-9０-９][.．])"
_ALONE_AFTER = rf"(?![{_ALNUM}])(?![.．][0-9０-９])"
ID_IN_TEXT = re.compile(rf"{_ALONE_BEFORE}{_DIGIT}{{17}}[0-9０-９XxＸｘ]{_ALONE_AFTER}")
MOBILE_IN_TEXT = re.compile(
    rf"{_ALONE_BEFORE}(?P<prefix>[+＋]?[8８][6６]{_SEP})?"
    rf"(?P<number>[1１][3-9３-９]{_DIGIT}{_SEP}{_DIGIT}{{4}}{_SEP}{_DIGIT}{{4}}){_ALONE_AFTER}"
)


def _ascii_digits(value: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", value) if c.isalnum()).upper()


def _masked_id(match: re.Match) -> str:
    # An 18-digit run is only an ID number when its check digit says so (not an order number).
    # Imported here: common is the base layer, and the GB 11643 check lives with the registry.
    from onething.common.validators import id_number_error

    number = _ascii_digits(match.group())
    return mask_id_number(number) if id_number_error(number) is None else match.group()


def _masked_mobile(match: re.Match) -> str:
    return (match["prefix"] or "") + mask_phone(_ascii_digits(match["number"]))


def mask_numbers_in_text(text: str) -> str:
    """ID numbers (valid check digit) and mainland mobile numbers inside free text, masked as
    elsewhere: "请致电13812345678" → "请致电138****5678". The stored text is never changed."""
    if not text:
        return text
    return MOBILE_IN_TEXT.sub(_masked_mobile, ID_IN_TEXT.sub(_masked_id, text))


def mask_numbers_in_data(value):
    """The same inside a JSON document (event data, a task's result): every string, any depth."""
    if isinstance(value, str):
        return mask_numbers_in_text(value)
    if isinstance(value, dict):
        return {k: mask_numbers_in_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_numbers_in_data(v) for v in value]
    return value


def holds_numbers(value) -> bool:
    """Whether masking changes the value: a full view of it is then a sensitive read."""
    return mask_numbers_in_data(value) != value


def typed_text(value, *, full: bool):
    """What someone typed: as typed for a full view, with its numbers masked otherwise."""
    return value if full else mask_numbers_in_data(value)


def masked_timeline(events: list[dict], *, full: bool = False) -> list[dict]:
    """A timeline's events (``{"verb", "data", …}``) with the numbers in their data masked."""
    return events if full else [{**e, "data": mask_numbers_in_data(e["data"])} for e in events]


def mask_email(value: str | None) -> str:
    """zhang.san@example.com → z*******@example.com: the domain stays (it routes, not identifies)."""
    local, at, domain = (value or "").strip().partition("@")
    if not at:
        return mask_phone(local)
    return local[:1] + "*" * max(len(local) - 1, 1) + "@" + domain
