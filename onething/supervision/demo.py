"""Demo: default warning rules, and a few hundred historical cases so the dashboard is honest.

The historical cases come from ``cases.history`` (real Case rows dated in the past); every
dashboard figure is then derived from them by the same services as for live cases.
"""

from onething.accounts.models import Region
from onething.cases import history

from . import services

HISTORY = 300
# A city's own rule beside the province-wide defaults: the demo supervisor (Wuhan) may edit it,
# not the defaults, which belong to a provincial supervisor.
CITY_RULE = dict(
    code="wuhan-task-half",
    name="武汉市：审批任务用时过半提醒",
    target="task",
    level="yellow",
    condition={
        "and": [
            {"==": [{"var": "task.status"}, "active"]},
            {">=": [{"var": "task.elapsed_share"}, {"var": "rule.threshold"}]},
        ]
    },
    threshold=0.5,
    region="420100",
    description="武汉市监督人员配置：办理中的审批任务已用工作日过半即提醒（仅武汉市辖区内生效）。",
)


def load(*, seed: int, stdout) -> None:
    rules = services.default_rules_ensure()
    if Region.objects.filter(code="420100").exists() and not services.rule_exists(
        "wuhan-task-half"
    ):
        services.rule_save(actor=None, **CITY_RULE)
        rules += 1
    made = history.history_load(seed=seed, count=HISTORY)
    refreshed = services.facts_catch_up()
    services.rollups_rebuild_all()
    raised = services.warnings_evaluate()["raised"]
    stdout.write(
        f"效能监测：预警规则新增 {rules} 条，历史办件 {made} 件，事实 {refreshed} 条，预警 {raised} 条"
    )
