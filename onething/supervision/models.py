"""Rollups for the dashboard, and warning rules with the warnings they raise.

CaseFact is one denormalised row per case, refreshed from the case by a service (and a
catch-up job). The dashboard never reads cases directly: it reads MonthRollup and DayRollup,
which are rebuilt from the facts of the months that changed, so every panel scans a few
thousand rows however many cases there are.
"""

from django.conf import settings
from django.db import models

from onething.accounts.models import Department, Region

from .constants import Target, WarningLevel, WarningStatus


class Scoped(models.Model):
    """Region columns for scoping and drill-down: province, city and county codes ('' if none)."""

    province = models.CharField("省", max_length=6)
    city = models.CharField("市", max_length=6, blank=True)
    county = models.CharField("县", max_length=6, blank=True)

    class Meta:
        abstract = True


class CaseFact(Scoped):
    case_id = models.BigIntegerField("办件ID", unique=True)
    number = models.CharField("办件编号", max_length=32)
    onething = models.CharField("一件事", max_length=64)
    channel = models.CharField("渠道", max_length=16)
    status = models.CharField("状态", max_length=16)
    accept_region = models.CharField("受理地", max_length=6)
    cross_region = models.BooleanField("跨域", default=False)
    tolerance = models.BooleanField("容缺受理", default=False)
    submitted_on = models.DateField("提交日期")
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    finished_on = models.DateField("办结日期", null=True, blank=True)
    deadline = models.DateField("办结期限", null=True, blank=True)
    completed = models.BooleanField("已办结（准予）", default=False)
    on_time = models.BooleanField("按期办结", default=False)
    promised_days = models.PositiveSmallIntegerField("承诺时限", default=0)
    baseline_days = models.PositiveSmallIntegerField("改革前时限（单独办理合计）", default=0)
    elapsed_days = models.PositiveSmallIntegerField("实际用时（工作日）", null=True, blank=True)
    baseline_visits = models.PositiveSmallIntegerField("改革前跑动", default=0)
    planned_visits = models.PositiveSmallIntegerField("计划跑动", default=0)
    visits = models.PositiveSmallIntegerField("实际跑动", default=0)
    baseline_materials = models.PositiveSmallIntegerField("改革前材料", default=0)
    materials = models.PositiveSmallIntegerField("实际提交材料", default=0)
    commitments_fulfilled = models.PositiveSmallIntegerField("承诺已履行", default=0)
    commitments_breached = models.PositiveSmallIntegerField("承诺未履行", default=0)
    commitments_pending = models.PositiveSmallIntegerField("承诺待履行", default=0)
    updated_at = models.DateTimeField("更新时间", auto_now=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "办件事实"
        indexes = [
            models.Index(fields=["submitted_on"], name="fact_submitted"),
            models.Index(fields=["onething", "submitted_on"], name="fact_onething_day"),
            models.Index(fields=["status", "deadline"], name="fact_status_deadline"),
            models.Index(fields=["finished_on"], name="fact_finished"),
        ]


class Grain(models.TextChoices):
    """Rollups are kept twice: per county (city and county views) and per city (province view),
    so a view never sums more than a few thousand rows."""

    COUNTY = "county", "县级"
    CITY = "city", "市级"


class MonthRollup(Scoped):
    """Sums of case facts per submission month, region (at a grain) and one-thing."""

    month = models.DateField("月份（首日）")
    grain = models.CharField("粒度", max_length=8, choices=Grain.choices)
    region = models.CharField("办理地", max_length=6)
    onething = models.CharField("一件事", max_length=64)
    cases = models.PositiveIntegerField(default=0)
    cases_portal = models.PositiveIntegerField(default=0)
    cases_window = models.PositiveIntegerField(default=0)
    cases_api = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    elapsed_sum = models.PositiveIntegerField(default=0)
    promised_sum = models.PositiveIntegerField(default=0)
    baseline_sum = models.PositiveIntegerField(default=0)
    visits_sum = models.PositiveIntegerField(default=0)
    planned_visits_sum = models.PositiveIntegerField(default=0)
    baseline_visits_sum = models.PositiveIntegerField(default=0)
    zero_visit = models.PositiveIntegerField(default=0)
    materials_sum = models.PositiveIntegerField(default=0)
    baseline_materials_sum = models.PositiveIntegerField(default=0)
    cross_region = models.PositiveIntegerField(default=0)
    tolerance = models.PositiveIntegerField(default=0)
    commitments_fulfilled = models.PositiveIntegerField(default=0)
    commitments_breached = models.PositiveIntegerField(default=0)
    commitments_pending = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "月度汇总"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "grain", "region", "onething"], name="month_rollup_once"
            )
        ]
        indexes = [
            models.Index(fields=["grain", "province", "month"], name="mr_province"),
            models.Index(fields=["grain", "city", "month"], name="mr_city"),
            models.Index(fields=["grain", "county", "month"], name="mr_county"),
        ]


