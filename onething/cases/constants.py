from django.db import models


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", "待受理"
    RETURNED = "returned", "退回补正"
    REJECTED = "rejected", "不予受理"
    PROCESSING = "processing", "办理中"
    COMPLETED = "completed", "已办结"
    REFUSED = "refused", "不予许可"


class TaskStatus(models.TextChoices):
    WAITING = "waiting", "等待前置事项"
    ACTIVE = "active", "审批中"
    SUPPLEMENT = "supplement", "补正中"
    APPROVED = "approved", "准予"
    REFUSED = "refused", "不予"
    CANCELLED = "cancelled", "已终止"


OPEN_TASK_STATUSES = {TaskStatus.WAITING, TaskStatus.ACTIVE, TaskStatus.SUPPLEMENT}


class Channel(models.TextChoices):
    PORTAL = "portal", "网上办事大厅"
    WINDOW = "window", "综合窗口"
    API = "api", "接口"


class AcceptanceDecision(models.TextChoices):
    ACCEPT = "accept", "受理"
    ACCEPT_WITH_TOLERANCE = "accept_with_tolerance", "容缺受理"
    CORRECT = "correct", "一次性告知补正"
    REFUSE = "refuse", "不予受理"


class TaskDecision(models.TextChoices):
    APPROVE = "approve", "准予"
    REFUSE = "refuse", "不予"
    SUPPLEMENT = "supplement", "要求补正"


class Warning(models.TextChoices):  # noqa: A001 - the domain word, shadowing the builtin is harmless here
    NONE = "", "正常"
    YELLOW = "yellow", "黄灯预警"
    RED = "red", "红灯超期"


class CommitmentStatus(models.TextChoices):
    PENDING = "pending", "待履行"
    FULFILLED = "fulfilled", "已履行"
    BREACHED = "breached", "未履行（失信）"


class MaterialState(models.TextChoices):
    UPLOADED = "uploaded", "已上传"
    EXEMPT = "exempt", "免交"
    COMMITTED = "committed", "承诺后补"
    MISSING = "missing", "缺少"


class DocumentKind(models.TextChoices):
    ACCEPTANCE = "acceptance", "受理通知书"
    CORRECTION = "correction", "一次性告知书"
    REJECTION = "rejection", "不予受理通知书"
    APPROVAL = "approval", "准予许可决定书"
    REFUSAL = "refusal", "不予许可决定书"
    SUPPLEMENT = "supplement", "补正通知书"


# A decision's document is named by what the item is in law: only a licence (行政许可) is granted
# by a 准予许可决定书; a filing, a confirmation or a public service is told its result.
# Legal kind → (title if granted, title if refused, what was decided if granted, if refused).
DECISION_WORDS = {
    "行政许可": ("准予许可决定书", "不予许可决定书", "决定准予", "决定不予许可"),
    "行政确认": ("准予确认通知书", "不予确认通知书", "准予办理", "决定不予办理"),
    "行政给付": ("准予给付决定书", "不予给付决定书", "准予办理", "决定不予办理"),
}
OTHER_DECISION_WORDS = ("办理结果通知书", "不予办理通知书", "准予办理", "决定不予办理")


class IdempotencyStatus(models.TextChoices):
    RUNNING = "running", "处理中"
    DONE = "done", "已完成"


# Yellow once this share of a task's working days has passed.
YELLOW_SHARE = 0.8
# Commitment reminders go out this many days before the due date.
REMIND_DAYS_BEFORE = 3
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
CROSS_REGION_OK = {"全省通办", "跨省通办"}
