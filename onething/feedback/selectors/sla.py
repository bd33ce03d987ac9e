"""Time limits: what a ticket owes, read at the moment it is read."""

from django.utils import timezone

from ..constants import (
    WARNING_SHARE,
    AlertLevel,
    SlaStep,
    TicketStatus,
)
from ..models import Ticket

LIVE_TICKET = (TicketStatus.DISPATCHED, TicketStatus.SIGNED, TicketStatus.HANDLING)


def pending_steps(ticket: Ticket) -> list[tuple[str, object, object]]:
    """(step, start, due) of the steps this ticket still owes in its current round."""
    steps = []
    if ticket.status == TicketStatus.DISPATCHED:
        steps.append((SlaStep.SIGN, ticket.dispatched_at, ticket.sign_due))
    if ticket.feedback_at is None:
        steps.append((SlaStep.FEEDBACK, ticket.dispatched_at, ticket.feedback_due))
    steps.append((SlaStep.HANDLE, ticket.dispatched_at, ticket.handle_due))
    return steps


def alert_level(start, due, now) -> str:
    if now > due:
        return AlertLevel.OVERDUE
    if now >= start + (due - start) * WARNING_SHARE:
        return AlertLevel.WARNING
    return ""


def ticket_alerts(ticket: Ticket, *, now=None) -> list[dict]:
    """The time-limit alerts a ticket shows: overdue steps on record (they were escalated), and
    the steps still owed as they stand now, whether or not the job has run. A warning whose
    step was done in time (signed before its limit, say) is history, not shown."""
    now = now or timezone.now()
    shown = {}
    for alert in ticket.alerts.filter(level=AlertLevel.OVERDUE).order_by("created_at"):
        shown[(alert.round, alert.step)] = _alert_row(alert.step, alert.level, alert.due)
    if ticket.status in LIVE_TICKET and ticket.dispatched_at:
        for step, start, due in pending_steps(ticket):
            level = alert_level(start, due, now)
            if level and (ticket.round, step) not in shown:
                shown[(ticket.round, step)] = _alert_row(step, level, due)
    return list(shown.values())


def _alert_row(step: str, level: str, due) -> dict:
    return {
        "step": step,
        "step_label": SlaStep(step).label,
        "level": level,
        "level_label": AlertLevel(level).label,
        "due": due,
    }
