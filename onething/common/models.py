from django.conf import settings
from django.db import models
from django.utils import timezone

from .security import EncryptedCharField


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class AppendOnly(models.Model):
    """Rows written once and never changed: saving a stored row or deleting one is refused.

    The guard refuses only what an insert never does, so ``common.hotsql`` (which inserts new
    rows only) may write these models too.
    """

    append_only_error: type[Exception] = ValueError
    append_only_message = "append-only record"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise self.append_only_error(self.append_only_message)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise self.append_only_error(self.append_only_message)


class Event(AppendOnly):
    """Append-only record of every state change, written in the change's transaction."""

    append_only_message = "events are append-only"

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


class WorkerBeat(models.Model):
    """A running worker's heartbeat: written at most every few seconds by its loop, so the health
    page can tell a live worker from a dead one (its age) without asking the process."""

    worker = models.CharField("任务进程", max_length=100, unique=True)  # host:pid
    started_at = models.DateTimeField("启动时间")
    beat_at = models.DateTimeField("最近心跳", db_index=True)
    stopped_at = models.DateTimeField("停止时间", null=True, blank=True)
    jobs_done = models.PositiveIntegerField("已执行任务", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "任务进程心跳"


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
    # A phone number or an e-mail address: encrypted at rest, opened by the sender only.
    to = EncryptedCharField("接收方", max_length=200)
    subject = models.CharField("主题", max_length=200, blank=True)
    body = models.TextField("内容")
    dedup_key = models.CharField("去重键", max_length=200, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "待发消息"


def audit_now():
    # Milliseconds only: JSON dumps (backups) keep milliseconds, and the hash covers the time.
    now = timezone.now()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk update and delete are refused; archiving uses a plain QuerySet on purpose."""

    def update(self, **kwargs):
        raise PermissionError("audit records are append-only")

    def delete(self):
        raise PermissionError("audit records are append-only")


class AuditRecord(AppendOnly):
    """One audited action, hash-chained to the one before it (see onething.common.audit).

    Rows are inserted unsealed inside the caller's transaction; ``audit.seal`` assigns
    ``seq`` and the chain hashes right after commit, so writers never wait on one another.
    """

    append_only_error = PermissionError
    append_only_message = "audit records are append-only"

    class Category(models.TextChoices):
        WRITE = "write", "数据变更"
        READ = "read", "敏感信息查看"
        SECURITY = "security", "安全事件"
        SYSTEM = "system", "系统运维"

    class Result(models.TextChoices):
        SUCCESS = "success", "成功"
        FAILURE = "failure", "失败"
        DENIED = "denied", "拒绝"

    created_at = models.DateTimeField("时间", default=audit_now, db_index=True)
    category = models.CharField("类别", max_length=16, choices=Category.choices)
    action = models.CharField("事件", max_length=64, db_index=True)
    result = models.CharField("结果", max_length=16, choices=Result.choices, default="success")
    actor_id = models.BigIntegerField("操作人ID", null=True, blank=True, db_index=True)
    actor = models.CharField("操作人", max_length=150, blank=True)
    ip = models.CharField("来源地址", max_length=45, blank=True)
    object_type = models.CharField("对象类型", max_length=100, blank=True)
    object_id = models.CharField("对象标识", max_length=128, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)
    seq = models.BigIntegerField("序号", null=True, blank=True, unique=True)
    prev_hash = models.CharField("前一条摘要", max_length=64, blank=True)
    hash = models.CharField("摘要", max_length=64, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "审计日志"
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]


class AuditAnchor(AppendOnly):
    """Where an archive file ends: verification of the live table starts from the last anchor."""

    append_only_error = PermissionError
    append_only_message = "audit anchors are append-only"

    created_at = models.DateTimeField("归档时间", default=audit_now)
    first_seq = models.BigIntegerField("起始序号")
    last_seq = models.BigIntegerField("截止序号", unique=True)
    start_prev_hash = models.CharField("起始前摘要", max_length=64)
    last_hash = models.CharField("截止摘要", max_length=64)
    count = models.PositiveIntegerField("条数")
    file_name = models.CharField("归档文件", max_length=200)
    file_sha256 = models.CharField("文件摘要", max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "审计归档锚点"
        ordering = ["last_seq"]


class AuditGate(models.Model):
    """While a row exists (inside the archiving transaction only), the database triggers
    installed by ``onething audit harden`` let archived rows be removed."""

    opened_at = models.DateTimeField(default=timezone.now)
