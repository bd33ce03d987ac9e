"""Figures for supervision (the contract is in docs/supervision.md)."""

from datetime import datetime

from django.db.models import Avg, Count, F, Q

from ..constants import (
    BAD_LEVELS,
    OPEN_TICKET,
    SATISFIED,
    TicketStatus,
    Urgency,
)
from ..models import Rating, Ticket


def _period(qs, region_codes, date_from, date_to):
    return qs.filter(
        region_id__in=region_codes, created_at__date__gte=date_from, created_at__date__lte=date_to
    )


def supervision_hotline(*, region_codes, date_from, date_to) -> dict:
    """12345 SLA and satisfaction over tickets received in the period."""
    tickets = _period(
        Ticket.objects.exclude(status=TicketStatus.MERGED), region_codes, date_from, date_to
    )
    closed = tickets.filter(closed_at__isnull=False, handle_due__isnull=False)
    return {
        "total": tickets.count(),
        "signed_on_time": tickets.filter(signed_at__lte=F("sign_due")).count(),
        "handled_on_time": closed.filter(closed_at__lte=F("handle_due")).count(),
        "overdue": closed.filter(closed_at__gt=F("handle_due")).count(),
        "escalated": tickets.filter(escalations__gt=0).count(),
        "satisfied": tickets.filter(satisfaction__in=SATISFIED).count(),
        "rated": tickets.exclude(satisfaction="").count(),
    }


def supervision_ratings(*, region_codes, date_from, date_to) -> dict:
    """好评 = 非常满意/满意/基本满意, 差评 = 不满意/非常不满意 (as in rating_metrics)."""
    ratings = _period(Rating.objects.all(), region_codes, date_from, date_to)
    agg = ratings.aggregate(
        total=Count("pk"),
        good=Count("pk", filter=~Q(level__in=BAD_LEVELS)),
        bad=Count("pk", filter=Q(level__in=BAD_LEVELS)),
        average=Avg("level"),
    )
    return {**agg, "neutral": 0, "average": round(agg["average"], 2) if agg["average"] else None}


def supervision_ticket_subjects(now: datetime):
    """Open tickets as flat attributes for the JsonLogic warning rules."""
    for t in Ticket.objects.filter(status__in=OPEN_TICKET).select_related("department"):
        yield {
            "id": t.pk,
            "title": f"12345工单 {t.number}",
            "link": t.page_url,
            "region": t.region_id,
            "department": t.department,
            "attributes": _ticket_attributes(t, now),
        }


def _minutes(since, now) -> int | None:
    return max(int((now - since).total_seconds() // 60), 0) if since else None


def _ticket_attributes(t: Ticket, now: datetime) -> dict:
    unsigned = _minutes(t.dispatched_at, now) if t.signed_at is None else None
    unhandled = _minutes(t.created_at, now) if t.closed_at is None else None
    silent = _minutes(t.signed_at or t.dispatched_at, now) if t.feedback_at is None else None
    return {
        "status": t.status,
        "emergency": t.urgency == Urgency.EMERGENCY,
        "minutes_open": _minutes(t.created_at, now),
        "minutes_unsigned": unsigned,
        "minutes_unhandled": unhandled,
        "hours_without_feedback": silent // 60 if silent is not None else None,
        "region": t.region_id,
    }
