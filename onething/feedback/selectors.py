"""Reads for ratings, rectifications and tickets, scoped to who is asking; metrics."""

from datetime import datetime, timedelta

from django.db.models import Avg, Count, F, Q
from django.utils import timezone

from onething.accounts import selectors as accounts
from onething.accounts.constants import Role
from onething.accounts.models import Department
from onething.cases import selectors as cases
from onething.cases.constants import CaseStatus
from onething.common.errors import NotFound
from onething.common.events import events_for
from onething.rules import services as rules

from . import text
from .constants import (
    BAD_LEVELS,
    CATEGORIES,
    DEFAULT_SLA,
    OPEN_TICKET,
    SATISFACTION_TARGET,
    SATISFIED,
    SIMILAR_LIMIT,
    SIMILAR_THRESHOLD,
    SIMILAR_WINDOW_DAYS,
    WARNING_SHARE,
    AlertLevel,
    Level,
    RatingTarget,
    RectificationStatus,
    SlaStep,
    TicketStatus,
    Urgency,
    rating_days,
)
from .models import Rating, RatingInvitation, Rectification, Ticket, TicketRoutingRule, TicketSla

DEPT_ROLES = {Role.DEPT_ADMIN, Role.DEPT_REVIEWER}
OVERSEERS = {Role.SUPERVISOR, Role.HOTLINE_OPERATOR}


def may_see_full(user) -> bool:
    """Staff who may ask for full numbers (``?full=1``, audited): whoever may see a ticket's
    contact phone — 12345 operators, supervisors and the departments; not window clerks, who
    see a region's ratings but never a caller's number."""
    return getattr(user, "role", None) in DEPT_ROLES | OVERSEERS


def is_author(user, obj: Rating | Ticket) -> bool:
    """The applicant who wrote a rating or a ticket reads their own words in full, unrecorded."""
    writer = obj.rater_id if isinstance(obj, Rating) else obj.submitted_by_id
    return bool(getattr(user, "is_applicant", False)) and writer == user.pk


# A rectification's own texts and who wrote each: the department's reply (核实情况, 整改措施,
# 答复, one act), the supervisor's 审核意见, the 回访记录.
RECTIFICATION_TEXT = {"verification": "replied_by_id", "measures": "replied_by_id",
                      "reply": "replied_by_id", "check_note": "checked_by_id",
                      "visit_note": "visited_by_id"}  # fmt: skip


def own_texts(user, rect: Rectification) -> set[str]:
    """The rectification texts ``user`` wrote: shown to them as typed, unrecorded."""
    me = getattr(user, "pk", None)
    if me is None:
        return set()
    return {name for name, writer in RECTIFICATION_TEXT.items() if getattr(rect, writer) == me}


def wrote_event(user, event: dict) -> bool:
    """Whether ``user`` is the actor of a timeline event (a check note is its supervisor's)."""
    return event["actor_id"] is not None and event["actor_id"] == getattr(user, "pk", None)


def _prefix(user) -> str | None:
    """The user's region prefix; "" for a province-wide supervisor without a region."""
    if user.region is not None:
        return user.region.prefix
    return "" if user.role == Role.SUPERVISOR else None


# ---- ratings and rectifications ----------------------------------------------------------


def ratings_visible(user):
    qs = Rating.objects.select_related("case", "department", "region")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.is_applicant:
        return qs.filter(rater=user)
    if user.role in DEPT_ROLES and user.department_id:
        return qs.filter(department_id=user.department_id)
    prefix = _prefix(user)
    if user.role in OVERSEERS | {Role.WINDOW_CLERK} and prefix is not None:
        return qs.filter(region__code__startswith=prefix)
    return qs.none()


def rating_for_case(case) -> Rating | None:
    return Rating.objects.filter(case=case).select_related("rectification").first()


def invitation_by_token(token: str) -> RatingInvitation | None:
    if not token:
        return None
    return RatingInvitation.objects.filter(token=token).select_related("case").first()


def invitation_for_number(number: str) -> RatingInvitation | None:
    return RatingInvitation.objects.filter(case__number=number).select_related("case").first()


def rating_open_until(case) -> datetime | None:
    if case.finished_at is None:
        return None
    return case.finished_at + timedelta(days=rating_days())


def rateable_cases(user) -> list:
    """The applicant's completed cases still open for a rating and not rated yet."""
    if not getattr(user, "is_applicant", False):
        return []
    since = timezone.now() - timedelta(days=rating_days())
    done = cases.cases_visible(user).filter(status=CaseStatus.COMPLETED, finished_at__gte=since)
    rated = set(Rating.objects.filter(case__in=done).values_list("case_id", flat=True))
    return [c for c in done.order_by("-finished_at")[:50] if c.pk not in rated]


def rectifications_visible(user):
    qs = Rectification.objects.select_related("rating", "rating__case", "department")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.is_applicant:
        return qs.filter(rating__rater=user)
    if user.role in DEPT_ROLES and user.department_id:
        return qs.filter(department_id=user.department_id)
    prefix = _prefix(user)
    if user.role in OVERSEERS and prefix is not None:
        return qs.filter(department__region__code__startswith=prefix)
    return qs.none()


def rectification_get(user, pk: int) -> Rectification:
    found = rectifications_visible(user).filter(pk=pk).first()
    if found is None:
        raise NotFound("整改记录不存在")
    return found


