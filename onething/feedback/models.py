"""Ratings (好差评) with their rectifications, and 12345 tickets with routing and time limits."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from onething.accounts.models import Department, DepartmentKind, Region
from onething.common.models import TimeStampedModel
from onething.common.security import EncryptedCharField

from .constants import (
    AlertLevel,
    Level,
    RatingChannel,
    RatingTarget,
    RectificationStatus,
    Satisfaction,
    SlaStep,
    TicketSource,
    TicketStatus,
    Urgency,
    VisitResult,
)

USER = settings.AUTH_USER_MODEL


def _token() -> str:
    return secrets.token_urlsafe(24)


class RatingInvitation(models.Model):
    """Sent when a case completes; its token makes the SMS link work without a login."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="+", verbose_name="办件"
    )
    token = models.CharField("链接令牌", max_length=64, unique=True, default=_token)
    created_at = models.DateTimeField("邀请时间", auto_now_add=True)
    expires_at = models.DateTimeField("截止时间")

    class Meta:
        verbose_name = verbose_name_plural = "评价邀请"


class Rating(models.Model):
    target = models.CharField("评价对象", max_length=16, choices=RatingTarget.choices)
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="办件",
    )
    onething = models.CharField("一件事/服务事项", max_length=64, blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name="被评价部门"
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    rater = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="评价人",
    )
    recorded_by = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="录入人",
    )
    level = models.PositiveSmallIntegerField("评价等级", choices=Level.choices)
    first_level = models.PositiveSmallIntegerField("首次评价等级", choices=Level.choices)
    tags = models.JSONField("评价标签", default=list, blank=True)
    comment = models.TextField("评价内容", blank=True)
    channel = models.CharField("评价渠道", max_length=16, choices=RatingChannel.choices)
    created_at = models.DateTimeField("评价时间", auto_now_add=True, db_index=True)
    rerated_at = models.DateTimeField("追评时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "好差评"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(case__isnull=False), name="one_rating_per_case"
            )
        ]

    def __str__(self):
        return f"{self.get_level_display()} · {self.case or self.onething or self.department}"


class Rectification(TimeStampedModel):
    """整改 of a 差评 by the responsible department, checked by a supervisor, then 回访."""

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="rectification")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name="整改部门"
    )
    status = models.CharField(
        "状态",
        max_length=16,
        choices=RectificationStatus.choices,
        default=RectificationStatus.PENDING,
        db_index=True,
    )
    deadline = models.DateField("整改期限")
    verification = models.TextField("核实情况", blank=True)
    measures = models.TextField("整改措施", blank=True)
    reply = models.TextField("答复评价人", blank=True)
    replied_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    check_note = models.TextField("审核意见", blank=True)
    checked_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField("审核时间", null=True, blank=True)
    returns = models.PositiveSmallIntegerField("退回次数", default=0)
    visit_result = models.CharField(
        "回访结果", max_length=16, choices=VisitResult.choices, blank=True
    )
    visit_note = models.TextField("回访记录", blank=True)
    visited_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    visited_at = models.DateTimeField("回访时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "差评整改"
        ordering = ["deadline", "id"]


class TicketRoutingRule(models.Model):
    """Ordered routing: the first enabled rule whose JsonLogic holds suggests the department."""

    position = models.PositiveIntegerField("顺序", default=100, db_index=True)
    name = models.CharField("规则名称", max_length=100)
    rule = models.JSONField(
        "匹配条件（JsonLogic）",
        help_text="可用字段：content、category、subcategory、region、urgency、source、location、"
        'has_case。例：{"in": ["噪音", {"var": "content"}]}',
    )
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="指定部门",
    )
    department_kind = models.ForeignKey(
        DepartmentKind,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="部门类别（按诉求所在地确定部门）",
    )
    enabled = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "派单规则"
        ordering = ["position", "id"]

    def __str__(self):
        return f"{self.position}. {self.name}"


