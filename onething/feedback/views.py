"""Pages: 我的评价, rectification queue and check, the 12345 console, ticket detail, metrics."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from onething.accounts import selectors as accounts
from onething.accounts.constants import Role
from onething.cases import selectors as cases
from onething.common.errors import DomainError, NotFound

from . import selectors, serialize, services
from .constants import (
    CATEGORIES,
    REASON_TAGS,
    Level,
    RectificationStatus,
    Satisfaction,
    TicketAction,
    Urgency,
    VisitResult,
)

DEPT_ROLES = {Role.DEPT_ADMIN, Role.DEPT_REVIEWER}


@login_required
def index(request):
    user = request.user
    if user.role == Role.HOTLINE_OPERATOR:
        return redirect("feedback:tickets")
    context = {
        "rateable": selectors.rateable_cases(user),
        "ratings": selectors.ratings_visible(user)[:50],
        "queue": selectors.rectification_queue(user),
        "tickets": selectors.tickets_list(user, limit=20),
    }
    return render(request, "feedback/index.html", context)


# ---- rating a case -----------------------------------------------------------------------


def _rate_context(case, rating, *, token: str = "", errors=None, posted=None) -> dict:
    rect = getattr(rating, "rectification", None) if rating else None
    return {
        "case": case,
        "rating": rating,
        "rect": rect,
        "token": token,
        "levels": Level.choices,
        "tags": REASON_TAGS,
        "errors": errors or {},
        "posted": posted or {},
        "open_until": selectors.rating_open_until(case),
        "departments": _departments(case),
        "can_rerate": bool(
            rect
            and rating.rerated_at is None
            and rect.status in (RectificationStatus.APPROVED, RectificationStatus.CLOSED)
        ),
    }


def _departments(case) -> list:
    """The departments that took part, each once, for the applicant to name in a rating."""
    taking_part = {t.department.code: t.department for t in cases.tasks_of(case)}
    return list(taking_part.values())


def _rating_post(request, case, rating, token: str):
    data = {
        "level": request.POST.get("level"),
        "tags": request.POST.getlist("tags"),
        "comment": request.POST.get("comment", ""),
    }
    if rating is not None:
        return services.rating_rerate(actor=request.user, rating_id=rating.pk, token=token, **data)
    return services.rating_submit(
        actor=request.user,
        case_number=case.number,
        token=token,
        department_code=request.POST.get("department", ""),
        **data,
    )


def _rate_page(request, case, token: str = ""):
    rating = selectors.rating_for_case(case)
    if request.method == "POST":
        try:
            _rating_post(request, case, rating, token)
        except DomainError as exc:
            context = _rate_context(
                case, rating, token=token, errors=exc.fields, posted=request.POST
            )
            messages.error(request, exc.message)
            return render(request, "feedback/rate.html", context, status=exc.status)
        messages.success(request, "感谢您的评价！")
        return redirect(request.path)
    return render(request, "feedback/rate.html", _rate_context(case, rating, token=token))


@login_required
def rate(request, number):
    case = cases.case_get(request.user, number) if request.user.is_applicant else None
    if case is None or not cases.is_applicant_of(request.user, case):
        raise Http404("办件不存在")
    return _rate_page(request, case)


def rate_by_link(request, token):
    """The SMS link: no login needed, the token names the case."""
    invitation = selectors.invitation_by_token(token)
    if invitation is None:
        raise Http404("评价链接无效")
    return _rate_page(request, invitation.case, token=token)


# ---- rectifications ----------------------------------------------------------------------


@login_required
def rectifications(request):
    user = request.user
    context = {
        "queue": selectors.rectification_queue(user),
        "all": selectors.rectifications_visible(user).order_by("-created_at")[:100],
    }
    return render(request, "feedback/rectifications.html", context)


RECT_ACTIONS = {
    "reply": lambda r, u, p: services.rectification_reply(
        rectification_id=r,
        actor=u,
        verification=p.get("verification", ""),
        measures=p.get("measures", ""),
        reply=p.get("reply", ""),
    ),
    "approve": lambda r, u, p: services.rectification_check(
        rectification_id=r, actor=u, approve=True, note=p.get("note", "")
    ),
    "return": lambda r, u, p: services.rectification_check(
        rectification_id=r, actor=u, approve=False, note=p.get("note", "")
    ),
    "visit": lambda r, u, p: services.rectification_visit(
        rectification_id=r, actor=u, result=p.get("result", ""), note=p.get("note", "")
    ),
}


@login_required
def rectification(request, pk):
    rect = _or_404(selectors.rectification_get, request.user, pk)
    errors = {}
    if request.method == "POST":
        action = RECT_ACTIONS.get(request.POST.get("action", ""))
        try:
            if action is None:
                raise NotFound("未知操作")
            action(rect.pk, request.user, request.POST)
            messages.success(request, "已提交")
            return redirect(request.path)
        except DomainError as exc:
            messages.error(request, exc.message)
            errors = exc.fields
    context = _rect_context(request, rect, errors)
    return render(request, "feedback/rectification.html", context, status=400 if errors else 200)


def _rect_context(request, rect, errors) -> dict:
    user, rating = request.user, rect.rating
    timeline = selectors.rectification_timeline(rect)
    full = _full_requested(request) and selectors.may_see_full(user)
    if full:
        serialize.audit_rectification_view(user, rect, timeline)
    masked = bool(serialize.rectification_page_fields(user, rect, timeline))
    return {
        "rect": rect,
        "rating": rating,
        "errors": errors,
        "posted": request.POST,
        "full": full,
        "comment_full": full or selectors.is_author(user, rating),
        "typed": serialize.rectification_typed(user, rect, full=full),
        "offer_full": masked and selectors.may_see_full(user),
        "masked": masked and not full,
        "timeline": serialize.timeline_for(user, timeline, full=full),
        "visit_results": VisitResult.choices,
        "may_reply": user.role in DEPT_ROLES and rect.status == RectificationStatus.PENDING,
        "may_check": user.role == Role.SUPERVISOR and rect.status == RectificationStatus.REPLIED,
        "may_visit": user.role in (Role.SUPERVISOR, Role.HOTLINE_OPERATOR)
        and rect.status == RectificationStatus.APPROVED,
    }


def _full_requested(request) -> bool:
    return request.method == "GET" and request.GET.get("full") == "1"


def _or_404(getter, user, pk):
    try:
        return getter(user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


# ---- 12345 tickets -----------------------------------------------------------------------

INTAKE_FIELDS = (
    "contact_name",
    "contact_phone",
    "content",
    "region",
    "location",
    "urgency",
    "related_case",
)


def _posted_ticket(post) -> dict:
    """The intake form's fields; the one category select carries "一级/二级"."""
    category, _, sub = post.get("kind", "").partition("/")
    return {**{k: post.get(k, "") for k in INTAKE_FIELDS}, "category": category, "subcategory": sub}


