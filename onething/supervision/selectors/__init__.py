"""Every read of supervision, one module a concern; callers keep ``from onething.supervision import selectors``.

- ``access``: supervisors and the regions they cover
- ``filters``: the dashboard's query
- ``measures``, ``panels`` and ``panels_quality``: the dashboard's figures
- ``early_warnings``: the warnings a user may see

Reads are scoped to the viewer: a supervisor sees their region and below. Dashboard panels
read the rollups only (see models.py); each returns the same shape so the page, the API and
the xlsx export share it: {key, title, columns, rows, summary, chart, note}.
"""

from .access import (
    CHANNELS,
    CHILD_COLUMN,
    DEPARTMENT_ROLES,
    SCOPE_COLUMN,
    covers,
    home_region,
    is_supervisor,
    region_codes_under,
    region_visible,
    require_supervisor,
)
from .early_warnings import (
    can_see_warning,
    open_warnings_for_department,
    rules_list,
    warning_get,
    warnings_visible,
)
from .filters import Filters, breadcrumbs, children, filters_parse, onething_names
from .measures import MEASURES, avg, col, pct, reduction
from .panels import (
    PANEL_FUNCS,
    panel,
    panel_by_channel,
    panel_by_day,
    panel_by_onething,
    panel_by_region,
    panel_commitments,
    panel_cross_region,
    panel_durations,
    panel_hotline,
    panel_online,
    panel_overview,
    panel_ratings,
    panel_reductions,
    panel_timeliness,
    panel_warnings,
    panels,
)

__all__ = [
    "CHANNELS",
    "CHILD_COLUMN",
    "DEPARTMENT_ROLES",
    "Filters",
    "MEASURES",
    "PANEL_FUNCS",
    "SCOPE_COLUMN",
    "avg",
    "breadcrumbs",
    "can_see_warning",
    "children",
    "col",
    "covers",
    "filters_parse",
    "home_region",
    "is_supervisor",
    "onething_names",
    "open_warnings_for_department",
    "panel",
    "panel_by_channel",
    "panel_by_day",
    "panel_by_onething",
    "panel_by_region",
    "panel_commitments",
    "panel_cross_region",
    "panel_durations",
    "panel_hotline",
    "panel_online",
    "panel_overview",
    "panel_ratings",
    "panel_reductions",
    "panel_timeliness",
    "panel_warnings",
    "panels",
    "pct",
    "reduction",
    "region_codes_under",
    "region_visible",
    "require_supervisor",
    "rules_list",
    "warning_get",
    "warnings_visible",
]
