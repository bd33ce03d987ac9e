"""Every write of supervision, one module a capability; callers keep ``from onething.supervision import services``.

- ``facts``: case facts
- ``rollups``: the dashboard's rollups
- ``warning_rules``: the rules
- ``warning_runs``: raising, acknowledging and resolving warnings
"""

from .facts import OVERLAP, case_fact_refresh, facts_catch_up, last_fact_update
from .rollups import (
    PLACE,
    open_rollup_rebuild,
    refresh,
    rollup_month,
    rollups_rebuild,
    rollups_rebuild_all,
    touched_months,
)
from .warning_rules import (
    default_rules_ensure,
    is_provincial,
    rule_editable,
    rule_exists,
    rule_problems,
    rule_save,
)
from .warning_runs import warning_acknowledge, warning_resolve, warnings_evaluate

__all__ = [
    "OVERLAP",
    "PLACE",
    "case_fact_refresh",
    "default_rules_ensure",
    "facts_catch_up",
    "is_provincial",
    "last_fact_update",
    "open_rollup_rebuild",
    "refresh",
    "rollup_month",
    "rollups_rebuild",
    "rollups_rebuild_all",
    "rule_editable",
    "rule_exists",
    "rule_problems",
    "rule_save",
    "touched_months",
    "warning_acknowledge",
    "warning_resolve",
    "warnings_evaluate",
]
