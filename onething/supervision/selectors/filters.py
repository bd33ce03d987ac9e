"""The dashboard's filters: parsing the query into a Filters value, naming error fields in Chinese."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils import timezone

from onething.accounts import selectors as accounts
from onething.accounts.constants import RegionLevel
from onething.accounts.models import Region
from onething.catalog import selectors as catalog
from onething.common.errors import Forbidden, Unprocessable

from ..constants import DEFAULT_MONTHS, MAX_MONTHS
from .access import SCOPE_COLUMN, home_region, region_visible, require_supervisor


@dataclass(frozen=True)
class Filters:
    region: Region
    onething: str
    month_from: date
    month_to: date

    @property
    def date_to(self) -> date:
        return (self.month_to.replace(day=28) + _days(4)).replace(day=1) - _days(1)

    def scope(self) -> Q:
        return Q(**{SCOPE_COLUMN[self.region.level]: self.region.code})

    def as_params(self) -> dict:
        return {
            "region": self.region.code, "onething": self.onething,
            "from": f"{self.month_from:%Y-%m}", "to": f"{self.month_to:%Y-%m}",
        }  # fmt: skip


def _days(n: int):
    from datetime import timedelta

    return timedelta(days=n)


def _month_param(value: str, name: str, label: str) -> date:
    try:
        year, month = (int(p) for p in str(value).strip().split("-"))
        parsed = date(year, month, 1)
    except (ValueError, TypeError):
        raise Unprocessable(
            f"{label}格式应为 YYYY-MM，如 2025-01", fields={name: "格式应为 YYYY-MM"}
        ) from None
    if not 2000 <= parsed.year <= 2100:
        raise Unprocessable(f"{label}超出范围（2000–2100 年）", fields={name: "超出范围"})
    return parsed


def _months_between(a: date, b: date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month + 1


def _region_param(user, code) -> Region:
    if not code:
        return home_region(user)
    code = str(code).strip()
    if not (len(code) == 6 and code.isdigit()):
        raise Unprocessable("区划代码应为 6 位数字", fields={"region": "应为 6 位数字"})
    region = accounts.region_get(code)
    if region is None:
        raise Unprocessable(f"未知的行政区划：{code}", fields={"region": "不存在"})
    if not region_visible(user, region):
        raise Forbidden(f"无权查看{region.name}的数据", fields={"region": "不在您的监督范围内"})
    return region


def _onething_param(code) -> str:
    code = str(code or "").strip()
    if code and catalog.version_latest(code) is None:
        raise Unprocessable(f"未知的一件事：{code[:64]}", fields={"onething": "不存在"})
    return code


def filters_parse(user, params) -> Filters:
    """Validated filters from query parameters (region, onething, from, to as YYYY-MM)."""
    require_supervisor(user)
    today = timezone.localdate().replace(day=1)
    default_from = (today - _days(31 * (DEFAULT_MONTHS - 1))).replace(day=1)
    month_to = _month_param(params.get("to"), "to", "截止月份") if params.get("to") else today
    month_from = (
        _month_param(params.get("from"), "from", "起始月份") if params.get("from") else default_from
    )
    if month_from > month_to:
        raise Unprocessable("起始月份不能晚于截止月份", fields={"from": "晚于截止月份"})
    if _months_between(month_from, month_to) > MAX_MONTHS:
        raise Unprocessable(
            f"统计区间最长 {MAX_MONTHS} 个月", fields={"from": f"区间超过 {MAX_MONTHS} 个月"}
        )
    return Filters(
        region=_region_param(user, params.get("region")),
        onething=_onething_param(params.get("onething")),
        month_from=month_from,
        month_to=month_to,
    )


def breadcrumbs(user, region: Region) -> list[Region]:
    trail, node = [], region
    while node is not None and (not trail or region_visible(user, node)):
        trail.append(node)
        node = node.parent
    return list(reversed(trail))


def children(region: Region) -> list[Region]:
    return list(region.children.order_by("code")) if region.level != RegionLevel.COUNTY else []


def onething_names() -> dict[str, str]:
    from onething.catalog.models import OneThing

    return dict(OneThing.objects.values_list("code", "name"))
