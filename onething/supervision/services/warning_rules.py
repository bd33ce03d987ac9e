"""Warning rules: checking, saving and the province-wide defaults; who may edit which."""

from django.db import transaction

from onething.accounts.constants import RegionLevel, Role
from onething.accounts.models import Region
from onething.common.errors import Forbidden, Unprocessable
from onething.common.events import record_event
from onething.rules import services as rules

from ..constants import ATTRIBUTES, COMMON_ATTRIBUTES, Target, WarningLevel
from ..defaults import DEFAULT_RULES
from ..models import (
    WarningRule,
)


def _vars(node) -> set[str]:
    if isinstance(node, dict):
        if "var" in node and len(node) == 1:
            arg = node["var"]
            name = arg[0] if isinstance(arg, list) and arg else arg
            return {str(name)} if name not in (None, "") else set()
        return set().union(*(_vars(v) for v in node.values())) if node else set()
    if isinstance(node, list):
        return set().union(*(_vars(v) for v in node)) if node else set()
    return set()


def rule_problems(target: str, condition) -> dict[str, str]:
    """Chinese messages for an invalid rule (unknown target, operator or attribute)."""
    if target not in Target.values:
        return {"target": "应为 case、task、commitment 或 ticket"}
    known = set(ATTRIBUTES[target]) | set(COMMON_ATTRIBUTES)
    errors = [e.message for e in rules.check_stored(condition)]
    if not errors:
        errors = [f"未知属性：{v}" for v in sorted(_vars(condition) - known)]
    return {"condition": "；".join(errors)} if errors else {}


def is_provincial(actor) -> bool:
    """The system, a provincial supervisor, or an admin-site user granted the permission."""
    if actor is None:
        return True
    if actor.role == Role.SUPERVISOR:
        return actor.region_id is None or actor.region.level == RegionLevel.PROVINCE
    return actor.has_perm("supervision.change_warningrule")


def rule_editable(actor, region) -> bool:
    """A supervisor edits the rules of their region and below; province-wide ones (no region)
    belong to a provincial supervisor."""
    if is_provincial(actor):
        return True
    if actor.role != Role.SUPERVISOR or region is None:
        return False
    return region.code.startswith(actor.region.prefix)


def _rule_region(actor, existing: WarningRule | None, region: str | None):
    """The region a saved rule applies in: as given, else as it was, else the editor's own."""
    if region is None:
        if existing is not None:
            return existing.region
        return None if is_provincial(actor) else actor.region
    if region == "":
        return None
    found = Region.objects.filter(code=region).first()
    if found is None:
        raise Unprocessable(f"未知的行政区划：{region}", fields={"region": "不存在"})
    return found


def _check_editable(actor, existing: WarningRule | None, region) -> None:
    if actor is not None and actor.role != Role.SUPERVISOR and not is_provincial(actor):
        raise Forbidden("仅监督人员可以配置预警规则")
    for where in ([existing.region] if existing else []) + [region]:
        if not rule_editable(actor, where):
            scope = where.name if where else "全省"
            raise Forbidden(
                f"无权修改适用于{scope}的预警规则：只能配置本区划及下级的规则",
                fields={"region": "超出您的管辖范围"},
            )


@transaction.atomic
def rule_save(
    *,
    actor,
    code: str,
    name: str,
    target: str,
    level: str,
    condition,
    threshold: float = 0,
    enabled: bool = True,
    description: str = "",
    region: str | None = None,
) -> WarningRule:
    """Create or change a rule. ``region`` is a region code, "" for the whole province, or
    None to keep the rule's region (a new rule: the editor's own)."""
    existing = WarningRule.objects.select_for_update().filter(code=code).first()
    where = _rule_region(actor, existing, region)
    _check_editable(actor, existing, where)
    errors = rule_problems(target, condition)
    if level not in WarningLevel.values:
        errors["level"] = "应为 yellow 或 red"
    if errors:
        raise Unprocessable("预警规则有误：" + "；".join(errors.values()), fields=errors)
    rule, created = WarningRule.objects.update_or_create(
        code=code,
        defaults=dict(
            name=name,
            target=target,
            level=level,
            condition=condition,
            threshold=threshold,
            enabled=enabled,
            description=description,
            region=where,
        ),
    )
    record_event(
        actor=actor,
        verb="supervision.rule_saved",
        obj=rule,
        data={"created": created, "region": where.code if where else ""},
    )
    return rule


def rule_exists(code: str) -> bool:
    return WarningRule.objects.filter(code=code).exists()


def default_rules_ensure() -> int:
    """Create the default rules that are missing; an edited rule is left as it is."""
    created = 0
    for code, name, target, level, condition, threshold, description in DEFAULT_RULES:
        if WarningRule.objects.filter(code=code).exists():
            continue
        rule_save(
            actor=None,
            code=code,
            name=name,
            target=target,
            level=level,
            condition=condition,
            threshold=threshold,
            description=description,
        )
        created += 1
    return created
