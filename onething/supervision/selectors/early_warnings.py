"""Early warnings: which a user may see, and the rules that raise them."""

from django.db.models import Q

from ..constants import WarningStatus
from ..models import Warning, WarningRule
from .access import DEPARTMENT_ROLES, covers, is_supervisor


def can_see_warning(user, warning: Warning) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role in DEPARTMENT_ROLES:
        return bool(user.department_id) and warning.department_id == user.department_id
    return is_supervisor(user) and covers(user, warning.province, warning.city, warning.county)


def warnings_visible(user, *, status: str = "", level: str = ""):
    qs = Warning.objects.select_related("department", "rule")
    if user.role in DEPARTMENT_ROLES and user.department_id:
        qs = qs.filter(department_id=user.department_id)
    elif is_supervisor(user):
        if user.region_id:
            code = user.region_id
            qs = qs.filter(Q(province=code) | Q(city=code) | Q(county=code))
    else:
        return Warning.objects.none()
    if status:
        qs = qs.filter(status=status)
    if level:
        qs = qs.filter(level=level)
    return qs.order_by("status", "-raised_at", "-id")


def warning_get(user, warning_id: int) -> Warning | None:
    warning = Warning.objects.select_related("department", "rule").filter(pk=warning_id).first()
    return warning if warning and can_see_warning(user, warning) else None


def open_warnings_for_department(department):
    """Unresolved warnings a department owns, red first (for the cases/feedback queue pages)."""
    if department is None:
        return Warning.objects.none()
    return (
        Warning.objects.filter(department=department)
        .exclude(status=WarningStatus.RESOLVED)
        .order_by("level", "raised_at", "id")  # "red" sorts before "yellow"
    )


def rules_list():
    return WarningRule.objects.select_related("region").order_by("target", "code")
