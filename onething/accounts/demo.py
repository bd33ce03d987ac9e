"""Demo regions and one user per role (demo mode only)."""

from django.conf import settings
from django.contrib.auth.models import Permission

from . import services
from .constants import Role
from .models import Department, Region, User

WUHAN, JIANGAN = "420100", "420102"

# (username, role, name, region, department kind or None)
DEMO_USERS = [
    ("demo_citizen", Role.APPLICANT_PERSON, "张晓明", JIANGAN, None),
    ("demo_enterprise", Role.APPLICANT_ENTITY, "武汉市江岸区楚味餐饮有限公司", JIANGAN, None),
    ("demo_clerk", Role.WINDOW_CLERK, "李窗口", JIANGAN, "data_bureau"),
    ("demo_reviewer", Role.DEPT_REVIEWER, "王审批", JIANGAN, "market"),
    ("demo_deptadmin", Role.DEPT_ADMIN, "赵科长", JIANGAN, "market"),
    ("demo_catalog", Role.CATALOG_ADMIN, "陈数据", "420000", "data_bureau"),
    ("demo_supervisor", Role.SUPERVISOR, "周督查", WUHAN, None),
    ("demo_hotline", Role.HOTLINE_OPERATOR, "吴话务", WUHAN, None),
    ("demo_sysadmin", Role.SYSADMIN, "郑系统", "420000", "data_bureau"),
    ("demo_secadmin", Role.SECADMIN, "冯安全", "420000", "data_bureau"),
    ("demo_auditadmin", Role.AUDITADMIN, "褚审计", "420000", "data_bureau"),
]


def load(*, seed: int, stdout) -> None:
    n = services.regions_load()
    stdout.write(f"行政区划：{n} 个")


def users_load(*, stdout) -> None:
    """Called after the catalog has created the department kinds."""
    created = services.departments_ensure()
    stdout.write(f"部门：新增 {created} 个")
    for username, role, name, region, kind in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
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
    stdout.write(f"演示账号：{len(DEMO_USERS)} 个")
