import hashlib

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from onething.common.security import EncryptedCharField

from .constants import RegionLevel, Role, department_names_problems


class Region(models.Model):
    """An administrative division by its GB/T 2260 code."""

    code = models.CharField("区划代码", max_length=6, primary_key=True)
    name = models.CharField("名称", max_length=64)
    level = models.CharField("层级", max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="上级",
    )

    class Meta:
        verbose_name = verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name}（{self.code}）"

    @property
    def prefix(self) -> str:
        """Codes below this region share this prefix (42, 4201, 420102).

        The 省直管市 (仙桃 429004 …) are city-level but share 4290 with each other: they have
        no counties below them, so their whole code is their prefix.
        """
        if self.level == RegionLevel.CITY and not self.code.endswith("00"):
            return self.code
        return {RegionLevel.PROVINCE: self.code[:2], RegionLevel.CITY: self.code[:4]}.get(
            self.level, self.code
        )

    @property
    def full_name(self) -> str:
        names, node = [], self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return "".join(reversed(names))


class DepartmentKind(models.Model):
    """A kind of competent department (市场监管, 公安 …), present at each level of government."""

    code = models.CharField("编码", max_length=32, primary_key=True)
    name = models.CharField("名称", max_length=64)
    suffix = models.CharField("机构名后缀", max_length=64, help_text="如：市场监督管理局")
    names = models.JSONField(
        "分层级名称",
        default=dict,
        blank=True,
        help_text='某一层级的名称不是“区划名+后缀”时填写，如 {"province": "{region}教育厅"}；'
        "可用占位符 {region}、{city}、{county}（仅县级）",
    )

    class Meta:
        verbose_name = verbose_name_plural = "部门类别"
        ordering = ["code"]

    def __str__(self):
        return self.name

    def clean(self):
        problems = department_names_problems(self.names)
        if problems:
            raise ValidationError({"names": [f"{k}：{m}" if k else m for k, m in problems]})


class Department(models.Model):
    code = models.CharField("部门编码", max_length=64, unique=True)
    name = models.CharField("部门名称", max_length=128)
    kind = models.ForeignKey(DepartmentKind, on_delete=models.PROTECT, verbose_name="部门类别")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name="所属区划")

    class Meta:
        verbose_name = verbose_name_plural = "部门"
        ordering = ["region_id", "kind_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "region"], name="one_department_per_kind_region"
            )
        ]

    def __str__(self):
        return self.name


class User(AbstractUser):
    role = models.CharField(
        "角色", max_length=32, choices=Role.choices, default=Role.APPLICANT_PERSON
    )
    display_name = models.CharField("姓名", max_length=64, blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, verbose_name="所属部门"
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, verbose_name="所属区划"
    )
    # Encrypted at rest (SM4); exact lookups such as filter(id_number=…) still work.
    id_number = EncryptedCharField("公民身份号码", max_length=18, blank=True, db_index=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True, db_index=True)
    # Set when someone else chose the password (a reset, a new account): the holder must
    # replace it before doing anything else.
    password_change_required = models.BooleanField("下次登录须修改密码", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "用户"

    def __str__(self):
        return self.display_name or self.username

    @property
    def is_applicant(self) -> bool:
        return self.role in (Role.APPLICANT_PERSON, Role.APPLICANT_ENTITY)


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 is stored, the plain value is shown once."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="tokens", verbose_name="用户"
    )
    name = models.CharField("名称", max_length=64, default="cli")
    # The holder's role when the token was made: a token never outlives a change of role.
    role = models.CharField("签发时角色", max_length=32, blank=True)
    prefix = models.CharField("前缀", max_length=8)
    key_hash = models.CharField("摘要", max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("过期时间", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "API令牌"

    @staticmethod
    def digest(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class LoginAttempt(models.Model):
    """One password login attempt; failures in a window lead to a LoginLockout."""

    username = models.CharField("用户名", max_length=150, db_index=True)
    ip = models.CharField("来源地址", max_length=45, blank=True, db_index=True)
    succeeded = models.BooleanField("成功", default=False)
    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "登录尝试"


class LoginLockout(models.Model):
    """A username (``user:NAME``) or address (``ip:ADDR``) refused until ``until``."""

    key = models.CharField("锁定对象", max_length=200, db_index=True)
    until = models.DateTimeField("锁定至", db_index=True)
    failures = models.PositiveIntegerField("失败次数", default=0)
    created_at = models.DateTimeField("锁定时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "登录锁定"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.key} → {self.until:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.until > timezone.now()