class TicketSla(models.Model):
    """Time limits for one urgency and/or category; blank means any. The most specific wins."""

    urgency = models.CharField("紧急程度", max_length=16, choices=Urgency.choices, blank=True)
    category = models.CharField("一级分类", max_length=32, blank=True)
    sign_minutes = models.PositiveIntegerField("签收时限（分钟）", default=30)
    feedback_hours = models.PositiveIntegerField("首次反馈时限（小时）", default=24)
    handle_hours = models.PositiveIntegerField("办结时限（小时）", default=360)
    working_hours = models.BooleanField(
        "按工作日计时", default=False, help_text="勾选后，节假日和周末不计入时限"
    )

    class Meta:
        verbose_name = verbose_name_plural = "诉求办理时限"
        constraints = [
            models.UniqueConstraint(fields=["urgency", "category"], name="one_sla_per_key")
        ]

    def __str__(self):
        return f"{self.get_urgency_display() or '任意'} / {self.category or '任意分类'}"


class Ticket(TimeStampedModel):
    """A 12345 诉求: 接、转、办、督、评."""

    number = models.CharField("工单编号", max_length=32, unique=True, null=True, blank=True)
    source = models.CharField("来源", max_length=16, choices=TicketSource.choices)
    contact_name = models.CharField("联系人", max_length=64)
    # Encrypted at rest. Nothing looks tickets up by phone, so no hash column records equality.
    contact_phone = EncryptedCharField("联系电话", max_length=32, blank=True)
    content = models.TextField("诉求内容")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    location = models.CharField("具体地点", max_length=200, blank=True)
    category = models.CharField("一级分类", max_length=32)
    subcategory = models.CharField("二级分类", max_length=32)
    urgency = models.CharField(
        "紧急程度", max_length=16, choices=Urgency.choices, default=Urgency.NORMAL
    )
    related_case = models.CharField("关联办件编号", max_length=32, blank=True)
    status = models.CharField(
        "状态",
        max_length=16,
        choices=TicketStatus.choices,
        default=TicketStatus.RECEIVED,
        db_index=True,
    )
    submitted_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="承办部门",
    )
    suggested_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    routed_by = models.ForeignKey(
        TicketRoutingRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    round = models.PositiveSmallIntegerField("派单轮次", default=0)
    returns = models.PositiveSmallIntegerField("退单次数", default=0)
    reopens = models.PositiveSmallIntegerField("重办次数", default=0)
    escalations = models.PositiveSmallIntegerField("督办次数", default=0)
    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)
    sign_due = models.DateTimeField("签收时限", null=True, blank=True)
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    feedback_due = models.DateTimeField("反馈时限", null=True, blank=True)
    feedback_at = models.DateTimeField("首次反馈时间", null=True, blank=True)
    handle_due = models.DateTimeField("办结时限", null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    feedback = models.TextField("办理反馈", blank=True)
    result = models.TextField("办理结果", blank=True)
    return_reason = models.TextField("退单理由", blank=True)
    satisfaction = models.CharField(
        "满意度", max_length=16, choices=Satisfaction.choices, blank=True
    )
    satisfaction_note = models.TextField("评价意见", blank=True)
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "12345诉求工单"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.number} {self.category}/{self.subcategory}"

    @property
    def page_url(self) -> str:
        # Pages address a ticket by its 工单编号, the number callers and staff quote.
        return reverse("feedback:ticket", args=[self.number])


class TicketVisit(models.Model):
    """回访: every closed ticket gets one before it is rated."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="visits")
    round = models.PositiveSmallIntegerField("派单轮次")
    visited_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    contacted = models.BooleanField("已联系上", default=True)
    note = models.TextField("回访记录")
    created_at = models.DateTimeField("回访时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "诉求回访"
        ordering = ["id"]


class TicketAlert(models.Model):
    """One per ticket, step, level and dispatch round: what makes the SLA job idempotent."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="alerts")
    step = models.CharField("环节", max_length=16, choices=SlaStep.choices)
    level = models.CharField("级别", max_length=16, choices=AlertLevel.choices)
    round = models.PositiveSmallIntegerField("派单轮次")
    due = models.DateTimeField("时限")
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "超时预警"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "step", "level", "round"], name="ticket_alert_once"
            )
        ]
