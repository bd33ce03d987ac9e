"""The page checker itself: what it lets through and what it stops."""

import pytest

from .checker import problems


@pytest.mark.parametrize(
    "text",
    [
        "统一社会信用代码 91420102MA4KCW7P4Q 来自经营主体信息",
        "证照编号 JY14201020001234 · 下载 PDF · 下载流程 BPMN · API 文档",
        "身份码：p5001:1xaO6E:3qxkPjm-H-hiBEYGxOc7WAmIcyeo8fjK_NpESyMvcNU",
        "办件 420102-20261205-900112 已办结；导出 xlsx；SM2 签章有效",
        "API 文档：http://127.0.0.1:8000/api/docs",
        "纳税信用等级\tB级 ⏎ 高新技术企业\t否",
    ],
)
def test_real_latin_text_passes(text):
    assert problems(text) == []


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("企业类型：llc", "«llc»"),
        ("未满足：就业状态 属于 [unemployed, ]：不满足（实际 employed）", "«unemployed»"),
        ("时间线：market-business-registration 已准予", "«market»"),
        ("审批意见：{'opinion': '同意'}", "Python dict"),
        ("备注：None", "Python constant"),
        ("Not Found\nThe requested resource was not found on this server.", "«Not»"),
        ("Server Error (500)", "«Server»"),
        ("CATALOG 一件事 Rollout", "«CATALOG»"),
        ("{{ case.number }}", "template tag"),
        ("纳税信用等级 B", "«B»"),  # a letter is a grade only as 某级
    ],
)
def test_raw_codes_english_and_literals_are_found(text, what):
    found = problems(text)
    assert any(what in f for f in found), found
