import json
from pathlib import Path

import pytest

from onething.rules import services

CASES = [
    case
    for case in json.loads((Path(__file__).parent / "data" / "jsonlogic-tests.json").read_text())
    if isinstance(case, list)
]


def json_equal(a, b) -> bool:
    """Deep equality that, like JSON, tells booleans from numbers (true is not 1)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def test_suite_has_277_cases():
    assert len(CASES) == 277


@pytest.mark.parametrize(
    ("rule", "data", "expected"), CASES, ids=[json.dumps(c[0])[:60] for c in CASES]
)
def test_conformance(rule, data, expected):
    assert json_equal(services.evaluate(rule, data), expected)
