"""Licence identifiers in the spirit of GB/T 36903 (电子证照标识):

    <type code>.<issuing department code>.<serial, 8 digits>.<version, 2 digits>.<check>
    driving_license.420102-public_security.00000042.01.K

The check character is ISO 7064 MOD 37,36 over the letters and digits of the first four parts, so a
mistyped character or a swap of two neighbours is caught before any database look-up.
"""

import re

ALNUM = "0123456789abcdefghijklmnopqrstuvwxyz"
SHAPE = re.compile(r"^([a-z0-9][a-z0-9_-]*)\.([a-z0-9][a-z0-9_-]*)\.(\d{8})\.(\d{2})\.([0-9A-Z])$")


def check_char(body: str) -> str:
    p = 36
    for ch in body.lower():
        if ch in ALNUM:
            s = (p + ALNUM.index(ch)) % 36 or 36
            p = (2 * s) % 37
    return ALNUM[(1 - p) % 36].upper()


def build(*, type_code: str, department_code: str, serial: int, version: int) -> str:
    body = f"{type_code}.{department_code}.{serial:08d}.{version:02d}"
    return f"{body}.{check_char(body)}"


def problem(identifier: str) -> str | None:
    """Why this cannot be a licence identifier, in Chinese; None when the shape and check hold."""
    match = SHAPE.match(identifier or "")
    if match is None:
        return "证照标识格式不正确"
    body, given = identifier.rsplit(".", 1)
    if check_char(body) != given:
        return f"证照标识校验位应为{check_char(body)}，实际为{given}"
    return None
