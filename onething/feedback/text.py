"""Input checks for free text, and the similarity used to spot duplicate tickets."""

import re

from onething.common.errors import Unprocessable
from onething.common.inputs import has_control

# Bigrams across punctuation and spaces would match any two tickets that share commas.
NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def checked(value, *, field: str, label: str, limit: int, required: bool = False) -> str:
    """The text as given (escaping happens on output), or a 422 naming the field."""
    text = "" if value is None else str(value)
    if required and not text.strip():
        raise Unprocessable(f"请填写{label}", fields={field: "必填"})
    if len(text) > limit:
        raise Unprocessable(
            f"{label}不能超过 {limit} 个字（当前 {len(text)} 个）",
            fields={field: f"最多 {limit} 个字"},
        )
    if has_control(text):
        raise Unprocessable(
            f"{label}含有不可见的控制字符，请删除后重试", fields={field: "含控制字符"}
        )
    return text


def bigrams(text: str) -> set[str]:
    compact = NOISE.sub("", text.lower())
    if len(compact) < 2:
        return {compact} if compact else set()
    return {compact[i : i + 2] for i in range(len(compact) - 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
