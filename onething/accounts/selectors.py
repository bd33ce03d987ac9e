"""Reads for accounts, and the scoping rules other apps use."""

import json
from functools import cache

from django.conf import settings
from django.db.models import Q
from django.urls import NoReverseMatch, reverse

from .constants import RegionLevel, Role
from .models import Department, Region, User

NAV = [
    # (label, url name, roles that see it; None = everyone)
    ("首页", "home", None),
    ("一件事目录", "catalog:index", None),
    ("智能导办", "assistant:index", None),
    ("办件", "cases:index", None),
    ("证照夹", "registry:wallet", {Role.APPLICANT_PERSON, Role.APPLICANT_ENTITY}),
    ("扫码查验", "registry:lookup", {Role.WINDOW_CLERK, Role.DEPT_REVIEWER}),
    ("证照核验", "registry:verify_form", None),
    ("政策库", "policies:index", None),
    ("我的政策", "policies:mine", {Role.APPLICANT_PERSON, Role.APPLICANT_ENTITY}),
    ("免申即享审核", "policies:batches", {Role.CATALOG_ADMIN, Role.DEPT_ADMIN, Role.SUPERVISOR}),
    ("好差评", "feedback:index", None),
    (
        "12345工单",
        "feedback:tickets",
        {Role.HOTLINE_OPERATOR, Role.DEPT_REVIEWER, Role.DEPT_ADMIN, Role.SUPERVISOR},
    ),
    (
        "差评整改",
        "feedback:rectifications",
        {Role.DEPT_REVIEWER, Role.DEPT_ADMIN, Role.SUPERVISOR, Role.HOTLINE_OPERATOR},
    ),
    ("评价指标", "feedback:metrics", {Role.SUPERVISOR, Role.HOTLINE_OPERATOR, Role.DEPT_ADMIN}),
    ("效能监测", "supervision:index", {Role.SUPERVISOR}),
    ("预警", "supervision:warnings", {Role.SUPERVISOR, Role.DEPT_ADMIN, Role.DEPT_REVIEWER}),
    ("目录管理", "admin:index", {Role.CATALOG_ADMIN}),
    ("系统运行状态", "system_status", {Role.SYSADMIN}),
    # The three administrators reach the admin site from the menu, each to what is theirs there.
    ("系统管理", "admin:index", {Role.SYSADMIN}),
    ("账号与安全管理", "admin:index", {Role.SECADMIN}),
    ("审计日志", "admin:common_auditrecord_changelist", {Role.AUDITADMIN}),
]


def navigation_for(user) -> list[dict]:
    """Menu entries for this user's role; entries of apps not installed yet are skipped."""
    role = getattr(user, "role", None) if getattr(user, "is_authenticated", False) else None
    items = []
    for label, url_name, roles in NAV:
        if roles is not None and role not in roles:
            continue
        try:
            items.append({"label": label, "url": reverse(url_name)})
        except NoReverseMatch:
            continue
    return items


def region_get(code: str) -> Region | None:
    return Region.objects.filter(code=code).select_related("parent").first()


@cache
def _provinces() -> list[tuple[str, str]]:
    doc = json.loads((settings.DATA_DIR / "regions" / "provinces.json").read_text(encoding="utf-8"))
    return [tuple(row) for row in doc["provinces"]]


def region_choices(*, beyond_province: bool = True) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every place a form may name, as a person picks it: the province's regions grouped by city,
    then (``beyond_province``) the other provinces, so nobody has to know a GB/T 2260 code."""
    regions = list(Region.objects.select_related("parent").order_by("code"))
    groups: dict[str, list[tuple[str, str]]] = {}
    for r in regions:
        if r.level == RegionLevel.PROVINCE:
            groups.setdefault(r.name, []).append((r.code, f"{r.name}（全省）"))
        elif r.level == RegionLevel.CITY:
            groups.setdefault(r.name, []).append((r.code, f"{r.name}（全市）"))
        elif r.parent is not None:
            groups.setdefault(r.parent.name, []).append((r.code, f"{r.parent.name}{r.name}"))
    choices = list(groups.items())
    if beyond_province:
        home = {r.code for r in regions if r.level == RegionLevel.PROVINCE}
        others = [(code, name) for code, name in _provinces() if code not in home]
        choices.append(("其他省（自治区、直辖市）", others))
    return choices


def region_label(code: str) -> str:
    """A region code as a person reads it (武汉市江岸区, 北京市); an unknown code stays as is."""
    region = region_get(code) if code else None
    if region is not None:
        parent = region.parent.name if region.level == RegionLevel.COUNTY and region.parent else ""
        return f"{parent}{region.name}"
    return dict(_provinces()).get(code, code)


def region_codes_under(region: Region) -> Q:
    """A Q over a region code field named ``code`` covering the region and everything below it."""
    return Q(code__startswith=region.prefix)


def regions_visible_to(user: User):
    if user.role == Role.SUPERVISOR and user.region is None:
        return Region.objects.all()
    if user.region is None:
        return Region.objects.none()
    return Region.objects.filter(region_codes_under(user.region))


def window_regions(*, within: str = ""):
    """County-level regions with a government service window (a data bureau there), the places
    an applicant may hand a 跨域通办 case in; ``within`` a code prefix (a province's "42")."""
    windows = Department.objects.filter(kind_id="data_bureau").values("region_id")
    return Region.objects.filter(
        code__in=windows, level=RegionLevel.COUNTY, code__startswith=within
    ).order_by("code")


def department_for(*, kind_code: str, region: Region) -> Department | None:
    """The competent department of a kind for a region, climbing to the parent if absent."""
    node = region
    while node is not None:
        dept = Department.objects.filter(kind_id=kind_code, region=node).first()
        if dept:
            return dept
        node = node.parent
    return None


def demo_users():
    return (
        User.objects.filter(username__startswith="demo_")
        .select_related("department", "region")
        .order_by("id")
    )