def _intake_context(user, posted=None, errors=None) -> dict:
    default_region = getattr(user.region, "code", "")
    return {
        "categories": CATEGORIES,
        "urgencies": Urgency.choices,
        "errors": errors or {},
        "regions": accounts.region_choices(beyond_province=False),
        "form": posted or {"region": default_region, "urgency": "normal"},
        "may_intake": user.role == Role.HOTLINE_OPERATOR or user.is_applicant,
    }


@login_required
def tickets(request):
    user, posted, errors = request.user, None, {}
    if request.method == "POST":
        data = _posted_ticket(request.POST)
        try:
            ticket = services.ticket_create(actor=user, source="phone", **data)
            messages.success(request, f"已受理，工单编号 {ticket.number}")
            return redirect(ticket.page_url)
        except DomainError as exc:
            messages.error(request, exc.message)
            posted, errors = request.POST, exc.fields
    context = {
        **_intake_context(user, posted, errors),
        "queue": selectors.department_queue(user),
        "tickets": selectors.tickets_list(user, limit=100),
        "escalated": selectors.tickets_list(user, escalated=True, limit=50),
        "is_dept": user.role in DEPT_ROLES,
    }
    return render(request, "feedback/tickets.html", context, status=400 if errors else 200)


@login_required
@require_POST
def suggest(request):
    """htmx: the routing suggestion and similar open tickets for what is being typed."""
    if request.user.role != Role.HOTLINE_OPERATOR:
        raise Http404()
    data = _posted_ticket(request.POST)
    data.pop("contact_name"), data.pop("contact_phone")
    region = accounts.region_get(data["region"])
    rule, department = selectors.routing_suggestion(
        selectors.ticket_record(**data, source="phone"), region
    )
    similar = selectors.similar_tickets(data["content"][:2000], region=region)
    context = {"rule": rule, "department": department, "similar": similar}
    return render(request, "feedback/_suggestion.html", context)


