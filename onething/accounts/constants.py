import string

from django.db import models


class Role(models.TextChoices):
    APPLICANT_PERSON = "applicant_person", "申请人（个人）"
    APPLICANT_ENTITY = "applicant_entity", "申请人（企业）"
    WINDOW_CLERK = "window_clerk", "综合窗口人员"
    DEPT_REVIEWER = "dept_reviewer", "部门审批人员"
    DEPT_ADMIN = "dept_admin", "部门管理员"
    CATALOG_ADMIN = "catalog_admin", "目录管理员（数据局）"
    SUPERVISOR = "supervisor", "监督人员"
    HOTLINE_OPERATOR = "hotline_operator", "12345话务员"
    # 三权分立 (GB/T 22239-2019 8.1.4.2): each administers one thing and none can erase the audit.
    SYSADMIN = "sysadmin", "系统管理员"
    SECADMIN = "secadmin", "安全管理员"
    AUDITADMIN = "auditadmin", "审计管理员"


APPLICANT_ROLES = {Role.APPLICANT_PERSON, Role.APPLICANT_ENTITY}
STAFF_ROLES = set(Role) - APPLICANT_ROLES
ADMIN_ROLES = {Role.SYSADMIN, Role.SECADMIN, Role.AUDITADMIN}
# Roles that reach the Django admin (is_staff); what they see there is set per role.
ADMIN_SITE_ROLES = ADMIN_ROLES | {Role.CATALOG_ADMIN}


class RegionLevel(models.TextChoices):
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"


# A department kind's per-level name pattern (DepartmentKind.names) may use these placeholders:
# {region} is the prefix the plain suffix gets (a county's is its city's name and its own),
# {city} the city's name (a county's parent; the province's own at province level), {county}
# a county's own name.
DEPARTMENT_NAME_PLACEHOLDERS = {
    RegionLevel.PROVINCE: ("region", "city"),
    RegionLevel.CITY: ("region", "city"),
    RegionLevel.COUNTY: ("region", "city", "county"),
}


def department_names_problems(names) -> list[tuple[str, str]]:
    """What is wrong with a kind's per-level name patterns, as (level key, message) pairs."""
    if not isinstance(names, dict):
        return [("", f"分层级名称应为“层级: 名称模式”的映射：{names!r}")]
    problems = []
    for level, pattern in names.items():
        if level not in RegionLevel.values:
            levels = "、".join(RegionLevel.values)
            problems.append((str(level), f"层级无效：{level!r}，应为 {levels} 之一"))
        elif not isinstance(pattern, str) or not pattern.strip():
            problems.append((level, f"名称模式应为非空字符串：{pattern!r}"))
        else:
            problems += [(level, m) for m in _pattern_problems(RegionLevel(level), pattern)]
    return problems


def _pattern_problems(level: RegionLevel, pattern: str) -> list[str]:
    allowed = DEPARTMENT_NAME_PLACEHOLDERS[level]
    try:
        fields = [
            (name, conversion, spec)
            for _, name, spec, conversion in string.Formatter().parse(pattern)
            if name is not None
        ]
    except ValueError:
        return [f"名称模式的花括号不成对：{pattern}"]
    known = "、".join(f"{{{p}}}" for p in allowed)
    return [
        f"未知占位符：{{{name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}}"
        f"，{level.label}名称只能用 {known}"
        for name, conversion, spec in fields
        if name not in allowed or conversion or spec
    ]
