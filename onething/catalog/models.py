"""The service catalog: editable definitions and immutable published versions."""

from django.db import models

from onething.accounts.models import DepartmentKind, Region
from onething.common.models import TimeStampedModel

from .constants import (
    CrossRegion,
    ElementType,
    HandlingLevel,
    ItemKind,
    OnlineLevel,
    Stage,
    Status,
    Subject,
)


class LicenseType(models.Model):
    code = models.CharField("编码", max_length=64, primary_key=True)
    name = models.CharField("证照名称", max_length=128)
    issuer = models.ForeignKey(
        DepartmentKind, on_delete=models.PROTECT, verbose_name="发证部门类别"
    )
    validity_years = models.PositiveSmallIntegerField(
        "有效期（年）", null=True, blank=True, help_text="空为长期"
    )
    fields = models.JSONField("照面字段", default=list, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "证照类型"
        ordering = ["code"]

    def __str__(self):
        return self.name


class DataElement(models.Model):
    code = models.CharField("编码", max_length=64, primary_key=True)
    name = models.CharField("名称", max_length=128)
    type = models.CharField("类型", max_length=16, choices=ElementType.choices)
    options = models.JSONField("枚举值", default=list, blank=True)
    max_length = models.PositiveIntegerField("最大长度", null=True, blank=True)
    prefill = models.JSONField("预填来源", default=list, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "标准数据元"
        ordering = ["code"]

    def __str__(self):
        return self.name


class Material(models.Model):
    code = models.CharField("编码", max_length=64, primary_key=True)
    name = models.CharField("材料名称", max_length=200)
    description = models.TextField("说明", blank=True)
    license_type = models.ForeignKey(
        LicenseType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name="可由电子证照替代",
    )
    registry_field = models.CharField("可由共享数据替代", max_length=64, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "申请材料"
        ordering = ["code"]

    def __str__(self):
        return self.name


class ServiceItem(TimeStampedModel):
    code = models.CharField("事项编码", max_length=64, primary_key=True)
    name = models.CharField("事项名称", max_length=200)
    department = models.ForeignKey(
        DepartmentKind, on_delete=models.PROTECT, verbose_name="实施部门"
    )
    kind = models.CharField("事项类型", max_length=16, choices=ItemKind.choices)
    level = models.CharField(
        "办理层级", max_length=16, choices=HandlingLevel.choices, default=HandlingLevel.COUNTY
    )
    legal_basis = models.TextField("设定依据", blank=True)
    conditions = models.TextField("受理条件", blank=True)
    legal_days = models.PositiveIntegerField("法定办结时限（工作日）")
    promised_days = models.PositiveIntegerField("承诺办结时限（工作日）")
    steps = models.PositiveSmallIntegerField("办理环节数")
    instant = models.BooleanField("即办件", default=False, help_text="单独办理时当场办结")
    visits_alone = models.JSONField(
        "单独办理跑动次数", default=dict, blank=True, help_text="{submit, inspect, collect}"
    )
    fee = models.DecimalField("收费（元）", max_digits=12, decimal_places=2, default=0)
    fee_note = models.CharField("收费说明", max_length=200, blank=True)
    result = models.ForeignKey(
        LicenseType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name="办理结果（证照）",
    )
    online_level = models.CharField("网办深度", max_length=16, choices=OnlineLevel.choices)
    cross_region = models.CharField(
        "通办范围", max_length=16, choices=CrossRegion.choices, default=CrossRegion.NONE
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, verbose_name="地方特色事项所属区划"
    )
    fields = models.JSONField("表单数据元", default=list, blank=True)
    # "internal" = decided in onething's reviewer pages; otherwise the code of the connected
    # department system (onething.integration) that decides it.
    decided_by = models.CharField(
        "办理系统",
        max_length=64,
        default="internal",
        help_text="internal 或已接入部门业务系统的编码",
    )
    sources = models.JSONField(
        "数据来源", default=dict, blank=True, help_text="{limits: 时限依据, materials: 材料依据}"
    )

    class Meta:
        verbose_name = verbose_name_plural = "政务服务事项"
        ordering = ["code"]

    def __str__(self):
        return self.name


class ItemMaterial(models.Model):
    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="item_materials")
    material = models.ForeignKey(Material, on_delete=models.PROTECT, verbose_name="材料")
    required = models.BooleanField("必要", default=True)
    tolerance = models.BooleanField("可容缺", default=False)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "事项材料"
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "material"], name="item_material_once")
        ]


