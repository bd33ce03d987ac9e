from django.db import models


class WarningLevel(models.TextChoices):
    YELLOW = "yellow", "黄色预警"
    RED = "red", "红色预警"


class WarningStatus(models.TextChoices):
    OPEN = "open", "待处理"
    ACKNOWLEDGED = "acknowledged", "已确认"
    RESOLVED = "resolved", "已解除"


class Target(models.TextChoices):
    CASE = "case", "办件"
    TASK = "task", "审批任务"
    COMMITMENT = "commitment", "告知承诺"
    TICKET = "ticket", "12345工单"


# The attribute names a warning rule may read, per target (documented in docs/supervision.md).
# Every object also carries `rule.threshold` (the rule's editable threshold) and `now.*`.
ATTRIBUTES = {
    Target.CASE: {
        "case.number": "办件编号",
        "case.onething": "一件事编码",
        "case.status": "办件状态",
        "case.channel": "申请渠道",
        "case.region": "办理地区划代码",
        "case.cross_region": "是否跨域（受理地≠办理地）",
        "case.tolerance": "是否容缺受理",
        "case.flagged": "是否需复核",
        "case.promised_days": "承诺时限（工作日）",
        "case.elapsed_days": "已用工作日",
        "case.elapsed_share": "已用时限比例（0–1+）",
        "case.days_left": "距办结期限剩余工作日（逾期为负）",
        "case.overdue_days": "超期工作日（未超期为0）",
    },
    Target.TASK: {
        "task.item": "事项编码",
        "task.status": "任务状态",
        "task.department": "办理部门编码",
        "task.days": "承诺时限（工作日）",
        "task.elapsed_days": "已用工作日（扣除补正暂停）",
        "task.elapsed_share": "已用时限比例（0–1+）",
        "task.days_left": "距期限剩余工作日（逾期为负）",
        "task.overdue_days": "超期工作日（未超期为0）",
        "task.flagged": "是否需复核",
        "task.external": "是否由部门业务系统办理",
        "task.system": "办理系统编码",
        "task.system_unreachable": "办理系统是否不可达",
        "task.reconcile_mismatch": "对账是否发现差异",
        "case.number": "办件编号",
        "case.onething": "一件事编码",
        "case.region": "办理地区划代码",
        "case.cross_region": "是否跨域",
    },
    Target.COMMITMENT: {
        "commitment.material": "材料编码",
        "commitment.status": "承诺状态",
        "commitment.days_left": "距承诺期限剩余自然日（逾期为负）",
        "commitment.days_overdue": "逾期自然日（未逾期为0）",
        "commitment.breached": "是否已认定未履行",
        "case.number": "办件编号",
        "case.onething": "一件事编码",
        "case.region": "办理地区划代码",
    },
    Target.TICKET: {
        "ticket.status": "工单状态",
        "ticket.emergency": "是否紧急",
        "ticket.minutes_open": "自登记起分钟数",
        "ticket.minutes_unsigned": "未签收分钟数（已签收为0）",
        "ticket.minutes_unhandled": "未办结分钟数（已办结为0）",
        "ticket.hours_without_feedback": "未反馈小时数（已反馈为0）",
        "ticket.region": "区划代码",
    },
}
COMMON_ATTRIBUTES = {"rule.threshold": "规则阈值", "now.hour": "当前小时（0–23）"}

# Dashboard filters: months back by default, and the widest range one request may ask for.
DEFAULT_MONTHS = 12
MAX_MONTHS = 60

PANELS = {
    "overview": "总体情况",
    "by_onething": "分一件事办件量",
    "by_region": "分地区办件量",
    "by_channel": "分渠道办件量",
    "by_day": "每日办件量",
    "timeliness": "按承诺时限办结",
    "durations": "平均办理时长对比",
    "reductions": "四减：计划与实际",
    "online": "全程网办率",
    "commitments": "容缺受理告知承诺履行",
    "cross_region": "跨域通办",
    "warnings": "预警（按等级、部门）",
    "hotline": "12345 工单时效与满意度",
    "ratings": "好差评",
}
