"""What a person must never read on a page: raw codes, English defaults, Python literals.

`problems(text)` looks at a page's visible text (``document.body.innerText`` plus the title) and
returns what is wrong in it. Latin text is allowed only where it is real: licence numbers, credit
codes, identity codes and case numbers (letters mixed with digits), and the words below that
Chinese government pages do use as they are.
"""

import re

# Latin words a Chinese page legitimately shows as they are.
ALLOWED_WORDS = {
    "API",
    "PDF",
    "BPMN",
    "OFD",
    "JSON",
    "XML",
    "xlsx",
    "XLSX",
    "Excel",
    "SM2",
    "SM3",
    "SM4",
    "ID",
    "QR",
    "TOTP",
    "OpenID",
    "Connect",
    "OIDC",
    "APP",
    "App",
    "Web",
    "onething",
    "GB",
    "T",
    "CA",
    "IP",
    "URL",
    "HTTP",
    "HTTPS",
    "PNG",
    "JPEG",
    "JPG",
    "ZIP",
    "ECharts",
    "htmx",
    "Bearer",
    "km",
    "kg",
    "m",
    "cm",
    "mm",
    "kW",
    "kV",
    "No",
    "V",
    "v",
    "x",
}

# Python and template leftovers: repr of dicts/lists/None/dates, unrendered template tags.
LITERALS = [
    (re.compile(r"\{'[^']*':"), "Python dict"),
    (re.compile(r"\[\s*'[^']*'\s*(,|\])"), "Python list"),
    (re.compile(r"\b(None|True|False)\b"), "Python constant"),
    (re.compile(r"\b(datetime|Decimal|OrderedDict|UUID)\("), "Python repr"),
    (re.compile(r"<[A-Za-z_.]+ object at 0x"), "Python object repr"),
    (re.compile(r"\{\{|\}\}|\{%|%\}"), "template tag"),
    (re.compile(r"\bnan\b|\bNaN\b|\bundefined\b|\bnull\b"), "JavaScript/NumPy value"),
]

URL = re.compile(r"https?://\S+|\b[\w.-]+@[\w-]+(\.[\w-]+)+\b")
# A token a person may be shown to read or type: contains a digit (licence and case numbers,
# credit codes, SM2, the signed identity code) and no lowercase-only word parts like `llc`.
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_:+/=.\-]*")
LATIN = re.compile(r"[A-Za-z]")


def _code_like(token: str) -> bool:
    """A value, not a word: digits in it (91420102MA4KCW7P4Q, JY14201020001234, p5001:…)."""
    if not any(ch.isdigit() for ch in token):
        return False
    words = re.findall(r"[a-z]{3,}", token)
    # `market-business-registration2`, `level_2` are code names, not values.
    return not any(len(w) >= 4 and w.isalpha() and w.islower() for w in words) or len(token) >= 24


def _grade(text: str, m: re.Match) -> bool:
    """A grade named by its letter: 纳税信用 A级、B级、M级、C级、D级 (《纳税信用管理办法》)."""
    return len(m.group(0)) == 1 and m.group(0).isupper() and text[m.end() : m.end() + 1] == "级"


def problems(text: str) -> list[str]:
    """One line per distinct finding, with the text around its first occurrence."""
    found: dict[str, str] = {}
    for pattern, what in LITERALS:
        for m in pattern.finditer(text):
            found.setdefault(f"{what} «{m.group(0)}»", _around(text, m.start(), m.end()))
    plain = URL.sub(" ", text)
    for m in TOKEN.finditer(plain):
        token = m.group(0).strip(".-:/")
        if not token or not LATIN.search(token) or _code_like(token) or _grade(plain, m):
            continue
        for word in re.split(r"[_:+/=.\-]+", token):
            if word and LATIN.search(word) and word not in ALLOWED_WORDS:
                found.setdefault(f"Latin text «{word}»", _around(plain, *m.span()))
                break
    return [f"{what} in: {context}" for what, context in found.items()]


def _around(text: str, start: int, end: int, width: int = 30) -> str:
    return text[max(0, start - width) : end + width].replace("\n", " ⏎ ")
