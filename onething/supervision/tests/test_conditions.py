"""Warning rules' conditions read as Chinese sentences on the rules page."""

import pytest

from onething.supervision import services
from onething.supervision.conditions import condition_text


def test_a_comparison_reads_with_the_attribute_label_without_its_hint():
    condition = {"<=": [{"var": "task.days_left"}, 1]}
    assert condition_text(condition, "task") == "距期限剩余工作日 ≤ 1"


def test_the_threshold_is_filled_in_and_a_status_is_named():
    condition = {
        "and": [
            {"==": [{"var": "task.status"}, "active"]},
            {">=": [{"var": "task.elapsed_share"}, {"var": "rule.threshold"}]},
        ]
    }
    assert condition_text(condition, "task", 0.8) == "任务状态 = 审批中，且 已用时限比例 ≥ 0.8"


def test_without_a_threshold_the_rule_threshold_is_named():
    condition = {">": [{"var": "ticket.minutes_unsigned"}, {"var": "rule.threshold"}]}
    assert condition_text(condition, "ticket") == "未签收分钟数 > 规则阈值"


def test_flags_read_as_statements_and_negations_with_bing_fei():
    condition = {"or": [{"!": {"var": "ticket.emergency"}}, {"var": "ticket.emergency"}]}
    assert condition_text(condition, "ticket") == "并非紧急，或 紧急"
    both = {"and": [{"var": "task.external"}, {"var": "task.system_unreachable"}]}
    assert condition_text(both, "task") == "由部门业务系统办理，且 办理系统不可达"


def test_a_nested_group_is_bracketed_and_a_status_list_named():
    condition = {
        "and": [
            {"in": [{"var": "case.status"}, ["processing", "submitted"]]},
            {"or": [{">": [{"var": "case.overdue_days"}, 2]}, {"var": "case.flagged"}]},
        ]
    }
    assert condition_text(condition, "case") == (
        "办件状态 属于 [办理中, 待受理]，且 （超期工作日 > 2，或 需复核）"
    )


def test_an_unknown_attribute_falls_back_to_its_name():
    assert condition_text({">": [{"var": "task.mystery"}, 3]}, "task") == "task.mystery > 3"


@pytest.mark.django_db
def test_the_rules_page_shows_sentences_and_keeps_the_json_folded(client, sam):
    services.default_rules_ensure()
    client.force_login(sam)
    html = client.get("/supervision/rules/").content.decode()
    assert "任务状态 = 审批中，且 超期工作日 &gt; 0" in html
    assert "紧急，且 未办结分钟数 &gt; 120" in html
    folded = html.split("<details>", 1)[1].split("</details>", 1)[0]
    assert "JsonLogic 原文" in folded and "&quot;var&quot;" in folded
