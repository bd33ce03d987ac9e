"""Who may see what: supervisors, their home region and the regions under it."""

from onething.accounts import selectors as accounts
from onething.accounts.constants import RegionLevel, Role
from onething.accounts.models import Region
from onething.common.errors import Forbidden

from ..facts import region_path

DEPARTMENT_ROLES = {Role.DEPT_ADMIN, Role.DEPT_REVIEWER}


CHANNELS = {"portal": "网上办事大厅", "window": "综合窗口", "api": "接口"}


# The column a region's rows carry its code in, and the column of its children.
SCOPE_COLUMN = {
    RegionLevel.PROVINCE: "province",
    RegionLevel.CITY: "city",
    RegionLevel.COUNTY: "county",
}


CHILD_COLUMN = {
    RegionLevel.PROVINCE: "city",
    RegionLevel.CITY: "county",
    RegionLevel.COUNTY: "county",
}


def is_supervisor(user) -> bool:
    # Supervisors only: the system administrators of 三权分立 do not read service data.
    return getattr(user, "is_authenticated", False) and user.role == Role.SUPERVISOR


def require_supervisor(user) -> None:
    if not is_supervisor(user):
        raise Forbidden("仅监督人员可以查看效能监测数据")


def home_region(user) -> Region:
    """The region a supervisor's dashboard opens on (the province when they have none)."""
    return user.region or Region.objects.filter(level=RegionLevel.PROVINCE).order_by("code").first()


def covers(user, province: str, city: str, county: str) -> bool:
    """Whether the user's region is this place or one of its parents."""
    if user.region_id is None:
        return user.role == Role.SUPERVISOR
    return user.region_id in {province, city, county}


def region_visible(user, region: Region) -> bool:
    in_scope = accounts.regions_visible_to(user).filter(code=region.code).exists()
    return in_scope and covers(user, *region_path(region.code))


def region_codes_under(region: Region) -> list[str]:
    column = SCOPE_COLUMN[region.level]
    return [
        r.code
        for r in Region.objects.all()
        if region_path(r.code)[["province", "city", "county"].index(column)] == region.code
    ]
