"""好差评与12345 API: ratings, rectifications, tickets and their transitions, metrics."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone
from ninja import Query, Router, Status

from onething.accounts import selectors as accounts
from onething.accounts.auth import API_AUTH
from onething.accounts.constants import Role
from onething.common.errors import Forbidden, Unprocessable

from . import selectors, serialize, services
from .schemas import (
    CheckIn,
    RatingIn,
    RatingMetricsOut,
    RatingOut,
    RectificationOut,
    ReplyIn,
    RerateIn,
    TicketBrief,
    TicketIn,
    TicketOut,
    TransitionIn,
    VisitIn,
)

router = Router(tags=["好差评与12345"], auth=API_AUTH)
METRIC_ROLES = {Role.SUPERVISOR, Role.HOTLINE_OPERATOR, Role.DEPT_ADMIN}


# ---- ratings -----------------------------------------------------------------------------


@router.post("/ratings", response={201: RatingOut}, summary="提交评价（一事一评；差评自动转整改）")
def create_rating(request, payload: RatingIn):
    rating = services.rating_submit(
        actor=request.user,
        level=payload.level,
        tags=payload.tags,
        comment=payload.comment,
        target=payload.target,
        case_number=payload.case_number,
        onething=payload.onething,
        department_code=payload.department,
        channel=payload.channel,
        token=payload.token,
    )
    return Status(201, serialize.rating_dict(rating, request.user))


FULL_COMMENTS = Query(
    False,
    description="true：显示评价内容中完整的证件号码、手机号码（部门、12345 与监督人员可用，"
    "其他角色仍为脱敏；查看记入审计日志）",
)


@router.get(
    "/ratings",
    response=list[RatingOut],
    summary="我可见的评价（评价内容中的证件号码、手机号码默认脱敏，评价人本人除外）",
)
def list_ratings(request, full: bool = FULL_COMMENTS):
    ratings = list(selectors.ratings_visible(request.user)[:200])
    full = full and selectors.may_see_full(request.user)
    if full:
        serialize.audit_ratings_view(request.user, ratings)
    return [serialize.rating_dict(r, request.user, full=full) for r in ratings]


# Far dates overflow the date arithmetic below, or fall in the time zone's local-mean-time era
# (offset +08:05:43, not a valid RFC 3339 offset); metrics cover the platform's own records.
PERIOD_LIMITS = (date(2000, 1, 1), date(2099, 12, 31))


def _period(start: date | None, end: date | None) -> tuple[datetime, datetime]:
    low, high = PERIOD_LIMITS
    for name, label, day in (("start", "开始日期", start), ("end", "结束日期", end)):
        if day is not None and not low <= day <= high:
            raise Unprocessable(f"{label}应在 {low} 至 {high} 之间", fields={name: "超出范围"})
    end = end or timezone.localdate()
    start = start or end - timedelta(days=30)
    if start > end:
        raise Unprocessable("开始日期不能晚于结束日期", fields={"start": "晚于结束日期"})
    tz = timezone.get_current_timezone()
    begin = datetime.combine(start, time.min, tz)
    return begin, datetime.combine(end + timedelta(days=1), time.min, tz)


def _metric_region(user, code: str | None):
    if user.role not in METRIC_ROLES:
        raise Forbidden("仅监督人员、12345 话务员和部门管理员可以查看评价指标")
    region = accounts.region_get(code) if code else user.region
    if region is None or not accounts.regions_visible_to(user).filter(code=region.code).exists():
        raise Forbidden("无权查看该区划的指标")
    return region


@router.get(
    "/ratings/metrics",
    response=RatingMetricsOut,
    summary="好评率、差评整改率、回访率、评价覆盖率（区划 + 期间，日期含首尾）",
)
def rating_metrics(
    request, region: str | None = None, start: date | None = None, end: date | None = None
):
    begin, until = _period(start, end)
    where = _metric_region(request.user, region)
    return selectors.rating_metrics(region=where, start=begin, end=until, user=request.user)


@router.post("/ratings/{rating_id}/rerate", response=RatingOut, summary="整改答复后再次评价")
def rerate(request, rating_id: int, payload: RerateIn):
    rating = services.rating_rerate(
        actor=request.user,
        rating_id=rating_id,
        level=payload.level,
        tags=payload.tags,
        comment=payload.comment,
    )
    return serialize.rating_dict(rating, request.user)


# ---- rectifications ----------------------------------------------------------------------


FULL_RECT_TEXT = Query(
    False,
    description="true：显示核实情况、整改措施、答复、审核意见、回访记录中完整的证件号码、手机号码"
    "（部门、12345 与监督人员可用，其他角色仍为脱敏；查看记入审计日志）",
)


def _rectifications_shown(request, rects: list, full: bool) -> list[dict]:
    full = full and selectors.may_see_full(request.user)
    if full:
        serialize.audit_rectifications_view(request.user, rects)
    return [serialize.rectification_dict(r, request.user, full=full) for r in rects]


@router.get(
    "/rectifications",
    response=list[RectificationOut],
    summary="我可见的差评整改（文字中的证件号码、手机号码默认脱敏，填写人本人除外）",
)
def list_rectifications(request, pending: bool = False, full: bool = FULL_RECT_TEXT):
    qs = (
        selectors.rectification_queue(request.user)
        if pending
        else selectors.rectifications_visible(request.user)
    )
    return _rectifications_shown(request, list(qs[:200]), full)


@router.get(
    "/rectifications/{rect_id}",
    response=RectificationOut,
    summary="整改详情（文字中的证件号码、手机号码默认脱敏，full=true 显示完整号码并记入审计）",
)
def get_rectification(request, rect_id: int, full: bool = FULL_RECT_TEXT):
    rect = selectors.rectification_get(request.user, rect_id)
    return _rectifications_shown(request, [rect], full)[0]


@router.post(
    "/rectifications/{rect_id}/reply", response=RectificationOut, summary="部门核实整改并答复"
)
def reply_rectification(request, rect_id: int, payload: ReplyIn):
    rect = services.rectification_reply(
        rectification_id=rect_id, actor=request.user, **payload.dict()
    )
    return serialize.rectification_dict(rect, request.user)


@router.post("/rectifications/{rect_id}/check", response=RectificationOut, summary="监督审核整改")
def check_rectification(request, rect_id: int, payload: CheckIn):
    rect = services.rectification_check(
        rectification_id=rect_id, actor=request.user, approve=payload.approve, note=payload.note
    )
    return serialize.rectification_dict(rect, request.user)


@router.post("/rectifications/{rect_id}/visit", response=RectificationOut, summary="整改回访")
def visit_rectification(request, rect_id: int, payload: VisitIn):
    rect = services.rectification_visit(
        rectification_id=rect_id, actor=request.user, result=payload.result, note=payload.note
    )
    return serialize.rectification_dict(rect, request.user)


# ---- tickets -----------------------------------------------------------------------------


@router.post(
    "/tickets", response={201: TicketOut}, summary="12345 诉求受理（话务员、门户或外部系统）"
)
def create_ticket(request, payload: TicketIn):
    data = payload.dict()
    ticket = services.ticket_create(actor=request.user, source=data.pop("source"), **data)
    return Status(201, serialize.ticket_dict(ticket, request.user))


@router.get("/tickets", response=list[TicketBrief], summary="我可见的工单")
def list_tickets(request, status: str | None = None, escalated: bool = False):
    rows = selectors.tickets_list(request.user, status=status, escalated=escalated)
    return [serialize.ticket_brief(t) for t in rows]


@router.get("/tickets/metrics", summary="12345 满意率（目标 95%）、回访率、督办数")
def ticket_metrics(
    request, region: str | None = None, start: date | None = None, end: date | None = None
):
    begin, until = _period(start, end)
    where = _metric_region(request.user, region)
    return selectors.ticket_metrics(region=where, start=begin, end=until)


FULL = Query(
    False,
    description="true：显示完整的联系电话，以及诉求内容、办理反馈与时间线中完整的证件号码、"
    "手机号码（每次查看记入审计日志）",
)


@router.get(
    "/tickets/{ticket_id}",
    response=TicketOut,
    summary="工单详情（含时间线、相似工单；联系电话及文字中的证件号码、手机号码默认脱敏，"
    "full=true 显示完整号码并记入审计）",
)
def get_ticket(request, ticket_id: int, full: bool = FULL):
    ticket = selectors.ticket_get(request.user, ticket_id)
    if full:
        serialize.audit_full_view(request.user, ticket)
    return serialize.ticket_dict(ticket, request.user, full=full)


@router.post(
    "/tickets/{ticket_id}/transitions",
    response=TicketOut,
    summary="工单流转：dispatch|sign|handle|close|return|escalate|reopen|visit|rate",
)
def transition(request, ticket_id: int, payload: TransitionIn):
    data = payload.dict()
    ticket = services.ticket_transition(ticket_id=ticket_id, actor=request.user, **data)
    return serialize.ticket_dict(ticket, request.user)


@router.post("/tickets/{ticket_id}/merge/{into_id}", response=TicketOut, summary="合并重复诉求")
def merge(request, ticket_id: int, into_id: int):
    target = services.ticket_merge(ticket_id=ticket_id, into_id=into_id, actor=request.user)
    return serialize.ticket_dict(target, request.user)
