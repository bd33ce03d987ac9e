from django.db import models

INTERNAL = "internal"
# CloudEvents types: what onething sends, and what a department system may send back.
EVENT_PREFIX = "cn.gov.onething."
OUT_TYPES = {
    "started": EVENT_PREFIX + "task.dispatched",
    "resumed": EVENT_PREFIX + "task.supplemented",
    "cancelled": EVENT_PREFIX + "task.cancelled",
}


class Outcome(models.TextChoices):
    """What a department system reports about a task (the callback's type suffix)."""

    RECEIVED = "received", "已接收"
    SUPPLEMENT = "supplement_requested", "要求补正"
    APPROVED = "approved", "准予"
    REFUSED = "refused", "不予"
    WITHDRAWN = "withdrawn", "退回平台办理"


IN_TYPES = {EVENT_PREFIX + "task." + o.value: o.value for o in Outcome}
DECISIONS = {Outcome.APPROVED, Outcome.REFUSED, Outcome.SUPPLEMENT}


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "待投递"
    DELIVERED = "delivered", "已送达"
    DEAD = "dead", "死信（超过重试上限）"
    CANCELLED = "cancelled", "已取消"


class InboundStatus(models.TextChoices):
    APPLIED = "applied", "已应用"
    WAITING = "waiting", "等待前序事件"
    STALE = "stale", "过时（已有更新事件）"
    REJECTED = "rejected", "与任务状态冲突"


# Standard Webhooks: signatures older or newer than this are refused (replay window).
TOLERANCE_SECONDS = 300
