"""Every write of feedback, one module a capability; callers keep ``from onething.feedback import services``.

Each public function runs in one transaction, records events and queues notifications in it.

- ``ratings``: 好差评 ratings and re-ratings
- ``rectifications``: replies, checks and visits of the rectification a bad rating opens
- ``tickets``: 12345 intake
- ``transitions``: ticket actions and merges
- ``sla``: the time-limit job
- ``base``: clock, staff lookups and the ticket event they share
"""

from .base import DEPT_ROLES
from .ratings import rating_invite, rating_rerate, rating_submit
from .rectifications import rectification_check, rectification_reply, rectification_visit
from .sla import sla_watch
from .tickets import INTAKE_ROLES, ticket_create, ticket_from_assistant
from .transitions import ALLOWED, DO, HINTS, ticket_actions, ticket_merge, ticket_transition

__all__ = [
    "ALLOWED",
    "DEPT_ROLES",
    "DO",
    "HINTS",
    "INTAKE_ROLES",
    "rating_invite",
    "rating_rerate",
    "rating_submit",
    "rectification_check",
    "rectification_reply",
    "rectification_visit",
    "sla_watch",
    "ticket_actions",
    "ticket_create",
    "ticket_from_assistant",
    "ticket_merge",
    "ticket_transition",
]
