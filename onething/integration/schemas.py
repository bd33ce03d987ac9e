"""The published JSON Schemas (``schemas/*.schema.json``) and validation with Chinese messages."""

import json
from functools import cache
from pathlib import Path

import jsonschema_rs

DIR = Path(__file__).parent / "schemas"
KIND_TEXT = {
    "Required": "缺少必填项",
    "Type": "类型不正确",
    "Enum": "取值不在允许范围内",
    "Constant": "取值不正确",
    "FalseSchema": "不允许的字段",
    "MinLength": "不能为空",
    "MaxLength": "过长",
    "Minimum": "应为正整数",
    "Pattern": "格式不正确",
    "AdditionalProperties": "不允许的字段",
}


@cache
def schema(name: str) -> dict:
    return json.loads((DIR / f"{name}.schema.json").read_text(encoding="utf-8"))


@cache
def _validator(name: str):
    return jsonschema_rs.validator_for(schema(name))


def problems(name: str, instance) -> dict[str, str]:
    """field path → Chinese description of what is wrong; empty when valid."""
    out: dict[str, str] = {}
    for err in _validator(name).iter_errors(instance):
        path = ".".join(str(p) for p in err.instance_path)
        kind = type(err.kind).__name__
        if kind == "Required":
            missing = err.message.split('"')[1] if '"' in err.message else ""
            path = ".".join(x for x in (path, missing) if x)
        out.setdefault(path or "body", KIND_TEXT.get(kind, "不符合规范"))
    return out
