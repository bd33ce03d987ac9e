"""Policy library: immutable versions, matches, runs, grant batches and grants."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .constants import (
    BatchStatus,
    Category,
    Exclusion,
    GrantStatus,
    Mode,
    OptOutKind,
    Recurrence,
    RunKind,
    RunStatus,
    Subject,
)


class Policy(models.Model):
    """The stable identity of a policy; its content lives in immutable versions."""

    code = models.CharField("政策编码", max_length=64, unique=True)
    subject = models.CharField("对象", max_length=8, choices=Subject.choices)
    category = models.CharField("类别", max_length=16, choices=Category.choices)
    mode = models.CharField("兑现方式", max_length=8, choices=Mode.choices, default=Mode.APPLY)
    recurrence = models.CharField(
        "发放周期", max_length=8, choices=Recurrence.choices, default=Recurrence.ONCE
    )
    current = models.ForeignKey(
        "PolicyVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="现行版本",
    )
    active = models.BooleanField("在用", default=True)
    # Incremental matching: which version and registry watermark the stored matches reflect.
    matched_version = models.ForeignKey(
        "PolicyVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    matched_through = models.DateTimeField("已匹配至（数据更新时间）", null=True, blank=True)
    matched_on = models.DateField("匹配日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "政策"
        ordering = ["code"]

    def __str__(self):
        return f"{self.current.title if self.current else self.code}（{self.code}）"


class PolicyVersion(models.Model):
    """One immutable wording of a policy; grants and matches point at the version used."""

    policy = models.ForeignKey(
        Policy, on_delete=models.CASCADE, related_name="versions", verbose_name="政策"
    )
    number = models.PositiveIntegerField("版本号")
    title = models.CharField("名称", max_length=200)
    summary = models.TextField("通俗说明", blank=True)
    department = models.CharField("发布部门", max_length=128)
    department_kind = models.CharField("部门类别编码", max_length=32, blank=True)
    source = models.CharField("政策文件", max_length=300)
    clause = models.CharField("条款", max_length=200, blank=True)
    tags = models.JSONField("标签", default=list, blank=True)
    valid_from = models.DateField("生效日期", null=True, blank=True)
    valid_until = models.DateField("失效日期", null=True, blank=True)
    eligibility = models.JSONField("享受条件（JsonLogic）")
    benefit = models.JSONField("待遇金额（JsonLogic）", null=True, blank=True)
    benefit_text = models.CharField("待遇说明", max_length=300, blank=True)
    confirmations = models.JSONField("申请人须确认事项", default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "政策版本"
        ordering = ["policy_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="policy_version_once")
        ]

    def __str__(self):
        return f"{self.title} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("policy versions are immutable")
        super().save(*args, **kwargs)


class HolderRef(models.Model):
    """A person or an entity of the base registries, with its region for counts."""

    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    entity = models.ForeignKey(
        "registry.Entity", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    holder_key = models.CharField("对象标识", max_length=32, db_index=True)  # p:<id> | e:<id>
    holder_name = models.CharField("名称", max_length=200)
    region_code = models.CharField("区划代码", max_length=6, blank=True)

    class Meta:
        abstract = True


class PolicyMatch(HolderRef):
    """A holder that qualified for a policy at its stored version."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="matches")
    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    matched_at = models.DateTimeField("匹配时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "政策匹配结果"
        constraints = [
            models.UniqueConstraint(fields=["policy", "holder_key"], name="policy_match_once")
        ]


class OptOut(models.Model):
    """A holder no longer wants a policy's messages, or declines its benefit altogether."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="opt_outs")
    holder_key = models.CharField("对象标识", max_length=32)
    kind = models.CharField("类型", max_length=16, choices=OptOutKind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "政策退订与放弃"
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "holder_key", "kind"], name="policy_opt_out_once"
            )
        ]


class PolicyRun(models.Model):
    """A match or grant run started by staff or the schedule, executed by the worker."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="runs")
    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类型", max_length=8, choices=RunKind.choices)
    period = models.CharField("期次", max_length=16, blank=True)
    status = models.CharField(
        "状态", max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    job_id = models.BigIntegerField("任务号", null=True, blank=True)
    stats = models.JSONField("结果", default=dict, blank=True)
    error = models.TextField("错误", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "政策运行"
        ordering = ["-created_at", "-id"]


class GrantBatch(models.Model):
    """The beneficiaries of one period of a no-application policy, waiting for review."""

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="batches")
    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    run = models.OneToOneField(PolicyRun, on_delete=models.PROTECT, related_name="batch")
    period = models.CharField("期次", max_length=16)
    status = models.CharField(
        "状态", max_length=16, choices=BatchStatus.choices, default=BatchStatus.PENDING
    )
    total_amount = models.DecimalField("总金额（元）", max_digits=16, decimal_places=2, default=0)
    beneficiaries = models.PositiveIntegerField("受益人数", default=0)
    data_version = models.JSONField("数据版本", default=dict, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_note = models.CharField("审核意见", max_length=300, blank=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "免申即享发放批次"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.policy.code} {self.period}"


class Grant(HolderRef):
    """One beneficiary's benefit for one period, with the attribute values that qualified it."""

    batch = models.ForeignKey(GrantBatch, on_delete=models.PROTECT, related_name="grants")
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="grants")
    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    period = models.CharField("期次", max_length=16)
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    values = models.JSONField("认定所用数据", default=dict)
    status = models.CharField(
        "状态", max_length=16, choices=GrantStatus.choices, default=GrantStatus.PROPOSED
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "免申即享待遇"
        ordering = ["region_code", "id"]
        constraints = [
            # A rejected batch frees the period; anything else holds it, so it is never paid twice.
            models.UniqueConstraint(
                fields=["policy", "holder_key", "period"],
                condition=~Q(status=GrantStatus.REJECTED),
                name="grant_once_per_period",
            )
        ]


class GrantExclusion(HolderRef):
    batch = models.ForeignKey(GrantBatch, on_delete=models.CASCADE, related_name="exclusions")
    reason = models.CharField("排除原因", max_length=24, choices=Exclusion.choices)
    detail = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "发放排除名单"
        ordering = ["reason", "id"]


class PolicyApplication(HolderRef):
    """An application for an apply-mode policy, carrying the registry data over."""

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="applications")
    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    values = models.JSONField("带入数据", default=dict)
    confirmations = models.JSONField("已确认事项", default=list)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "政策申请"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "holder_key"], name="policy_application_once")
        ]
