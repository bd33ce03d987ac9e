"""Ratings (好差评), rectifications (整改) and 12345 tickets (诉求): choices and defaults."""

from django.conf import settings
from django.db import models


class Level(models.IntegerChoices):
    """The five levels of GB/T 39734; 5 is best."""

    VERY_SATISFIED = 5, "非常满意"
    SATISFIED = 4, "满意"
    BASICALLY_SATISFIED = 3, "基本满意"
    DISSATISFIED = 2, "不满意"
    VERY_DISSATISFIED = 1, "非常不满意"


# 差评 are the two lowest levels; everything else counts as 好评.
BAD_LEVELS = {Level.DISSATISFIED, Level.VERY_DISSATISFIED}


class RatingTarget(models.TextChoices):
    CASE = "case", "办件（一事一评）"
    SERVICE = "service", "服务事项"
    WINDOW = "window", "窗口"


class RatingChannel(models.TextChoices):
    PORTAL = "portal", "网上办事大厅"
    WINDOW_PAD = "window_pad", "窗口评价器"
    SMS = "sms", "短信链接"
    HOTLINE = "hotline", "12345热线"


REASON_TAGS = {
    "good": ["办事效率高", "服务态度好", "一次办成", "材料精简", "指引清晰"],
    "bad": [
        "办理时间长",
        "多次跑动",
        "材料重复提交",
        "服务态度差",
        "指引不清楚",
        "系统操作复杂",
        "结果不满意",
    ],
}
ALL_TAGS = {t for tags in REASON_TAGS.values() for t in tags}


class RectificationStatus(models.TextChoices):
    PENDING = "pending", "待整改"
    REPLIED = "replied", "已答复待审核"
    APPROVED = "approved", "审核通过待回访"
    CLOSED = "closed", "已回访办结"


class VisitResult(models.TextChoices):
    SATISFIED = "satisfied", "认可整改"
    DISSATISFIED = "dissatisfied", "仍不满意"
    UNREACHABLE = "unreachable", "无法联系"


class TicketSource(models.TextChoices):
    PHONE = "phone", "12345来电"
    PORTAL = "portal", "网上留言"
    ASSISTANT = "assistant", "智能导办转人工"
    API = "api", "接口"


class Urgency(models.TextChoices):
    NORMAL = "normal", "一般"
    URGENT = "urgent", "较急"
    EMERGENCY = "emergency", "紧急"


class TicketStatus(models.TextChoices):
    RECEIVED = "received", "已受理"
    DISPATCHED = "dispatched", "已派单"
    RETURNED = "returned", "已退单"
    SIGNED = "signed", "已签收"
    HANDLING = "handling", "办理中"
    CLOSED = "closed", "已办结"
    VISITED = "visited", "已回访"
    RATED = "rated", "已评价"
    MERGED = "merged", "已合并"


# Where the department must act; escalation and SLA warnings only look at these.
OPEN_TICKET = {
    TicketStatus.RECEIVED,
    TicketStatus.DISPATCHED,
    TicketStatus.RETURNED,
    TicketStatus.SIGNED,
    TicketStatus.HANDLING,
}


class TicketAction(models.TextChoices):
    DISPATCH = "dispatch", "派单"
    SIGN = "sign", "签收"
    HANDLE = "handle", "办理反馈"
    CLOSE = "close", "办结"
    RETURN = "return", "退单"
    ESCALATE = "escalate", "督办"
    REOPEN = "reopen", "重办"
    VISIT = "visit", "回访"
    RATE = "rate", "评价"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"


SATISFIED = {Satisfaction.SATISFIED, Satisfaction.BASIC}
SATISFACTION_TARGET = 0.95


class SlaStep(models.TextChoices):
    SIGN = "sign", "签收"
    FEEDBACK = "feedback", "首次反馈"
    HANDLE = "handle", "办结"


class AlertLevel(models.TextChoices):
    WARNING = "warning", "即将超时预警"
    OVERDUE = "overdue", "超时督办"


# (sign minutes, feedback hours, handle hours) when no TicketSla row matches.
DEFAULT_SLA = {
    Urgency.EMERGENCY: (30, 1, 2),
    Urgency.URGENT: (30, 12, 72),
    Urgency.NORMAL: (30, 24, 360),
}
# A warning goes out once this share of a step's time has passed.
WARNING_SHARE = 0.8

# Two-level categories (一级 → 二级) of the 12345 classification.
CATEGORIES = {
    "政务服务": ["办事咨询", "办事效率", "服务态度", "一件事办理"],
    "城乡建设": ["物业管理", "市政设施", "房屋建筑", "拆迁安置"],
    "市场监管": ["食品安全", "消费维权", "价格监管", "证照办理"],
    "生态环境": ["噪声污染", "大气污染", "水污染"],
    "交通运输": ["公交出租", "道路交通", "停车管理"],
    "劳动社保": ["工资拖欠", "社会保险", "就业创业"],
    "其他": ["其他"],
}

MAX_CONTENT = 2000
MAX_COMMENT = 500
SIMILAR_THRESHOLD = 0.3
SIMILAR_LIMIT = 5
SIMILAR_WINDOW_DAYS = 30


def rating_days() -> int:
    """How long after completion a case may be rated; read at call time so tests can override."""
    return int(getattr(settings, "ONETHING_RATING_DAYS", 30))


def rectification_days() -> int:
    return int(getattr(settings, "ONETHING_RECTIFICATION_DAYS", 15))
