"""Demo regions and accounts (demo mode only).

One account per role, plus a reviewer in every department that a catalog one-thing of the demo
region (江岸区) reaches, at the level its items are handled (江岸区, 武汉市 or 湖北省), and in every
department the demo 12345 routing rules send tickets to: so every one-thing can be taken from
application to 办结, and every ticket and rectification reaches someone, with demo accounts alone.
"""

import hashlib
from itertools import groupby

from django.conf import settings
from django.contrib.auth.models import Permission

from . import selectors, services
from .constants import RegionLevel, Role
from .models import Department, Region, User

PROVINCE, WUHAN, JIANGAN = "420000", "420100", "420102"
DEMO_REGION = JIANGAN

# (username, role, name, region, department kind or None)
DEMO_USERS = [
    ("demo_citizen", Role.APPLICANT_PERSON, "张晓明", JIANGAN, None),
    ("demo_enterprise", Role.APPLICANT_ENTITY, "武汉市江岸区楚味餐饮有限公司", JIANGAN, None),
    ("demo_clerk", Role.WINDOW_CLERK, "李窗口", JIANGAN, "data_bureau"),
    ("demo_reviewer", Role.DEPT_REVIEWER, "王审批", JIANGAN, "market"),
    ("demo_deptadmin", Role.DEPT_ADMIN, "赵科长", JIANGAN, "market"),
    # The window's own department: ratings of the window and 12345 tickets about cases land here.
    ("demo_deptadmin_data_bureau", Role.DEPT_ADMIN, "钱主任", JIANGAN, "data_bureau"),
    ("demo_catalog", Role.CATALOG_ADMIN, "陈数据", PROVINCE, "data_bureau"),
    ("demo_supervisor", Role.SUPERVISOR, "周督查", WUHAN, None),
    # Rectifications of provincial departments are checked by a supervisor whose region covers them.
    ("demo_supervisor_province", Role.SUPERVISOR, "孙督查", PROVINCE, None),
    ("demo_hotline", Role.HOTLINE_OPERATOR, "吴话务", WUHAN, None),
    ("demo_sysadmin", Role.SYSADMIN, "郑系统", PROVINCE, "data_bureau"),
    ("demo_secadmin", Role.SECADMIN, "冯安全", PROVINCE, "data_bureau"),
    ("demo_auditadmin", Role.AUDITADMIN, "褚审计", PROVINCE, "data_bureau"),
]

LEVEL_SUFFIX = {
    RegionLevel.COUNTY: "",
    RegionLevel.CITY: "_city",
    RegionLevel.PROVINCE: "_province",
}
SURNAMES = "刘陈杨黄吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
GIVEN = [
    "建国",
    "丽华",
    "志强",
    "海燕",
    "文斌",
    "晓燕",
    "国庆",
    "春梅",
    "永刚",
    "秀英",
    "俊杰",
    "红霞",
    "德明",
    "静怡",
    "卫东",
    "雪梅",
    "振华",
    "玉兰",
    "立新",
    "慧敏",
    "明辉",
    "小红",
    "家豪",
    "凤英",
]


def load(*, seed: int, stdout) -> None:
    n = services.regions_load()
    stdout.write(f"行政区划：{n} 个")


def users_load(*, stdout) -> None:
    """Called after the catalog has created the department kinds."""
    created = services.departments_ensure()
    stdout.write(f"部门：新增 {created} 个")
    rows = DEMO_USERS + reviewer_rows()
    added = 0
    for username, role, name, region, kind in rows:
        if User.objects.filter(username=username).exists():
            continue
        added += 1
        dept = Department.objects.filter(kind_id=kind, region_id=region).first() if kind else None
        user = services.user_create(
            username=username,
            password=settings.ONETHING_DEMO_PASSWORD,
            role=role,
            display_name=name,
            department=dept,
            region=Region.objects.get(code=region),
        )
        if role == Role.CATALOG_ADMIN:
            user.user_permissions.set(
                Permission.objects.filter(content_type__app_label__in=["catalog", "policies"])
            )
    stdout.write(f"演示账号：{len(rows)} 个，新增 {added} 个")


def reviewer_rows() -> list[tuple]:
    """A reviewer for every department the demo region's one-things and tickets reach that no
    account above already staffs (a department admin decides tasks and signs tickets too)."""
    deciders = {Role.DEPT_REVIEWER, Role.DEPT_ADMIN}
    have = {(kind, region) for _, role, _, region, kind in DEMO_USERS if role in deciders}
    rows = []
    for dept in sorted(demo_departments(), key=lambda d: (d.region_id, d.kind_id)):
        if (dept.kind_id, dept.region_id) in have:
            continue
        username = reviewer_username(dept)
        rows.append(
            (username, Role.DEPT_REVIEWER, person_name(username), dept.region_id, dept.kind_id)
        )
    return rows


def reviewer_username(dept: Department) -> str:
    return (
        f"demo_reviewer_{dept.kind_id}{LEVEL_SUFFIX.get(dept.region.level, '_' + dept.region_id)}"
    )


def person_name(username: str) -> str:
    """A synthetic Chinese name, the same for a username on every load."""
    n = int.from_bytes(hashlib.sha256(username.encode()).digest()[:4], "big")
    return SURNAMES[n % len(SURNAMES)] + GIVEN[(n // len(SURNAMES)) % len(GIVEN)]


def demo_departments() -> set[Department]:
    """Departments that handle an item of a catalog one-thing for, or a 12345 ticket from, 江岸区."""
    from onething.cases.services import department_for_item  # routing as cases do it
    from onething.catalog import selectors as catalog
    from onething.feedback.demo import RULES

    region = Region.objects.select_related("parent").get(code=DEMO_REGION)
    found = set()
    for onething in catalog.onethings_visible(region=region):
        version = catalog.version_latest(onething.code)
        for item in version.snapshot["items"] if version else ():
            found.add(department_for_item(item, region))
    for *_, kind in RULES:
        if dept := selectors.department_for(kind_code=kind, region=region):
            found.add(dept)
    return found


def loaded() -> bool:
    return User.objects.filter(username__startswith="demo_").exists()


def users_print(stdout) -> None:
    """The demo accounts by role and department, for `onething demo users`."""
    password = settings.ONETHING_DEMO_PASSWORD if settings.DEMO_MODE else "（非演示模式不显示）"
    stdout.write(f"\n演示账号（密码均为 {password}），按角色和部门：")
    order = {role: n for n, role in enumerate(Role.values)}
    users = sorted(
        selectors.demo_users(),
        key=lambda u: (
            order.get(u.role, 99),
            u.department_id is None,
            u.department.code if u.department else "",
            u.id,
        ),
    )
    for role, members in groupby(users, key=lambda u: u.role):
        stdout.write(f"\n{Role(role).label}")
        for where, group in groupby(members, key=_place):
            stdout.write(f"  {where}")
            for user in group:
                stdout.write(f"    {user.username:<34} {user.display_name}")
    stdout.write("")


def _place(user) -> str:
    """Where an account works: its department, else its region."""
    if user.department:
        return user.department.name
    return user.region.name if user.region else "（不限地区）"
