"""Cases (办件): one application for a one-thing, split into one task per member item."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from onething.accounts.models import Department, Region
from onething.catalog.models import OneThingVersion
from onething.common.security import (
    EncryptedCharField,
    EncryptedJSONField,
    HashField,
    blind_index,
)
from onething.common.workdays import working_days_between

from .constants import (
    YELLOW_SHARE,
    CaseStatus,
    Channel,
    CommitmentStatus,
    DocumentKind,
    IdempotencyStatus,
    MaterialState,
    TaskStatus,
    Warning,
)

USER = settings.AUTH_USER_MODEL
# The registry's namespace for ID numbers: a credit record's hash is a person's hash.
SUBJECT_PURPOSE = "registry.id_number"


def subject_hash(value: str) -> str:
    return blind_index(value, purpose=SUBJECT_PURPOSE)


class Upload(models.Model):
    """An uploaded file, stored under MEDIA_ROOT by its content hash; never a client-chosen path."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name="上传人"
    )
    name = models.CharField("原文件名", max_length=200)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    size = models.PositiveIntegerField("大小（字节）")
    content_type = models.CharField("类型", max_length=64)
    path = models.CharField("存储路径", max_length=200)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "上传文件"


class Draft(models.Model):
    """What the applicant has entered so far, saved as they go (survives a closed browser)."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="case_drafts")
    onething = models.CharField("一件事", max_length=64)
    answers = models.JSONField("情形答案", default=dict, blank=True)
    # The applicant's particulars and form hold ID and phone numbers: SM4-encrypted at rest.
    applicant = EncryptedJSONField("申请人", default=dict, blank=True)
    form = EncryptedJSONField("表单", default=dict, blank=True)
    materials = models.JSONField("材料", default=dict, blank=True)  # material → upload id
    commitments = models.JSONField("承诺", default=dict, blank=True)  # material → due date
    case = models.ForeignKey(
        "Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField("保存时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "申请草稿"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "onething"],
                condition=models.Q(case__isnull=True),
                name="one_open_draft_per_onething",
            )
        ]


class IdempotencyKey(models.Model):
    """The first request with a key inserts this row in its own transaction; repeats read it."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    key = models.CharField("幂等键", max_length=200)
    request_hash = models.CharField("请求摘要", max_length=64)
    status = models.CharField(max_length=16, choices=IdempotencyStatus.choices)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response = models.JSONField(null=True, blank=True)
    case = models.ForeignKey(
        "Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "幂等键"
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once")]


class CaseCounter(models.Model):
    """Per region per day; incremented under a row lock so numbers never repeat."""

    region = models.CharField(max_length=6)
    day = models.DateField()
    value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region", "day"], name="case_counter_once")]


class Case(models.Model):
    number = models.CharField("办件编号", max_length=32, unique=True)
    version = models.ForeignKey(
        OneThingVersion, on_delete=models.PROTECT, verbose_name="一件事版本"
    )
    onething = models.CharField("一件事", max_length=64, db_index=True)
    title = models.CharField("名称", max_length=128)
    blueprint = models.JSONField("蓝图快照")
    answers = models.JSONField("情形答案", default=dict)
    # Personal numbers live in these three documents, encrypted whole (nothing queries inside
    # them); what must be filtered on has a column of its own (``synthetic``).
    form = EncryptedJSONField("表单", default=dict)
    prefilled = EncryptedJSONField("权威来源字段", default=dict, blank=True)
    applicant = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name="申请人账号",
    )
    applicant_data = EncryptedJSONField("申请人信息", default=dict)
    synthetic = models.BooleanField("演示数据", default=False, editable=False)
    submitted_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name="提交人"
    )
    channel = models.CharField("渠道", max_length=16, choices=Channel.choices)
    accept_region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name="受理地"
    )
    process_region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name="办理地"
    )
    accept_department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="受理部门",
    )
    status = models.CharField("状态", max_length=16, choices=CaseStatus.choices, db_index=True)
    problems = models.JSONField("形式审查问题", default=list, blank=True)
    tolerance = models.BooleanField("容缺受理", default=False)
    flagged = models.BooleanField("需复核", default=False)
    reason = models.TextField("理由", blank=True)
    deadline = models.DateField("办结期限", null=True, blank=True)
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    finished_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "办件"
        ordering = ["-submitted_at", "-id"]

    def __str__(self):
        return f"{self.number} {self.title}"


