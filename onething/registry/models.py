"""Base registries (人口、法人), the e-license library, department seals, consent and usage log."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from onething.accounts.models import Department, Region
from onething.catalog.models import LicenseType
from onething.common.models import AppendOnly
from onething.common.security import (
    EncryptedCharField,
    EncryptedJSONField,
    HashField,
    blind_index,
)
from onething.common.validators import mask_id

from .constants import (
    DisabilityCategory,
    DisabilityLevel,
    Education,
    EmploymentStatus,
    EntityType,
    Gender,
    HolderKind,
    LicenseStatus,
    MaritalStatus,
    OperatingStatus,
    TaxCreditRating,
)

# Blind-index namespaces. ID numbers share one, so a person's hash finds the entities they represent.
ID_PURPOSE, PHONE_PURPOSE = "registry.id_number", "registry.phone"


def id_hash(value: str) -> str:
    """The lookup key of a 公民身份号码 (normalised: trimmed, upper-case X)."""
    return blind_index(value, purpose=ID_PURPOSE)


def phone_hash(value: str) -> str:
    return blind_index(value, purpose=PHONE_PURPOSE)


class Person(models.Model):
    """人口基础信息: field names are the catalog's ``person.<field>`` prefill sources."""

    # Personal numbers are SM4-encrypted at rest and found only through their keyed hash
    # (``id_hash``/``phone_hash``); see docs/security.md.
    id_number = EncryptedCharField("公民身份号码", max_length=18, lookup_via="id_number_hash")
    id_number_hash = HashField(
        "公民身份号码索引", source="id_number", purpose=ID_PURPOSE, unique=True
    )
    name = models.CharField("姓名", max_length=64)
    gender = models.CharField("性别", max_length=8, choices=Gender.choices)
    birth_date = models.DateField("出生日期")
    ethnicity = models.CharField("民族", max_length=16, default="汉族")
    household_region = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="户籍地区划",
    )
    household_address = models.CharField("户籍地址", max_length=200, blank=True)
    residence_region = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="居住地区划",
    )
    residence_address = models.CharField("居住地址", max_length=200, blank=True)
    phone = EncryptedCharField("联系电话", max_length=20, blank=True, lookup_via="phone_hash")
    phone_hash = HashField("联系电话索引", source="phone", purpose=PHONE_PURPOSE)
    marital_status = models.CharField(
        "婚姻状况", max_length=16, choices=MaritalStatus.choices, default=MaritalStatus.UNMARRIED
    )
    spouse = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="配偶",
    )
    disability_category = models.CharField(
        "残疾类别", max_length=16, choices=DisabilityCategory.choices, blank=True, default=""
    )
    disability_level = models.CharField(
        "残疾等级", max_length=2, choices=DisabilityLevel.choices, blank=True, default=""
    )
    is_veteran = models.BooleanField("退役军人", default=False)
    death_date = models.DateField("死亡日期", null=True, blank=True)
    education = models.CharField(
        "学历", max_length=16, choices=Education.choices, blank=True, default=""
    )
    employment_status = models.CharField(
        "就业状态", max_length=16, choices=EmploymentStatus.choices, blank=True, default=""
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "人口基础信息"
        ordering = ["id"]

    def __str__(self):
        return f"{self.name}（{self.masked_id}）"

    @property
    def masked_id(self) -> str:
        return mask_id(self.id_number)


class Entity(models.Model):
    """经营主体 (企业、个体工商户 …): field names are the catalog's ``entity.<field>`` sources."""

    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    checksum_override = models.BooleanField(
        "校验位例外",
        default=False,
        help_text="试点期间赋码、校验位不合规但经核实的代码，仅可显式放行",
    )
    name = models.CharField("名称", max_length=200)
    entity_type = models.CharField("主体类型", max_length=24, choices=EntityType.choices)
    legal_rep = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="entities",
        verbose_name="法定代表人",
    )
    legal_rep_name = models.CharField("法定代表人姓名", max_length=64, blank=True)
    legal_rep_id_number = EncryptedCharField(
        "法定代表人公民身份号码", max_length=18, blank=True, lookup_via="legal_rep_id_number_hash"
    )
    legal_rep_id_number_hash = HashField(
        "法定代表人公民身份号码索引", source="legal_rep_id_number", purpose=ID_PURPOSE
    )
    registered_region = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="登记机关区划",
    )
    address = models.CharField("住所", max_length=200, blank=True)
    industry_code = models.CharField("行业代码（GB/T 4754）", max_length=5, blank=True)
    registered_capital = models.DecimalField(
        "注册资本（万元）", max_digits=14, decimal_places=2, default=0
    )
    founded_on = models.DateField("成立日期", null=True, blank=True)
    employees = models.PositiveIntegerField("从业人数", default=0)
    operating_status = models.CharField(
        "经营状态", max_length=16, choices=OperatingStatus.choices, default=OperatingStatus.ACTIVE
    )
    tax_credit_rating = models.CharField(
        "纳税信用等级", max_length=2, choices=TaxCreditRating.choices, blank=True, default=""
    )
    is_high_tech = models.BooleanField("高新技术企业", default=False)
    is_small_micro = models.BooleanField("小微企业", default=False)
    phone = EncryptedCharField("联系电话", max_length=20, blank=True, lookup_via="phone_hash")
    phone_hash = HashField("联系电话索引", source="phone", purpose=PHONE_PURPOSE)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "经营主体信息"
        ordering = ["id"]

    def __str__(self):
        return f"{self.name}（{self.credit_code}）"