@login_required
def ticket_by_id(request, pk):
    """An old id link: permanently to the number's page, for those who may see the ticket."""
    return redirect(_or_404(selectors.ticket_get, request.user, pk).page_url, permanent=True)


@login_required
def ticket(request, number):
    t = _or_404(selectors.ticket_by_number, request.user, number)
    errors = {}
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in ("department", "note", "satisfaction")}
        data["contacted"] = request.POST.get("contacted", "yes") == "yes"
        try:
            services.ticket_transition(
                ticket_id=t.pk, actor=request.user, action=request.POST.get("action", ""), **data
            )
            messages.success(request, "操作成功")
            return redirect(request.path)
        except DomainError as exc:
            messages.error(request, exc.message)
            errors = exc.fields
        t = selectors.ticket_by_number(request.user, number)
    full = _full_requested(request)
    if full:
        serialize.audit_full_view(request.user, t)
    return render(
        request,
        "feedback/ticket.html",
        _ticket_context(request.user, t, errors, full),
        status=409 if errors.get("action") else (400 if errors else 200),
    )


def _ticket_context(user, t, errors, full: bool) -> dict:
    actions = services.ticket_actions(user, t)
    own = full or selectors.is_author(user, t)
    return {
        "t": t,
        "errors": errors,
        "actions": actions,
        "full": full,
        "full_text": own,
        "contact_phone": serialize.contact_phone(t, full=full),
        "masked_text": not own and bool(serialize.ticket_text_fields(t)),
        "labels": dict(TicketAction.choices),
        "satisfactions": Satisfaction.choices,
        "timeline": serialize.timeline(selectors.ticket_timeline(t), full=own),
        "alerts": selectors.ticket_alerts(t),
        "visits": t.visits.select_related("visited_by"),
        "similar": selectors.similar_tickets(t.content, region=t.region, exclude_id=t.pk)
        if user.role == Role.HOTLINE_OPERATOR
        else [],
        "departments": selectors.dispatch_targets(t.region) if "dispatch" in actions else [],
    }


@login_required
@require_POST
def merge(request, number):
    dup = _or_404(selectors.ticket_by_number, request.user, number)
    try:
        target = services.ticket_merge(
            ticket_id=dup.pk, into_id=int(request.POST.get("into") or 0), actor=request.user
        )
    except (DomainError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", "合并失败"))
        return redirect(dup.page_url)
    messages.success(request, "已合并到该工单")
    return redirect(target.page_url)


# ---- metrics -----------------------------------------------------------------------------


@login_required
def metrics(request):
    user = request.user
    if (
        user.role not in (Role.SUPERVISOR, Role.HOTLINE_OPERATOR, Role.DEPT_ADMIN)
        or not user.region
    ):
        raise Http404()
    days = request.GET.get("days", "30")
    end = timezone.now()
    start = end - timedelta(days=int(days) if days.isdigit() and 0 < int(days) <= 3660 else 30)
    context = {
        "ratings": selectors.rating_metrics(region=user.region, start=start, end=end, user=user),
        "tickets": selectors.ticket_metrics(region=user.region, start=start, end=end),
        "region": user.region,
        "days": days,
    }
    return render(request, "feedback/metrics.html", context)
