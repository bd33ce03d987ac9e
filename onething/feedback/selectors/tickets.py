"""Reads of 12345 tickets, scoped to the viewer; routing suggestions, similar tickets, time limits, figures."""

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from onething.accounts import selectors as accounts
from onething.accounts.models import Department
from onething.common.errors import NotFound
from onething.rules import services as rules

from .. import text
from ..constants import (
    CATEGORIES,
    DEFAULT_SLA,
    OPEN_TICKET,
    SATISFACTION_TARGET,
    SATISFIED,
    SIMILAR_LIMIT,
    SIMILAR_THRESHOLD,
    SIMILAR_WINDOW_DAYS,
    TicketStatus,
)
from ..models import Ticket, TicketRoutingRule, TicketSla
from .access import DEPT_ROLES, OVERSEERS, _prefix
from .ratings import _rate
from .timelines import _timeline


def tickets_visible(user):
    qs = Ticket.objects.select_related("region", "department", "suggested_department")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.is_applicant:
        return qs.filter(submitted_by=user)
    if user.role in DEPT_ROLES and user.department_id:
        return qs.filter(department_id=user.department_id)
    prefix = _prefix(user)
    if user.role in OVERSEERS and prefix is not None:
        return qs.filter(region__code__startswith=prefix)
    return qs.none()


def ticket_get(user, pk: int) -> Ticket:
    found = tickets_visible(user).filter(pk=pk).first()
    if found is None:
        raise NotFound("工单不存在")
    return found


def ticket_by_number(user, number: str) -> Ticket:
    found = tickets_visible(user).filter(number=number).first()
    if found is None:
        raise NotFound("工单不存在")
    return found


def tickets_list(user, *, status: str | None = None, escalated: bool = False, limit: int = 200):
    qs = tickets_visible(user)
    if status:
        qs = qs.filter(status=status)
    if escalated:
        qs = qs.filter(escalations__gt=0, status__in=OPEN_TICKET)
    return qs.order_by("-created_at", "-id")[:limit]


def department_queue(user):
    """Open tickets of the user's department, the nearest handling deadline first."""
    if user.role not in DEPT_ROLES or not user.department_id:
        return Ticket.objects.none()
    live = [TicketStatus.DISPATCHED, TicketStatus.SIGNED, TicketStatus.HANDLING]
    return tickets_visible(user).filter(status__in=live).order_by("handle_due", "id")


def ticket_record(
    *,
    content="",
    category="",
    subcategory="",
    region="",
    urgency="",
    source="",
    location="",
    related_case="",
) -> dict:
    """The fields routing rules see (documented in docs/feedback.md)."""
    return {
        "content": content,
        "category": category,
        "subcategory": subcategory,
        "region": region,
        "urgency": urgency,
        "source": source,
        "location": location,
        "has_case": bool(related_case),
    }


def routing_suggestion(record: dict, region=None) -> tuple[TicketRoutingRule | None, object]:
    """(rule, department) of the first enabled rule that holds; (None, None) when none does."""
    for rule in TicketRoutingRule.objects.filter(enabled=True).order_by("position", "id"):
        try:
            matched = rules.holds(rule.rule, record)
        except rules.RuleRuntimeError:
            continue  # a broken rule must not stop intake; the admin shows validation errors
        if matched:
            return rule, _rule_department(rule, region)
    return None, None


def _rule_department(rule: TicketRoutingRule, region):
    if rule.department_id:
        return rule.department
    if rule.department_kind_id and region is not None:
        return accounts.department_for(kind_code=rule.department_kind_id, region=region)
    return None


def similar_tickets(content: str, *, region=None, exclude_id: int | None = None) -> list[dict]:
    """Open tickets whose content shares many character bigrams with this one (duplicates)."""
    mine = text.bigrams(content)
    if not mine:
        return []
    since = timezone.now() - timedelta(days=SIMILAR_WINDOW_DAYS)
    qs = Ticket.objects.filter(status__in=OPEN_TICKET, created_at__gte=since)
    if region is not None:
        qs = qs.filter(region__code__startswith=region.code[:4])
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    scored = [
        {"ticket": t, "score": round(text.jaccard(mine, text.bigrams(t.content)), 3)}
        for t in qs.select_related("department").order_by("-created_at")[:500]
    ]
    hits = [s for s in scored if s["score"] >= SIMILAR_THRESHOLD]
    return sorted(hits, key=lambda s: -s["score"])[:SIMILAR_LIMIT]


def sla_for(*, urgency: str, category: str) -> dict:
    """The most specific configured limits (urgency+category, urgency, category, any)."""
    rows = TicketSla.objects.filter(
        Q(urgency=urgency) | Q(urgency=""), Q(category=category) | Q(category="")
    )
    best = max(rows, key=lambda r: (bool(r.urgency), bool(r.category)), default=None)
    if best is not None:
        return {
            "sign_minutes": best.sign_minutes,
            "feedback_hours": best.feedback_hours,
            "handle_hours": best.handle_hours,
            "working": best.working_hours,
        }
    sign, feedback, handle = DEFAULT_SLA.get(urgency, DEFAULT_SLA["normal"])
    return {
        "sign_minutes": sign,
        "feedback_hours": feedback,
        "handle_hours": handle,
        "working": False,
    }


def ticket_timeline(ticket: Ticket) -> list[dict]:
    return _timeline(ticket)


def ticket_metrics(*, region, start: datetime, end: datetime) -> dict:
    tickets = Ticket.objects.filter(
        region__code__startswith=region.prefix, created_at__gte=start, created_at__lt=end
    ).exclude(status=TicketStatus.MERGED)
    rated = tickets.exclude(satisfaction="")
    happy = rated.filter(satisfaction__in=SATISFIED).count()
    closed = tickets.filter(closed_at__isnull=False)
    visited = closed.filter(visits__isnull=False).distinct().count()
    rate = _rate(happy, rated.count())
    return {
        "region": region.code,
        "tickets": tickets.count(),
        "closed": closed.count(),
        "rated": rated.count(),
        "satisfied": happy,
        "satisfaction_rate": rate,
        "target": SATISFACTION_TARGET,
        "meets_target": rate is not None and rate >= SATISFACTION_TARGET,
        "visit_rate": _rate(visited, closed.count()),
        "escalated": tickets.filter(escalations__gt=0).count(),
        "open": tickets.filter(status__in=OPEN_TICKET).count(),
    }


def categories() -> dict[str, list[str]]:
    return CATEGORIES


def dispatch_targets(region):
    """Departments a ticket in ``region`` may go to: its own, its city's and the province's."""
    codes = []
    while region is not None:
        codes.append(region.code)
        region = region.parent
    return Department.objects.filter(region__code__in=codes).select_related("region", "kind")
