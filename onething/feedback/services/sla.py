"""Time limits of tickets: the periodic job that raises alerts and escalates."""

from django.db import transaction

from .. import selectors
from ..constants import (
    TicketStatus,
)
from ..models import Ticket
from .base import _now
from .transitions import _alert, _locked_ticket

_pending_steps = selectors.pending_steps


_level = selectors.alert_level


def sla_watch(*, now=None) -> int:
    """Warn before a step is late and escalate once it is; idempotent (one alert per round)."""
    now = now or _now()
    live = [TicketStatus.DISPATCHED, TicketStatus.SIGNED, TicketStatus.HANDLING]
    raised = 0
    for pk in Ticket.objects.filter(status__in=live).values_list("pk", flat=True):
        raised += _watch_one(pk, now)
    return raised


@transaction.atomic
def _watch_one(pk: int, now) -> int:
    ticket = _locked_ticket(pk)
    if ticket.status not in (TicketStatus.DISPATCHED, TicketStatus.SIGNED, TicketStatus.HANDLING):
        return 0
    raised = 0
    for step, start, due in _pending_steps(ticket):
        level = _level(start, due, now)
        if level:
            raised += _alert(ticket, step, level, due)
    return raised