class SealKey(models.Model):
    """A department's SM2 key pair; the private half only ever stored SM4-encrypted."""

    key_id = models.CharField("密钥标识", max_length=100, unique=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="seal_keys", verbose_name="部门"
    )
    public_key = models.CharField("公钥（X||Y）", max_length=128)
    private_key_encrypted = models.TextField("私钥密文（SM4-CBC）")
    active = models.BooleanField("在用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "部门电子印章密钥"
        ordering = ["department_id", "-created_at"]

    def __str__(self):
        return self.key_id


class LicenseSerial(models.Model):
    """Last serial number used per licence type and issuing department."""

    license_type = models.ForeignKey(LicenseType, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["license_type", "department"], name="license_serial_once"
            )
        ]


class License(models.Model):
    identifier = models.CharField("证照标识", max_length=160, unique=True)
    license_type = models.ForeignKey(
        LicenseType, on_delete=models.PROTECT, related_name="licenses", verbose_name="证照类型"
    )
    holder_kind = models.CharField("持证主体类型", max_length=8, choices=HolderKind.choices)
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="licenses",
        verbose_name="持证人",
    )
    entity = models.ForeignKey(
        Entity,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="licenses",
        verbose_name="持证主体",
    )
    holder_name = models.CharField("持证主体名称", max_length=200)
    # A person holder's ID number: encrypted like Person.id_number; holders are found by FK.
    holder_number = EncryptedCharField("持证主体证件号码", max_length=18, lookup_via="person")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="licenses", verbose_name="发证部门"
    )
    serial = models.PositiveIntegerField("流水号")
    version = models.PositiveSmallIntegerField("版本号", default=1)
    issued_on = models.DateField("发证日期")
    valid_until = models.DateField("有效期至", null=True, blank=True, help_text="空为长期有效")
    # The face carries personal numbers (公民身份号码, a driving licence's 证号, phones): encrypted
    # at rest, never queried (nothing filters on a face value; see docs/security.md).
    data = EncryptedJSONField("照面信息", default=dict, blank=True)
    status = models.CharField(
        "状态",
        max_length=16,
        choices=LicenseStatus.choices,
        default=LicenseStatus.VALID,
        db_index=True,
    )
    case_number = models.CharField("办件编号", max_length=64, blank=True)
    superseded_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="被替代为",
    )
    revoked_at = models.DateTimeField("注销时间", null=True, blank=True)
    revoke_reason = models.CharField("注销原因", max_length=200, blank=True)
    # The seal: an SM2 signature over the SM3 manifest of the canonical record (see sealing.py).
    seal_key = models.ForeignKey(
        SealKey,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="签章密钥",
    )
    manifest = models.JSONField("签章字段摘要", null=True, blank=True)
    # Per-field random salts of a salted manifest (onething.manifest/2): secret, since with a
    # salt an ID number's digest could be brute-forced again; empty for plain-digest seals.
    salts = EncryptedJSONField("签章字段盐值", null=True, blank=True)
    digest = models.CharField("SM3摘要", max_length=64, blank=True)
    signature = models.CharField("SM2签名", max_length=128, blank=True)
    signed_at = models.DateTimeField("签章时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "电子证照"
        ordering = ["-issued_on", "-id"]
        indexes = [
            models.Index(fields=["person", "status"]),
            models.Index(fields=["entity", "status"]),
            models.Index(fields=["status", "valid_until"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False, entity__isnull=True)
                | Q(person__isnull=True, entity__isnull=False),
                name="license_one_holder",
            )
        ]

    def __str__(self):
        return f"{self.license_type_id} {self.identifier}"

    @property
    def holder(self):
        return self.person or self.entity

    def status_on(self, day) -> str:
        """The status as read on ``day``: a valid licence whose validity has ended is expired,
        whether or not the worker's daily job has written that down yet."""
        if self.status == LicenseStatus.VALID and self.valid_until and self.valid_until < day:
            return LicenseStatus.EXPIRED
        return self.status

    @property
    def current_status(self) -> str:
        return self.status_on(timezone.localdate())

    def get_status_display(self) -> str:  # Django leaves a get_FOO_display defined here alone
        return LicenseStatus(self.current_status).label

    @property
    def masked_holder_number(self) -> str:
        return (
            mask_id(self.holder_number)
            if self.holder_kind == HolderKind.PERSON
            else self.holder_number
        )

    @property
    def is_sealed(self) -> bool:
        return bool(self.signature)


class Consent(models.Model):
    """The holder let a clerk see their licences (by showing a code), or a case made them applicant."""

    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    entity = models.ForeignKey(
        Entity, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    grantee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="被授权人",
    )
    purpose = models.CharField("用途", max_length=200)
    case_number = models.CharField("办件编号", max_length=64, blank=True)
    scope = models.JSONField("范围（证照类型，空为全部）", default=list, blank=True)
    granted_at = models.DateTimeField("授权时间", auto_now_add=True)
    expires_at = models.DateTimeField("到期时间")
    revoked_at = models.DateTimeField("撤回时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "授权记录"
        ordering = ["-granted_at"]


class UsageRecord(AppendOnly):
    """证照使用记录: who used which licences or registry fields, for which case, when and why."""

    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="使用人",
    )
    actor_label = models.CharField("使用人（含部门）", max_length=200, blank=True)
    purpose = models.CharField("用途", max_length=200)
    case_number = models.CharField("办件编号", max_length=64, blank=True)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entity = models.ForeignKey(
        Entity, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    licenses = models.JSONField("证照标识", default=list, blank=True)
    fields = models.JSONField("共享数据字段", default=list, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "证照与数据使用记录"
        ordering = ["-created_at", "-id"]
