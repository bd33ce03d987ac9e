"""Connected department business systems, what onething sends them and what they send back."""

import uuid

from django.db import models

from onething.accounts.models import DepartmentKind, Region
from onething.common.security import EncryptedCharField, EncryptedJSONField

from .constants import DeliveryStatus, InboundStatus


class System(models.Model):
    """A department business system (国垂、省垂 or local) connected to the platform."""

    code = models.SlugField("系统编码", max_length=64, unique=True)
    name = models.CharField("系统名称", max_length=128)
    department_kind = models.ForeignKey(
        DepartmentKind, on_delete=models.PROTECT, verbose_name="所属部门类别"
    )
    region = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name="覆盖区划",
        help_text="空 = 全省；否则只办理该区划及其下级的任务",
    )
    base_url = models.URLField("接口地址", max_length=300)
    items = models.JSONField("办理事项", default=list, blank=True, help_text="事项编码列表")
    can_push = models.BooleanField("接收推送", default=True)
    can_poll = models.BooleanField("由平台轮询结果", default=False)
    can_status = models.BooleanField("支持状态查询", default=True)
    # Write-only in the admin: shown once when typed, never again.
    secret = EncryptedCharField("回调验签密钥", max_length=200)
    signing_key = EncryptedCharField("推送签名密钥", max_length=200)
    token = EncryptedCharField("访问凭据", max_length=400, blank=True)
    active = models.BooleanField("启用", default=True)
    unreachable_since = models.DateTimeField("不可达起始", null=True, blank=True)
    last_ok_at = models.DateTimeField("最近成功通信", null=True, blank=True)
    reconciled_at = models.DateTimeField("最近对账", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "部门业务系统"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name}（{self.code}）"


class Link(models.Model):
    """A task decided by a system: the per-task sequence and the system's last word."""

    task = models.OneToOneField("cases.Task", on_delete=models.CASCADE, related_name="+")
    system = models.ForeignKey(System, on_delete=models.PROTECT, related_name="links")
    ref = models.UUIDField("任务引用", default=uuid.uuid4, unique=True)
    remote_status = models.CharField("系统状态", max_length=32, blank=True)
    last_seq = models.PositiveIntegerField("已应用序号", default=0)
    last_heard_at = models.DateTimeField("最近回调", null=True, blank=True)
    polled_at = models.DateTimeField("最近轮询", null=True, blank=True)
    handed_back = models.BooleanField("已退回平台办理", default=False)
    mismatch = models.CharField("对账差异", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "外部办理任务"


class Delivery(models.Model):
    """One signed CloudEvent waiting to reach a system (the integration outbox)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    link = models.ForeignKey(Link, on_delete=models.CASCADE, related_name="deliveries")
    kind = models.CharField("类型", max_length=32)
    dedup_key = models.CharField("去重键", max_length=200, unique=True)
    body = EncryptedJSONField("消息")  # the CloudEvent; holds the applicant's data
    status = models.CharField(
        "状态",
        max_length=16,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField("已尝试", default=0)
    next_attempt_at = models.DateTimeField("下次尝试", db_index=True)
    locked_until = models.DateTimeField("租约到期", null=True, blank=True)
    last_error = models.CharField("最近错误", max_length=500, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "推送消息"
        ordering = ["-created_at"]


class Inbound(models.Model):
    """A verified callback event; the (system, event id) pair makes a repeat a no-op."""

    system = models.ForeignKey(System, on_delete=models.PROTECT, related_name="inbound")
    event_id = models.CharField("事件ID", max_length=128)
    link = models.ForeignKey(Link, on_delete=models.CASCADE, related_name="inbound")
    seq = models.PositiveIntegerField("序号")
    outcome = models.CharField("类型", max_length=32)
    data = EncryptedJSONField("数据", default=dict)
    status = models.CharField("处理结果", max_length=16, choices=InboundStatus.choices)
    note = models.CharField("说明", max_length=300, blank=True)
    received_at = models.DateTimeField("接收时间", auto_now_add=True)
    applied_at = models.DateTimeField("应用时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "回调事件"
        ordering = ["link", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["system", "event_id"], name="inbound_event_once")
        ]
