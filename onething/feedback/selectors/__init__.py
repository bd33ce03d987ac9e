"""Every read of feedback, one module a concern; callers keep ``from onething.feedback import selectors``.

- ``access``: who sees what
- ``ratings``: ratings and rectifications
- ``tickets``: 12345 tickets
- ``timelines``: timelines
- ``sla``: time limits
- ``figures``: figures for supervision
"""

from .access import (
    DEPT_ROLES,
    OVERSEERS,
    RECTIFICATION_TEXT,
    is_author,
    may_see_full,
    own_texts,
    wrote_event,
)
from .figures import supervision_hotline, supervision_ratings, supervision_ticket_subjects
from .ratings import (
    invitation_by_token,
    invitation_for_number,
    rateable_cases,
    rating_for_case,
    rating_metrics,
    rating_open_until,
    ratings_visible,
    rectification_get,
    rectification_queue,
    rectification_timeline,
    rectifications_visible,
)
from .sla import LIVE_TICKET, alert_level, pending_steps, ticket_alerts
from .tickets import (
    categories,
    department_queue,
    dispatch_targets,
    routing_suggestion,
    similar_tickets,
    sla_for,
    ticket_by_number,
    ticket_get,
    ticket_metrics,
    ticket_record,
    ticket_timeline,
    tickets_list,
    tickets_visible,
)
from .timelines import VERBS

__all__ = [
    "DEPT_ROLES",
    "LIVE_TICKET",
    "OVERSEERS",
    "RECTIFICATION_TEXT",
    "VERBS",
    "alert_level",
    "categories",
    "department_queue",
    "dispatch_targets",
    "invitation_by_token",
    "invitation_for_number",
    "is_author",
    "may_see_full",
    "own_texts",
    "pending_steps",
    "rateable_cases",
    "rating_for_case",
    "rating_metrics",
    "rating_open_until",
    "ratings_visible",
    "rectification_get",
    "rectification_queue",
    "rectification_timeline",
    "rectifications_visible",
    "routing_suggestion",
    "similar_tickets",
    "sla_for",
    "supervision_hotline",
    "supervision_ratings",
    "supervision_ticket_subjects",
    "ticket_alerts",
    "ticket_by_number",
    "ticket_get",
    "ticket_metrics",
    "ticket_record",
    "ticket_timeline",
    "tickets_list",
    "tickets_visible",
    "wrote_event",
]
