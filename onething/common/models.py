from django.conf import settings
from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class Event(models.Model):
    """Append-only record of every state change, written in the change's transaction."""

    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name="操作人",
    )
    verb = models.CharField("事件", max_length=64, db_index=True)
    object_type = models.CharField("对象类型", max_length=64)
    object_id = models.CharField("对象标识", max_length=64)
    data = models.JSONField("数据", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "事件"
        indexes = [models.Index(fields=["object_type", "object_id", "created_at"])]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("events are append-only")


class Job(models.Model):
    """A unit of background work, claimed by the worker with a lease.

    A worker killed mid-job leaves the lease to expire; the next worker claims
    the job again, so every job must be idempotent (see docs/reliability.md).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "排队"
        RUNNING = "running", "执行中"
        DONE = "done", "完成"
        FAILED = "failed", "失败"

    name = models.CharField("任务", max_length=100, db_index=True)
    payload = models.JSONField("参数", default=dict, blank=True)
    dedup_key = models.CharField("去重键", max_length=200, unique=True)
    status = models.CharField(
        "状态", max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    run_after = models.DateTimeField("最早执行时间", db_index=True)
    locked_until = models.DateTimeField("租约到期", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    max_attempts = models.PositiveSmallIntegerField("最多尝试", default=5)
    last_error = models.TextField("最近错误", blank=True)
    result = models.JSONField("结果", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "后台任务"
        indexes = [models.Index(fields=["status", "run_after"])]


class Message(models.Model):
    """An in-app message (站内消息) to one user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages_in"
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    dedup_key = models.CharField("去重键", max_length=200, unique=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "站内消息"
        ordering = ["-created_at"]


class Outbox(models.Model):
    """SMS and e-mail waiting to leave; the de-duplication key makes a resend harmless."""

    channel = models.CharField("渠道", max_length=16)  # sms | email
    to = models.CharField("接收方", max_length=200)
    subject = models.CharField("主题", max_length=200, blank=True)
    body = models.TextField("内容")
    dedup_key = models.CharField("去重键", max_length=200, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "待发消息"
