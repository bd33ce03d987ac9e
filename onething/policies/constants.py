"""Choices and fixed figures of the policy library."""

from django.db import models

from onething.accounts.constants import Role

MESSAGE_PREFIX = "policies:"  # dedup keys of this app's messages start with it
SAMPLE_SIZE = 20  # grants shown to a reviewer as a sample of a batch


class Subject(models.TextChoices):
    PERSON = "person", "个人"
    ENTITY = "entity", "企业（经营主体）"


class Category(models.TextChoices):
    FUNDING = "funding", "资金扶持"
    TAX = "tax", "税费减免"
    FINANCING = "financing", "融资支持"
    TALENT = "talent", "人才"
    INNOVATION = "innovation", "科技创新"
    EMPLOYMENT = "employment", "就业"
    ASSISTANCE = "assistance", "社会救助"
    ELDERLY = "elderly", "养老"
    DISABILITY = "disability", "助残"
    CHILDREN = "children", "儿童福利"
    VETERANS = "veterans", "优抚"


class Mode(models.TextChoices):
    APPLY = "apply", "依申请"
    AUTO = "auto", "免申即享"


class Recurrence(models.TextChoices):
    ONCE = "once", "一次性"
    MONTHLY = "monthly", "按月"
    YEARLY = "yearly", "按年"


class RunKind(models.TextChoices):
    MATCH = "match", "政策匹配"
    GRANT = "grant", "免申即享发放"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class BatchStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已驳回"


class GrantStatus(models.TextChoices):
    PROPOSED = "proposed", "待审核"
    GRANTED = "granted", "已发放"
    DECLINED = "declined", "本人放弃"
    REJECTED = "rejected", "批次驳回"


class Exclusion(models.TextChoices):
    ALREADY_GRANTED = "already_granted", "本期已发放"
    OPTED_OUT = "opted_out", "本人已放弃"
    INCOMPLETE = "incomplete", "数据不完整"
    DECEASED = "deceased", "已死亡"


class OptOutKind(models.TextChoices):
    MESSAGES = "messages", "不再接收该政策消息"
    BENEFIT = "benefit", "放弃该项待遇"


# Who may edit policies, start runs and review grant batches (supervisors only look).
EDITORS = {Role.CATALOG_ADMIN, Role.DEPT_ADMIN}