def rectification_queue(user):
    """What waits for this user: the department's open ones, or replies for a supervisor."""
    qs = rectifications_visible(user)
    if user.role in DEPT_ROLES:
        return qs.filter(status=RectificationStatus.PENDING).order_by("deadline", "id")
    if user.role == Role.SUPERVISOR:
        return qs.filter(status=RectificationStatus.REPLIED).order_by("replied_at", "id")
    if user.role == Role.HOTLINE_OPERATOR:
        return qs.filter(status=RectificationStatus.APPROVED).order_by("checked_at", "id")
    return qs.none()


def rectification_timeline(rect: Rectification) -> list[dict]:
    return _timeline(rect.rating) + _timeline(rect)


def rating_metrics(*, region, start: datetime, end: datetime, user=None) -> dict:
    """好评率, 差评整改率, 回访率, 评价覆盖率 over ratings made in [start, end) in a region."""
    ratings = Rating.objects.filter(
        region__code__startswith=region.prefix, created_at__gte=start, created_at__lt=end
    )
    total = ratings.count()
    bad = ratings.filter(level__in=BAD_LEVELS).count()
    rects = Rectification.objects.filter(rating__in=ratings)
    rectified = rects.filter(
        status__in=[RectificationStatus.APPROVED, RectificationStatus.CLOSED]
    ).count()
    visited = rects.filter(visited_at__isnull=False).count()
    completed, rated = _coverage(region, start, end, user)
    return {
        "region": region.code, "start": start, "end": end, "ratings": total,
        "good": total - bad, "bad": bad, "good_rate": _rate(total - bad, total),
        "rectified": rectified, "rectification_rate": _rate(rectified, bad),
        "visited": visited, "visit_rate": _rate(visited, rectified),
        "completed_cases": completed, "rated_cases": rated, "coverage_rate": _rate(rated, completed),
        "by_level": {lv.label: ratings.filter(level=lv).count() for lv in Level},
    }  # fmt: skip


def _coverage(region, start, end, user) -> tuple[int, int]:
    """Completed cases in the period (as the asking user may see them) and how many are rated."""
    if user is None:
        return 0, 0
    done = cases.cases_visible(user).filter(
        status=CaseStatus.COMPLETED,
        finished_at__gte=start,
        finished_at__lt=end,
        process_region__code__startswith=region.prefix,
    )
    rated = Rating.objects.filter(case__in=done, target=RatingTarget.CASE).count()
    return done.count(), rated


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


# ---- tickets -----------------------------------------------------------------------------


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


def ticket_record(*, content="", category="", subcategory="", region="", urgency="", source="",
                  location="", related_case="") -> dict:  # fmt: skip
    """The fields routing rules see (documented in docs/feedback.md)."""
    return {
        "content": content, "category": category, "subcategory": subcategory, "region": region,
        "urgency": urgency, "source": source, "location": location, "has_case": bool(related_case),
    }  # fmt: skip


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
        return {"sign_minutes": best.sign_minutes, "feedback_hours": best.feedback_hours,
                "handle_hours": best.handle_hours, "working": best.working_hours}  # fmt: skip
    sign, feedback, handle = DEFAULT_SLA.get(urgency, DEFAULT_SLA["normal"])
    return {"sign_minutes": sign, "feedback_hours": feedback, "handle_hours": handle,
            "working": False}  # fmt: skip


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
        "region": region.code, "tickets": tickets.count(), "closed": closed.count(),
        "rated": rated.count(), "satisfied": happy, "satisfaction_rate": rate,
        "target": SATISFACTION_TARGET, "meets_target": rate is not None and rate >= SATISFACTION_TARGET,
        "visit_rate": _rate(visited, closed.count()),
        "escalated": tickets.filter(escalations__gt=0).count(),
        "open": tickets.filter(status__in=OPEN_TICKET).count(),
    }  # fmt: skip


def categories() -> dict[str, list[str]]:
    return CATEGORIES


def dispatch_targets(region):
    """Departments a ticket in ``region`` may go to: its own, its city's and the province's."""
    codes = []
    while region is not None:
        codes.append(region.code)
        region = region.parent
    return Department.objects.filter(region__code__in=codes).select_related("region", "kind")


# ---- timelines ---------------------------------------------------------------------------

VERBS = {
    "rating.invited": "发出评价邀请",
    "rating.created": "评价",
    "rating.rerated": "追评（整改后再次评价）",
    "rectification.opened": "差评自动转整改",
    "rectification.replied": "部门核实整改并答复",
    "rectification.returned": "审核退回，重新整改",
    "rectification.approved": "监督审核通过",
    "rectification.visited": "回访",
    "ticket.received": "受理",
    "ticket.dispatched": "派单",
    "ticket.signed": "签收",
    "ticket.handled": "办理反馈",
    "ticket.closed": "办结",
    "ticket.returned": "退单",
    "ticket.escalated": "督办",
    "ticket.reopened": "重办",
    "ticket.visited": "回访",
    "ticket.rated": "评价",
    "ticket.merged": "合并重复诉求",
    "ticket.duplicate_merged": "并入重复诉求",
    "ticket.warning": "即将超时预警",
}


def _timeline(obj) -> list[dict]:
    return [
        {
            "id": e.pk,
            "verb": e.verb,
            "label": VERBS.get(e.verb, e.verb),
            "at": e.created_at,
            "actor": str(e.actor) if e.actor else "系统",
            "actor_id": e.actor_id,
            "data": e.data,
        }  # fmt: skip
        for e in events_for(obj).select_related("actor")
    ]


# ---- figures for supervision (contract in docs/supervision.md) ------------------------------


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
            "link": f"/feedback/tickets/{t.pk}/",
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


# ---- time limits: what a ticket owes, read at the moment it is read ----------------------

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
    return {"step": step, "step_label": SlaStep(step).label, "level": level,
            "level_label": AlertLevel(level).label, "due": due}  # fmt: skip