class CaseMaterial(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    material = models.CharField("材料", max_length=64)
    name = models.CharField("名称", max_length=200)
    state = models.CharField("状态", max_length=16, choices=MaterialState.choices)
    upload = models.ForeignKey(Upload, null=True, blank=True, on_delete=models.PROTECT)
    exemption = models.JSONField("免交依据", default=dict, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "material"], name="case_material_once")
        ]


class Commitment(models.Model):
    """A written commitment (告知承诺) to supply a material by a due date."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="commitments")
    material = models.CharField("材料", max_length=64)
    name = models.CharField("名称", max_length=200)
    due_date = models.DateField("承诺期限")
    status = models.CharField(
        "状态",
        max_length=16,
        choices=CommitmentStatus.choices,
        default=CommitmentStatus.PENDING,
        db_index=True,
    )
    upload = models.ForeignKey(Upload, null=True, blank=True, on_delete=models.PROTECT)
    reminded_on = models.DateField("提醒日期", null=True, blank=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "告知承诺"
        ordering = ["due_date", "id"]


class Task(models.Model):
    """One member item of a case, handled by its competent department."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    item = models.CharField("事项", max_length=64)
    name = models.CharField("事项名称", max_length=200)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="case_tasks")
    stage = models.PositiveSmallIntegerField("阶段")
    requires = models.JSONField("前置事项", default=list, blank=True)
    result_type = models.CharField("结果证照类型", max_length=64, blank=True)
    days = models.PositiveSmallIntegerField("承诺时限（工作日）")
    status = models.CharField("状态", max_length=16, choices=TaskStatus.choices, db_index=True)
    data = EncryptedJSONField("办理数据", default=dict, blank=True)  # carries the case's form
    result = models.JSONField("办理结果", default=dict, blank=True)
    opinion = models.TextField("审批意见", blank=True)
    started_on = models.DateField("开始日期", null=True, blank=True)
    deadline = models.DateField("期限", null=True, blank=True, db_index=True)
    paused_on = models.DateField("暂停日期", null=True, blank=True)
    paused_days = models.PositiveSmallIntegerField("暂停工作日", default=0)
    warning = models.CharField(
        "预警", max_length=8, choices=Warning.choices, default="", blank=True
    )
    flagged = models.BooleanField("需复核", default=False)
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "审批任务"
        ordering = ["stage", "id"]

    def warning_on(self, day) -> str:
        """The deadline warning as of ``day``: a running task's is derived from its deadline and
        days used, so pages are right even when the worker that records warnings lags; a
        finished task keeps the one it ended with."""
        if self.deadline is None or self.status != TaskStatus.ACTIVE:
            return self.warning
        if day > self.deadline:
            return Warning.RED
        elapsed = working_days_between(self.started_on, day) - self.paused_days
        return Warning.YELLOW if self.days and elapsed >= YELLOW_SHARE * self.days else Warning.NONE

    @property
    def current_warning(self) -> str:
        return self.warning_on(timezone.localdate())


class Supplement(models.Model):
    """A request to supplement (补正) from a reviewer, or a correction after a window return."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supplements")
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.CASCADE, related_name="supplements"
    )
    request = models.TextField("补正要求")
    response = EncryptedJSONField("补正内容", default=dict, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    supplied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]


class Document(models.Model):
    """A notice or decision as a PDF, sealed by the issuing department."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField("文书", max_length=16, choices=DocumentKind.choices)
    title = models.CharField("标题", max_length=200)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT)
    pdf = models.BinaryField("PDF")
    sha256 = models.CharField(max_length=64)
    seal = models.JSONField("电子印章", default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "文书"
        ordering = ["id"]


class CreditRecord(models.Model):
    """A breach of a written commitment; later tolerance decisions consult it."""

    # An ID number (or a credit code), found through the registry's ID-number hash namespace.
    subject = EncryptedCharField("主体证件号", max_length=32, lookup_via="subject_hash")
    subject_hash = HashField("主体证件号索引", source="subject", purpose=SUBJECT_PURPOSE)
    name = models.CharField("主体名称", max_length=128)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    commitment = models.OneToOneField(Commitment, on_delete=models.PROTECT, related_name="+")
    note = models.TextField("说明")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "信用记录"