class DayRollup(Scoped):
    """Cases submitted and completed per day and region at a grain (the daily chart): once for
    all one-things (onething '') and once per one-thing, so a filtered chart reads ≤ 366 rows."""

    day = models.DateField("日期")
    grain = models.CharField("粒度", max_length=8, choices=Grain.choices)
    region = models.CharField("办理地", max_length=6)
    onething = models.CharField("一件事", max_length=64, blank=True)
    cases = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "每日汇总"
        constraints = [
            models.UniqueConstraint(
                fields=["day", "grain", "region", "onething"], name="day_rollup_once"
            )
        ]
        indexes = [
            models.Index(fields=["grain", "province", "onething", "day"], name="dr_province"),
            models.Index(fields=["grain", "city", "onething", "day"], name="dr_city"),
            models.Index(fields=["grain", "county", "onething", "day"], name="dr_county"),
        ]


class OpenRollup(Scoped):
    """Cases in progress and those past their deadline, per region at a grain and one-thing.

    Rebuilt whole by every catch-up run, because "past the deadline" moves with the date."""

    grain = models.CharField("粒度", max_length=8, choices=Grain.choices)
    region = models.CharField("办理地", max_length=6)
    onething = models.CharField("一件事", max_length=64)
    processing = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    as_of = models.DateField("统计日期")

    class Meta:
        verbose_name = verbose_name_plural = "在办汇总"
        indexes = [
            models.Index(fields=["grain", "province"], name="or_province"),
            models.Index(fields=["grain", "city"], name="or_city"),
            models.Index(fields=["grain", "county"], name="or_county"),
        ]


class RollupState(models.Model):
    """Watermarks of the catch-up jobs (name → last time covered)."""

    name = models.CharField(max_length=64, primary_key=True)
    value = models.DateTimeField()


class WarningRule(models.Model):
    code = models.SlugField("编码", max_length=64, unique=True)
    name = models.CharField("名称", max_length=128)
    target = models.CharField("对象", max_length=16, choices=Target.choices)
    level = models.CharField("等级", max_length=8, choices=WarningLevel.choices)
    condition = models.JSONField("触发条件（JsonLogic）")
    threshold = models.FloatField("阈值", default=0, help_text="条件中以 rule.threshold 引用")
    enabled = models.BooleanField("启用", default=True)
    description = models.TextField("说明", blank=True)
    # Where the rule applies and who may edit it: a supervisor of this region or above.
    # Empty: the whole province, which only a provincial supervisor edits.
    region = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="适用区划（空为全省）",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "预警规则"
        ordering = ["target", "code"]

    def __str__(self):
        return self.name


class Warning(Scoped):  # noqa: A001 - the domain word; shadowing the builtin is harmless here
    rule = models.ForeignKey(WarningRule, on_delete=models.PROTECT, related_name="warnings")
    level = models.CharField("等级", max_length=8, choices=WarningLevel.choices)
    target = models.CharField("对象", max_length=16, choices=Target.choices)
    target_id = models.CharField("对象标识", max_length=64)
    title = models.CharField("标题", max_length=255)
    link = models.CharField("链接", max_length=200, blank=True)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="责任部门",
    )
    status = models.CharField(
        "状态", max_length=16, choices=WarningStatus.choices, default=WarningStatus.OPEN
    )
    data = models.JSONField("触发时数据", default=dict, blank=True)
    raised_at = models.DateTimeField("预警时间", auto_now_add=True, db_index=True)
    acknowledged_at = models.DateTimeField("确认时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField("解除时间", null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField("处理说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "预警"
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "target", "target_id", "level"], name="warning_once_per_rule_object"
            )
        ]
        indexes = [
            models.Index(fields=["department", "status"], name="warning_dept_status"),
            models.Index(fields=["status", "target", "target_id"], name="warning_status_target"),
        ]

    def __str__(self):
        return self.title
