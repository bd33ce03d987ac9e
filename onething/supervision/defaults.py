"""The default warning rules: the deadlines of the cases app and the 12345 time limits.

Plain data, so that the data migration and ``services.default_rules_ensure`` share it.
"""

from .constants import Target, WarningLevel

ACTIVE = {"==": [{"var": "task.status"}, "active"]}
DEFAULT_RULES = [
    # code, name, target, level, condition, threshold, description
    ("task-yellow", "审批任务用时超过时限80%", Target.TASK, WarningLevel.YELLOW,
     {"and": [ACTIVE, {">=": [{"var": "task.elapsed_share"}, {"var": "rule.threshold"}]}]}, 0.8,
     "办理中的审批任务已用工作日达到承诺时限的阈值比例（默认80%）。"),
    ("task-red", "审批任务超过时限", Target.TASK, WarningLevel.RED,
     {"and": [ACTIVE, {">": [{"var": "task.overdue_days"}, {"var": "rule.threshold"}]}]}, 0,
     "办理中的审批任务已超过承诺时限。"),
    ("task-system-unreachable", "办理任务所在部门业务系统不可达", Target.TASK, WarningLevel.RED,
     {"and": [{"var": "task.external"}, {"var": "task.system_unreachable"}]}, 0,
     "任务由部门业务系统办理，但推送或状态查询多次失败；恢复后自动补推。"),
    ("task-reconcile-mismatch", "部门业务系统对账不一致", Target.TASK, WarningLevel.YELLOW,
     {"and": [{"var": "task.external"}, {"var": "task.reconcile_mismatch"}]}, 0,
     "每日对账发现平台与部门业务系统的任务状态不一致。"),
    ("commitment-overdue", "告知承诺逾期未履行", Target.COMMITMENT, WarningLevel.RED,
     {">": [{"var": "commitment.days_overdue"}, {"var": "rule.threshold"}]}, 0,
     "容缺受理的告知承诺已过承诺期限仍未补交，相关审批结果需复核。"),
    ("ticket-unsigned", "12345工单超过30分钟未签收", Target.TICKET, WarningLevel.YELLOW,
     {">": [{"var": "ticket.minutes_unsigned"}, {"var": "rule.threshold"}]}, 30,
     "工单派发后超过阈值分钟数仍未签收。"),
    ("ticket-emergency", "紧急工单超过2小时未办结", Target.TICKET, WarningLevel.RED,
     {"and": [{"var": "ticket.emergency"},
              {">": [{"var": "ticket.minutes_unhandled"}, {"var": "rule.threshold"}]}]}, 120,
     "紧急诉求超过阈值分钟数仍未办结。"),
    ("ticket-no-feedback", "12345工单超过24小时未反馈", Target.TICKET, WarningLevel.YELLOW,
     {">": [{"var": "ticket.hours_without_feedback"}, {"var": "rule.threshold"}]}, 24,
     "工单超过阈值小时数未向诉求人反馈。"),
]  # fmt: skip