class OneThing(TimeStampedModel):
    """The editable draft of a one-thing; publishing freezes it into a OneThingVersion."""

    code = models.CharField("编码", max_length=64, primary_key=True)
    name = models.CharField("名称", max_length=128)
    subject = models.CharField("服务对象", max_length=16, choices=Subject.choices)
    stage = models.CharField("生命周期阶段", max_length=16, choices=Stage.choices)
    lead_department = models.ForeignKey(
        DepartmentKind, on_delete=models.PROTECT, verbose_name="牵头部门"
    )
    status = models.CharField(
        "标准化阶段", max_length=8, choices=Status.choices, default=Status.INITIAL
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, verbose_name="地方特色清单区划"
    )
    description = models.TextField("简介", blank=True)
    aliases = models.JSONField("俗称", default=list, blank=True)
    keywords = models.JSONField("关键词", default=list, blank=True)
    questions = models.JSONField("情形问题", default=list, blank=True)
    dependencies = models.JSONField("前后置关系", default=list, blank=True)
    material_rules = models.JSONField("材料情形规则", default=list, blank=True)
    faq = models.JSONField("常见问题", default=list, blank=True)
    committed_days = models.PositiveIntegerField("一件事承诺时限（工作日）", null=True, blank=True)
    visits = models.JSONField(
        "一件事跑动次数", default=dict, blank=True, help_text="{submit, inspect, collect}"
    )
    sources = models.JSONField("数据来源", default=dict, blank=True)
    items = models.ManyToManyField(ServiceItem, through="OneThingItem", verbose_name="成员事项")

    class Meta:
        verbose_name = verbose_name_plural = "一件事"
        ordering = ["code"]

    def __str__(self):
        return self.name


class OneThingItem(models.Model):
    onething = models.ForeignKey(OneThing, on_delete=models.CASCADE, related_name="memberships")
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, verbose_name="事项")
    when = models.JSONField("适用情形（JsonLogic）", null=True, blank=True)
    when_source = models.TextField("适用情形依据", blank=True)
    committed_days = models.PositiveIntegerField(
        "一件事内承诺时限（工作日）", null=True, blank=True, help_text="空为单独办理的承诺时限"
    )
    instant = models.BooleanField("一件事内即办", default=False)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "成员事项"
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["onething", "item"], name="onething_item_once")
        ]

    def __str__(self):  # the admin's inline rows name the item, not "OneThingItem object (318)"
        return f"{self.item_id}（{self.item.name}）"


class OneThingVersion(models.Model):
    """An immutable published snapshot; cases point here, so edits never move under them."""

    onething = models.ForeignKey(OneThing, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    status = models.CharField("发布时阶段", max_length=8, choices=Status.choices)
    snapshot = models.JSONField("定义快照")
    digest = models.CharField("快照摘要", max_length=64)
    published_at = models.DateTimeField("发布时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "一件事版本"
        ordering = ["onething_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["onething", "number"], name="version_number_once")
        ]

    def __str__(self):
        return f"{self.onething_id} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("published versions are immutable")
        super().save(*args, **kwargs)


class OneClass(TimeStampedModel):
    code = models.CharField("编码", max_length=64, primary_key=True)
    name = models.CharField("名称", max_length=128)
    subject = models.CharField("服务对象", max_length=16, choices=Subject.choices)
    description = models.TextField("简介", blank=True)
    onethings = models.ManyToManyField(
        OneThing, related_name="oneclasses", verbose_name="包含的一件事"
    )
    questions = models.JSONField("共用情形问题", default=list, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "一类事"
        ordering = ["code"]

    def __str__(self):
        return self.name


class Synonym(models.Model):
    """Colloquial expressions that mean a catalog term (开饭店 → 餐饮), editable by catalog staff."""

    canonical = models.CharField("规范用语", max_length=64)
    terms = models.JSONField("俗称")
    order = models.PositiveIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "同义词"
        ordering = ["order", "id"]
