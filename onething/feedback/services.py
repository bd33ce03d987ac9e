"""Every write of feedback: ratings and rectifications (好差评), 12345 tickets and their SLA.

Each public function runs in one transaction, records events and queues notifications in it.
Ticket transitions check the state first: an out-of-order action raises Conflict (409) and
changes nothing.
"""

from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from onething.accounts import selectors as accounts
from onething.accounts.constants import Role
from onething.accounts.models import Department
from onething.cases import selectors as cases
from onething.cases.constants import CaseStatus
from onething.common.errors import Conflict, Forbidden, NotFound, Unprocessable
from onething.common.events import record_event
from onething.common.inputs import strip_control
from onething.common.notify import notify
from onething.common.security import mask_numbers_in_text

from . import clock, selectors, text
from .constants import (
    ALL_TAGS,
    BAD_LEVELS,
    CATEGORIES,
    MAX_COMMENT,
    MAX_CONTENT,
    AlertLevel,
    Level,
    RatingChannel,
    RatingTarget,
    RectificationStatus,
    Satisfaction,
    SlaStep,
    TicketAction,
    TicketSource,
    TicketStatus,
    Urgency,
    VisitResult,
    rating_days,
    rectification_days,
)
from .models import Rating, RatingInvitation, Rectification, Ticket, TicketAlert, TicketVisit

DEPT_ROLES = {Role.DEPT_ADMIN, Role.DEPT_REVIEWER}


def _now():
    return timezone.now()


def _today() -> date:
    return timezone.localdate()


def _staff_of(department):
    return get_user_model().objects.filter(
        department=department, role__in=DEPT_ROLES, is_active=True
    )


def _overseers_of(region, role: str):
    """Supervisors (or operators) whose region covers ``region``, and province-wide ones."""
    users = get_user_model().objects.filter(role=role, is_active=True).select_related("region")
    return [u for u in users if u.region is None or region.code.startswith(u.region.prefix)]


def _tell_all(users, *, title: str, link: str, key: str, body: str = "") -> None:
    for user in users:
        notify(user=user, title=title, body=body, link=link, dedup_key=f"{key}:{user.pk}")


# ==== ratings (好差评) ====================================================================


@transaction.atomic
def rating_invite(*, case) -> RatingInvitation | None:
    """Invite the applicant to rate a completed case; idempotent (one invitation per case)."""
    if case.status != CaseStatus.COMPLETED or case.finished_at is None:
        return None
    invitation, created = RatingInvitation.objects.get_or_create(
        case=case, defaults={"expires_at": selectors.rating_open_until(case)}
    )
    if created:
        record_event(actor=None, verb="rating.invited", obj=invitation, data={"case": case.number})
        _send_invitation(case, invitation)
    return invitation


def _send_invitation(case, invitation: RatingInvitation) -> None:
    if case.applicant_id is None:
        return
    sms_link = f"{settings.ONETHING_PUBLIC_BASE_URL}/feedback/r/{invitation.token}/"
    notify(
        user=case.applicant,
        title=f"请对“{case.title}”的办理服务进行评价",
        body=f"您的办件 {case.number} 已办结，欢迎在 {rating_days()} 天内评价：{sms_link}",
        link=f"/feedback/rate/{case.number}/",
        dedup_key=f"rating-invite:{case.pk}",
        sms_to=str((case.applicant_data or {}).get("phone", "")),
    )


def _checked_level(level) -> int:
    try:
        value = int(level)
    except (TypeError, ValueError):
        value = 0
    if value not in Level.values:
        raise Unprocessable(
            "评价等级应为 1（非常不满意）至 5（非常满意）", fields={"level": "取值 1～5"}
        )
    return value


def _checked_tags(tags) -> list[str]:
    tags = list(tags or [])
    unknown = [str(t) for t in tags if t not in ALL_TAGS]
    if unknown:
        raise Unprocessable(
            "评价标签不在可选范围内：" + "、".join(unknown)[:200], fields={"tags": "未知标签"}
        )
    return list(dict.fromkeys(tags))


def _rating_input(level, tags, comment) -> dict:
    return {
        "level": _checked_level(level),
        "tags": _checked_tags(tags),
        "comment": text.checked(comment, field="comment", label="评价内容", limit=MAX_COMMENT),
    }


def rating_submit(
    *,
    actor,
    level,
    tags=(),
    comment: str = "",
    target: str = RatingTarget.CASE,
    case_number: str = "",
    onething: str = "",
    department_code: str = "",
    channel: str = "",
    token: str = "",
) -> Rating:
    """Rate a case (一事一评), a service or a window. A 差评 opens a rectification."""
    data = _rating_input(level, tags, comment)
    if target == RatingTarget.CASE:
        return _rate_case(actor, case_number, department_code, channel, token, data)
    if target in (RatingTarget.SERVICE, RatingTarget.WINDOW):
        return _rate_service(actor, target, onething, department_code, channel, data)
    raise Unprocessable("评价对象不正确", fields={"target": "应为 case、service 或 window"})


def _channel_for(actor, token: str, given: str) -> str:
    if token:
        derived = RatingChannel.SMS
    elif getattr(actor, "is_applicant", False):
        derived = (
            given if given in (RatingChannel.PORTAL, RatingChannel.SMS) else RatingChannel.PORTAL
        )
    else:
        derived = {
            Role.WINDOW_CLERK: RatingChannel.WINDOW_PAD,
            Role.HOTLINE_OPERATOR: RatingChannel.HOTLINE,
        }.get(getattr(actor, "role", None), "")
    if not derived:
        raise Forbidden("只有申请人、综合窗口评价器或 12345 话务员可以提交评价")
    if given and given != derived:
        raise Unprocessable("评价渠道与评价人不符", fields={"channel": f"应为 {derived}"})
    return derived


def _rateable_case(actor, number: str, token: str):
    """The case to rate and who rates it; raises NotFound for anything not visible."""
    if token:
        inv = selectors.invitation_by_token(token)
        if inv is None or (number and inv.case.number != number):
            raise NotFound("评价链接无效")
        return inv.case, inv.case.applicant
    if getattr(actor, "role", None) == Role.HOTLINE_OPERATOR:
        inv = selectors.invitation_for_number(number)
        if inv is None or not _covers(actor, inv.case.process_region_id):
            raise NotFound("办件不存在或尚未办结")
        return inv.case, inv.case.applicant
    case = cases.case_get(actor, number)
    if actor.is_applicant and not cases.is_applicant_of(actor, case):
        raise NotFound("办件不存在")
    return case, (actor if actor.is_applicant else case.applicant)


def _covers(actor, region_code: str) -> bool:
    return actor.region is not None and region_code.startswith(actor.region.prefix)


def _check_open(case) -> None:
    if case.status != CaseStatus.COMPLETED:
        raise Conflict("办件办结后才能评价")
    until = selectors.rating_open_until(case)
    if until is not None and _now() > until:
        raise Conflict(f"已超过评价期限（办结后 {rating_days()} 天内可评价）")


def _responsible(case, department_code: str):
    """The department a case rating is about: the one named, else the last to decide."""
    tasks = list(cases.tasks_of(case))
    departments = {t.department.code: t.department for t in tasks}
    if case.accept_department_id:
        departments.setdefault(case.accept_department.code, case.accept_department)
    if department_code:
        if department_code not in departments:
            raise Unprocessable(
                "该部门未参与本办件", fields={"department": "不在本办件的办理部门中"}
            )
        return departments[department_code]
    decided = sorted((t for t in tasks if t.decided_at), key=lambda t: t.decided_at, reverse=True)
    chosen = decided[0].department if decided else next(iter(departments.values()), None)
    if chosen is None:
        raise Unprocessable("无法确定被评价的部门", fields={"department": "请指定部门"})
    return chosen


def _rate_case(actor, number, department_code, channel, token, data) -> Rating:
    channel = _channel_for(actor, token, channel)
    case, rater = _rateable_case(actor, number, token)
    _check_open(case)
    department = _responsible(case, department_code)
    fields = {"target": RatingTarget.CASE, "case": case, "onething": case.onething,
              "department": department, "region": case.process_region, "rater": rater}  # fmt: skip
    try:
        with transaction.atomic():
            rating = _create_rating(actor, channel, fields, data)
    except IntegrityError as exc:
        raise Conflict("该办件已经评价过（一事一评），不能重复评价") from exc
    return rating


def _rate_service(actor, target, onething, department_code, channel, data) -> Rating:
    channel = _channel_for(actor, "", channel)
    if target == RatingTarget.WINDOW and not department_code and actor.department_id:
        department_code = actor.department.code
    department = (
        Department.objects.filter(code=department_code).first() if department_code else None
    )
    if department is None:
        raise Unprocessable("请指定被评价的部门或窗口", fields={"department": "必填"})
    if target == RatingTarget.SERVICE and not onething:
        raise Unprocessable("请指定被评价的服务事项", fields={"onething": "必填"})
    fields = {"target": target, "onething": str(onething)[:64], "department": department,
              "region": department.region, "rater": actor if actor.is_applicant else None}  # fmt: skip
    with transaction.atomic():
        return _create_rating(actor, channel, fields, data)


def _create_rating(actor, channel: str, fields: dict, data: dict) -> Rating:
    if fields.get("case") is not None and Rating.objects.filter(case=fields["case"]).exists():
        raise Conflict("该办件已经评价过（一事一评），不能重复评价")
    rating = Rating.objects.create(
        **fields, **data, first_level=data["level"], channel=channel,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )  # fmt: skip
    record_event(actor=actor, verb="rating.created", obj=rating,
                 data={"level": rating.level, "channel": channel, "tags": rating.tags})  # fmt: skip
    if rating.level in BAD_LEVELS:
        _open_rectification(rating)
    return rating


def _open_rectification(rating: Rating) -> Rectification:
    deadline = clock.add_working_days(_today(), rectification_days())
    rect = Rectification.objects.create(
        rating=rating, department=rating.department, deadline=deadline
    )
    record_event(actor=None, verb="rectification.opened", obj=rect,
                 data={"department": rating.department.name, "deadline": str(deadline)})  # fmt: skip
    _tell_all(
        _staff_of(rating.department),
        title=f"收到差评，请在 {deadline} 前核实整改并答复",
        body=mask_numbers_in_text(rating.comment)[:100],  # staff inboxes: masked as on the page
        link=f"/feedback/rectifications/{rect.pk}/",
        key=f"rect:{rect.pk}:opened",
    )
    return rect


@transaction.atomic
def rating_rerate(*, actor, rating_id: int, level, tags=(), comment: str = "", token: str = ""):
    """After the rectification is approved, the rater may rate once more (追评); that is the 回访."""
    rating = Rating.objects.select_for_update().filter(pk=rating_id).first()
    if rating is None or not _is_rater(actor, rating, token):
        raise NotFound("评价不存在")
    rect = Rectification.objects.select_for_update().filter(rating=rating).first()
    if rect is None or rect.status not in (
        RectificationStatus.APPROVED,
        RectificationStatus.CLOSED,
    ):
        raise Conflict("整改答复经审核后才能再次评价")
    if rating.rerated_at is not None:
        raise Conflict("已经再次评价过，不能重复评价")
    data = _rating_input(level, tags, comment)
    before = rating.level
    for name, value in data.items():
        setattr(rating, name, value)
    rating.rerated_at = _now()
    rating.save()
    record_event(actor=actor, verb="rating.rerated", obj=rating,
                 data={"from": before, "level": rating.level})  # fmt: skip
    if rect.status == RectificationStatus.APPROVED:
        result = VisitResult.DISSATISFIED if rating.level in BAD_LEVELS else VisitResult.SATISFIED
        _visit(rect, actor, result, "评价人收到整改答复后在线再次评价。")
    return rating


def _is_rater(actor, rating: Rating, token: str) -> bool:
    if token:
        inv = selectors.invitation_by_token(token)
        return inv is not None and inv.case_id == rating.case_id
    return getattr(actor, "is_authenticated", False) and rating.rater_id == actor.pk


# ---- rectifications ----------------------------------------------------------------------


def _locked_rectification(pk: int) -> Rectification:
    rect = (
        Rectification.objects.select_for_update(of=("self",))
        .select_related("rating", "department", "department__region")
        .filter(pk=pk)
        .first()
    )
    if rect is None:
        raise NotFound("整改记录不存在")
    return rect


def _need(rect: Rectification, allowed: set, doing: str) -> None:
    if rect.status not in allowed:
        raise Conflict(f"该整改当前状态为“{rect.get_status_display()}”，不能{doing}")


@transaction.atomic
def rectification_reply(
    *, rectification_id: int, actor, verification: str, measures: str, reply: str
) -> Rectification:
    """The department records what it found, what it changed, and its reply to the rater."""
    rect = _locked_rectification(rectification_id)
    if actor.role not in DEPT_ROLES or actor.department_id != rect.department_id:
        raise NotFound("整改记录不存在")
    _need(rect, {RectificationStatus.PENDING}, "答复")
    rect.verification = text.checked(verification, field="verification", label="核实情况",
                                     limit=MAX_CONTENT, required=True)  # fmt: skip
    rect.measures = text.checked(measures, field="measures", label="整改措施",
                                 limit=MAX_CONTENT, required=True)  # fmt: skip
    rect.reply = text.checked(
        reply, field="reply", label="答复内容", limit=MAX_CONTENT, required=True
    )
    rect.status, rect.replied_by, rect.replied_at = RectificationStatus.REPLIED, actor, _now()
    rect.save()
    record_event(actor=actor, verb="rectification.replied", obj=rect,
                 data={"late": _today() > rect.deadline})  # fmt: skip
    _tell_all(
        _overseers_of(rect.department.region, Role.SUPERVISOR),
        title=f"差评整改待审核：{rect.department.name}",
        link=f"/feedback/rectifications/{rect.pk}/",
        key=f"rect:{rect.pk}:replied:{rect.returns}",
    )
    return rect


@transaction.atomic
def rectification_check(
    *, rectification_id: int, actor, approve: bool, note: str = ""
) -> Rectification:
    """A supervisor approves the reply (it then goes to the rater) or returns it."""
    rect = _locked_rectification(rectification_id)
    if actor.role != Role.SUPERVISOR or not _region_ok(actor, rect.department.region):
        raise NotFound("整改记录不存在")
    _need(rect, {RectificationStatus.REPLIED}, "审核")
    note = text.checked(
        note, field="note", label="审核意见", limit=MAX_COMMENT, required=not approve
    )
    rect.check_note, rect.checked_by, rect.checked_at = note, actor, _now()
    if approve:
        rect.status = RectificationStatus.APPROVED
        rect.save()
        record_event(actor=actor, verb="rectification.approved", obj=rect, data={"note": note})
        _send_reply(rect)
    else:
        rect.status, rect.returns = RectificationStatus.PENDING, rect.returns + 1
        rect.save()
        record_event(actor=actor, verb="rectification.returned", obj=rect, data={"note": note})
        _tell_all(_staff_of(rect.department), title="差评整改被退回，请重新整改", body=note,
                  link=f"/feedback/rectifications/{rect.pk}/",
                  key=f"rect:{rect.pk}:returned:{rect.returns}")  # fmt: skip
    return rect


def _region_ok(actor, region) -> bool:
    return actor.region is None or region.code.startswith(actor.region.prefix)


def _send_reply(rect: Rectification) -> None:
    rating = rect.rating
    if rating.rater_id is None:
        return
    link = f"/feedback/rate/{rating.case.number}/" if rating.case_id else "/feedback/"
    # Masked as on the rating page, and before the cut, so no part of a number is left readable.
    notify(user=rating.rater, title=f"{rect.department.name}对您的评价作出了答复",
           body=mask_numbers_in_text(rect.reply)[:200] + "（欢迎再次评价）", link=link,
           dedup_key=f"rect:{rect.pk}:reply")  # fmt: skip


@transaction.atomic
def rectification_visit(*, rectification_id: int, actor, result: str, note: str) -> Rectification:
    """回访 by phone (supervisor or 12345 operator); closes the rectification."""
    rect = _locked_rectification(rectification_id)
    allowed = actor.role in (Role.SUPERVISOR, Role.HOTLINE_OPERATOR)
    if not allowed or not _region_ok(actor, rect.department.region):
        raise NotFound("整改记录不存在")
    _need(rect, {RectificationStatus.APPROVED}, "回访")
    if result not in VisitResult.values:
        raise Unprocessable(
            "回访结果不正确", fields={"result": "应为 satisfied、dissatisfied 或 unreachable"}
        )
    note = text.checked(note, field="note", label="回访记录", limit=MAX_COMMENT, required=True)
    return _visit(rect, actor, result, note)


def _visit(rect: Rectification, actor, result: str, note: str) -> Rectification:
    if not rect.reply.strip():  # a 差评 is never closed without a reply to the rater
        raise Conflict("整改尚未答复评价人，不能办结")
    rect.visit_result, rect.visit_note = result, note
    rect.visited_by = actor if getattr(actor, "is_authenticated", False) else None
    rect.visited_at, rect.status = _now(), RectificationStatus.CLOSED
    rect.save()
    record_event(actor=actor, verb="rectification.visited", obj=rect, data={"result": result})
    return rect


# ==== 12345 tickets =======================================================================

INTAKE_ROLES = {Role.HOTLINE_OPERATOR, Role.APPLICANT_PERSON, Role.APPLICANT_ENTITY}


def _intake(data: dict) -> dict:
    """Checked ticket fields; every problem is a 422 naming the field."""
    category, sub = str(data.get("category") or ""), str(data.get("subcategory") or "")
    if category not in CATEGORIES:
        raise Unprocessable("诉求一级分类不正确", fields={"category": "请从分类表中选择"})
    if sub not in CATEGORIES[category]:
        raise Unprocessable(
            "诉求二级分类不正确", fields={"subcategory": f"应为“{category}”下的分类"}
        )
    urgency = str(data.get("urgency") or Urgency.NORMAL)
    if urgency not in Urgency.values:
        raise Unprocessable(
            "紧急程度不正确", fields={"urgency": "应为 normal、urgent 或 emergency"}
        )
    region = accounts.region_get(str(data.get("region") or ""))
    if region is None:
        raise Unprocessable("诉求所在区划不存在", fields={"region": "请填写 6 位区划代码"})
    return {
        "contact_name": text.checked(data.get("contact_name"), field="contact_name",
                                     label="联系人", limit=64, required=True),
        "contact_phone": _phone(data.get("contact_phone")),
        "content": text.checked(data.get("content"), field="content", label="诉求内容",
                                limit=MAX_CONTENT, required=True),
        "location": text.checked(data.get("location"), field="location", label="具体地点", limit=200),
        "related_case": _case_number(data.get("related_case")),
        "category": category, "subcategory": sub, "urgency": urgency, "region": region,
    }  # fmt: skip


def _phone(value) -> str:
    phone = str(value or "").strip()
    if phone and not (phone.replace("-", "").isdigit() and 5 <= len(phone) <= 20):
        raise Unprocessable("联系电话格式不正确", fields={"contact_phone": "只能包含数字和连字符"})
    return phone


def _case_number(value) -> str:
    number = str(value or "").strip()
    if number and not (len(number) <= 32 and number.replace("-", "").isalnum()):
        raise Unprocessable(
            "关联办件编号格式不正确", fields={"related_case": "如 420102-20260105-000001"}
        )
    return number


def _source_for(actor, given: str) -> str:
    if actor.is_applicant:
        return TicketSource.PORTAL
    if given in (TicketSource.PHONE, TicketSource.API, TicketSource.ASSISTANT):
        return given
    return TicketSource.PHONE


def ticket_create(*, actor, source: str = "", **data) -> Ticket:
    """受理: an operator takes a call, a citizen writes on the portal, or a system posts."""
    if getattr(actor, "role", None) not in INTAKE_ROLES:
        raise Forbidden("只有 12345 话务员或群众本人可以提交诉求")
    return _ticket_create(actor, _source_for(actor, source), _intake(data))


@transaction.atomic
def _ticket_create(actor, source: str, fields: dict) -> Ticket:
    record = selectors.ticket_record(**_routing_fields(fields, source))
    rule, department = selectors.routing_suggestion(record, fields["region"])
    ticket = Ticket.objects.create(
        source=source, submitted_by=actor if getattr(actor, "is_authenticated", False) else None,
        suggested_department=department, routed_by=rule, **fields,
    )  # fmt: skip
    ticket.number = f"{timezone.localdate():%Y%m%d}{ticket.pk:06d}"
    ticket.save(update_fields=["number"])
    record_event(actor=actor, verb="ticket.received", obj=ticket,
                 data={"source": source, "rule": rule.name if rule else "",
                       "suggested": department.name if department else ""})  # fmt: skip
    return ticket


def _routing_fields(fields: dict, source: str) -> dict:
    keys = ("content", "category", "subcategory", "urgency", "location", "related_case")
    return {**{k: fields[k] for k in keys}, "region": fields["region"].code, "source": source}


def ticket_from_assistant(*, conversation_text: str, contact, user) -> Ticket:
    """The assistant's hand-off to a person (转人工): the latest part of the conversation."""
    contact = contact if isinstance(contact, dict) else {"phone": str(contact or "")}
    name = contact.get("name") or getattr(user, "display_name", "") or "导办用户"
    region = getattr(getattr(user, "region", None), "code", "") or contact.get("region") or "420000"
    body = strip_control(str(conversation_text or ""))
    # Transcripts outgrow the limit; the most recent turns say what is still unresolved.
    content = body if len(body) <= MAX_CONTENT else "……" + body[-(MAX_CONTENT - 2) :]
    data = {"contact_name": name[:64], "contact_phone": contact.get("phone", ""),
            "content": content, "region": region, "category": "政务服务",
            "subcategory": "办事咨询", "urgency": Urgency.NORMAL}  # fmt: skip
    return _ticket_create(user, TicketSource.ASSISTANT, _intake(data))


# ---- transitions -------------------------------------------------------------------------

ALLOWED = {
    TicketAction.DISPATCH: {TicketStatus.RECEIVED, TicketStatus.RETURNED},
    TicketAction.SIGN: {TicketStatus.DISPATCHED},
    TicketAction.HANDLE: {TicketStatus.SIGNED},
    TicketAction.CLOSE: {TicketStatus.SIGNED, TicketStatus.HANDLING},
    TicketAction.RETURN: {TicketStatus.DISPATCHED, TicketStatus.SIGNED},
    TicketAction.ESCALATE: {TicketStatus.DISPATCHED, TicketStatus.SIGNED, TicketStatus.HANDLING},
    TicketAction.VISIT: {TicketStatus.CLOSED},
    TicketAction.RATE: {TicketStatus.VISITED},
    TicketAction.REOPEN: {TicketStatus.RATED},
}
HINTS = {
    TicketAction.CLOSE: "须先由承办部门签收",
    TicketAction.HANDLE: "须先由承办部门签收",
    TicketAction.SIGN: "须先派单",
    TicketAction.VISIT: "须先办结",
    TicketAction.RATE: "须先回访",
    TicketAction.REOPEN: "仅对评价不满意的工单可以重办",
}


def _locked_ticket(pk: int) -> Ticket:
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("region", "department", "suggested_department")
        .filter(pk=pk)
        .first()
    )
    if ticket is None:
        raise NotFound("工单不存在")
    return ticket


def _state_check(ticket: Ticket, action: str) -> None:
    if ticket.status in ALLOWED[action]:
        return
    hint = HINTS.get(action, "")
    raise Conflict(
        f"工单当前状态为“{ticket.get_status_display()}”，不能{TicketAction(action).label}"
        + (f"（{hint}）" if hint else ""),
        fields={"action": action, "status": ticket.status},
    )


def _may(actor, ticket: Ticket, action: str) -> bool:
    role = getattr(actor, "role", None)
    in_region = role in (Role.HOTLINE_OPERATOR, Role.SUPERVISOR) and _region_ok(
        actor, ticket.region
    )
    if action in (TicketAction.SIGN, TicketAction.HANDLE, TicketAction.CLOSE, TicketAction.RETURN):
        return role in DEPT_ROLES and ticket.department_id == actor.department_id
    if action == TicketAction.ESCALATE:
        return in_region
    if action == TicketAction.RATE:
        return (in_region and role == Role.HOTLINE_OPERATOR) or ticket.submitted_by_id == actor.pk
    return in_region and role == Role.HOTLINE_OPERATOR


def ticket_transition(*, ticket_id: int, actor, action: str, **data) -> Ticket:
    """One entry for every action (the API's transitions endpoint)."""
    if action not in ALLOWED:
        raise Unprocessable("操作不正确", fields={"action": "、".join(ALLOWED)})
    return _transition(ticket_id, actor, action, data)


@transaction.atomic
def _transition(ticket_id: int, actor, action: str, data: dict) -> Ticket:
    ticket = _locked_ticket(ticket_id)
    if not _may(actor, ticket, action):
        if selectors.tickets_visible(actor).filter(pk=ticket.pk).exists():
            raise Forbidden(f"您无权对该工单执行“{TicketAction(action).label}”")
        raise NotFound("工单不存在")
    _state_check(ticket, action)
    DO[action](ticket, actor, data)
    return ticket


def _event(ticket: Ticket, actor, verb: str, **data) -> None:
    record_event(actor=actor, verb=verb, obj=ticket, data=data)


def _ticket_link(ticket: Ticket) -> str:
    return f"/feedback/tickets/{ticket.pk}/"


def _dispatch(ticket: Ticket, actor, data: dict) -> None:
    code = str(data.get("department") or "")
    department = (
        Department.objects.filter(code=code).first() if code else ticket.suggested_department
    )
    if department is None:
        raise Unprocessable("请选择承办部门", fields={"department": "必填"})
    if ticket.status == TicketStatus.RETURNED and department.pk == ticket.department_id:
        raise Unprocessable("该部门已退单，请改派其他部门", fields={"department": "已退单"})
    _assign(ticket, department)
    _event(ticket, actor, "ticket.dispatched", department=department.name, round=ticket.round,
           sign_due=ticket.sign_due.isoformat(), handle_due=ticket.handle_due.isoformat())  # fmt: skip
    _tell_all(_staff_of(department), title=f"新的12345工单，请于30分钟内签收：{ticket.number}",
              link=_ticket_link(ticket), key=f"ticket:{ticket.pk}:dispatched:{ticket.round}")  # fmt: skip


def _assign(ticket: Ticket, department) -> None:
    """Start a new dispatch round with fresh time limits."""
    sla = selectors.sla_for(urgency=ticket.urgency, category=ticket.category)
    now, working = _now(), sla["working"]
    ticket.department, ticket.status, ticket.round = (
        department,
        TicketStatus.DISPATCHED,
        ticket.round + 1,
    )
    ticket.dispatched_at, ticket.signed_at, ticket.feedback_at, ticket.closed_at = (
        now,
        None,
        None,
        None,
    )
    ticket.sign_due = clock.after(now, minutes=sla["sign_minutes"], working=working)
    ticket.handle_due = clock.after(now, minutes=sla["handle_hours"] * 60, working=working)
    feedback = clock.after(now, minutes=sla["feedback_hours"] * 60, working=working)
    ticket.feedback_due = min(feedback, ticket.handle_due)
    ticket.save()


def _sign(ticket: Ticket, actor, data: dict) -> None:
    ticket.status, ticket.signed_at = TicketStatus.SIGNED, _now()
    ticket.save(update_fields=["status", "signed_at", "updated_at"])
    late = ticket.signed_at > ticket.sign_due
    _event(ticket, actor, "ticket.signed", late=late)
    if late:  # the job may not have run yet; a late signature is escalated all the same
        _alert(ticket, SlaStep.SIGN, AlertLevel.OVERDUE, ticket.sign_due)


def _handle(ticket: Ticket, actor, data: dict) -> None:
    note = text.checked(data.get("note"), field="note", label="办理反馈", limit=MAX_CONTENT,
                        required=True)  # fmt: skip
    first = ticket.feedback_at is None
    ticket.status, ticket.feedback = TicketStatus.HANDLING, note
    ticket.feedback_at = ticket.feedback_at or _now()
    ticket.save(update_fields=["status", "feedback", "feedback_at", "updated_at"])
    _event(ticket, actor, "ticket.handled", note=note,
           late=first and ticket.feedback_at > ticket.feedback_due)  # fmt: skip


def _close(ticket: Ticket, actor, data: dict) -> None:
    result = text.checked(data.get("note") or data.get("result"), field="note", label="办理结果",
                          limit=MAX_CONTENT, required=True)  # fmt: skip
    now = _now()
    ticket.status, ticket.result, ticket.closed_at = TicketStatus.CLOSED, result, now
    ticket.feedback_at = ticket.feedback_at or now
    ticket.save()
    _event(ticket, actor, "ticket.closed", result=result, late=now > ticket.handle_due)
    _tell_all(_overseers_of(ticket.region, Role.HOTLINE_OPERATOR)[:20],
              title=f"工单已办结，请回访：{ticket.number}", link=_ticket_link(ticket),
              key=f"ticket:{ticket.pk}:closed:{ticket.round}")  # fmt: skip


def _return(ticket: Ticket, actor, data: dict) -> None:
    reason = text.checked(data.get("note") or data.get("reason"), field="note", label="退单理由",
                          limit=MAX_COMMENT, required=True)  # fmt: skip
    ticket.status, ticket.return_reason, ticket.returns = (
        TicketStatus.RETURNED,
        reason,
        ticket.returns + 1,
    )
    ticket.save()
    _event(ticket, actor, "ticket.returned", department=ticket.department.name, reason=reason)
    if ticket.submitted_by_id and ticket.submitted_by.role == Role.HOTLINE_OPERATOR:
        notify(user=ticket.submitted_by, title=f"工单被退单，请重新派单：{ticket.number}",
               body=reason, link=_ticket_link(ticket),
               dedup_key=f"ticket:{ticket.pk}:returned:{ticket.round}")  # fmt: skip


def _escalate(ticket: Ticket, actor, data: dict) -> None:
    note = text.checked(data.get("note"), field="note", label="督办意见", limit=MAX_COMMENT,
                        required=True)  # fmt: skip
    _escalation(ticket, actor, note, automatic=False)


def _escalation(ticket: Ticket, actor, note: str, *, automatic: bool) -> None:
    ticket.escalations += 1
    ticket.save(update_fields=["escalations", "updated_at"])
    _event(ticket, actor, "ticket.escalated", note=note, automatic=automatic,
           level=ticket.escalations)  # fmt: skip
    _tell_all(_staff_of(ticket.department), title=f"督办：工单 {ticket.number}", body=note,
              link=_ticket_link(ticket), key=f"ticket:{ticket.pk}:escalated:{ticket.escalations}")  # fmt: skip


def _visit_ticket(ticket: Ticket, actor, data: dict) -> None:
    note = text.checked(data.get("note"), field="note", label="回访记录", limit=MAX_COMMENT,
                        required=True)  # fmt: skip
    contacted = data.get("contacted", True) not in (False, "false", "0", "no")
    TicketVisit.objects.create(ticket=ticket, round=ticket.round, visited_by=actor,
                               contacted=contacted, note=note)  # fmt: skip
    ticket.status = TicketStatus.VISITED
    ticket.save(update_fields=["status", "updated_at"])
    _event(ticket, actor, "ticket.visited", note=note, contacted=contacted)


def _rate_ticket(ticket: Ticket, actor, data: dict) -> None:
    value = str(data.get("satisfaction") or "")
    if value not in Satisfaction.values:
        raise Unprocessable(
            "满意度不正确", fields={"satisfaction": "应为 satisfied、basic 或 dissatisfied"}
        )
    note = text.checked(data.get("note"), field="note", label="评价意见", limit=MAX_COMMENT)
    ticket.status, ticket.satisfaction, ticket.satisfaction_note = TicketStatus.RATED, value, note
    ticket.rated_at = _now()
    ticket.save()
    _event(ticket, actor, "ticket.rated", satisfaction=value, note=note)


def _reopen(ticket: Ticket, actor, data: dict) -> None:
    if ticket.satisfaction != Satisfaction.DISSATISFIED:
        raise Conflict("诉求人对办理结果满意，不能重办", fields={"action": "reopen"})
    note = text.checked(data.get("note"), field="note", label="重办理由", limit=MAX_COMMENT,
                        required=True)  # fmt: skip
    ticket.reopens += 1
    _assign(ticket, ticket.department)
    _event(ticket, actor, "ticket.reopened", note=note, round=ticket.round)
    _tell_all(_staff_of(ticket.department), title=f"工单重办：{ticket.number}", body=note,
              link=_ticket_link(ticket), key=f"ticket:{ticket.pk}:dispatched:{ticket.round}")  # fmt: skip


DO = {
    TicketAction.DISPATCH: _dispatch,
    TicketAction.SIGN: _sign,
    TicketAction.HANDLE: _handle,
    TicketAction.CLOSE: _close,
    TicketAction.RETURN: _return,
    TicketAction.ESCALATE: _escalate,
    TicketAction.VISIT: _visit_ticket,
    TicketAction.RATE: _rate_ticket,
    TicketAction.REOPEN: _reopen,
}


@transaction.atomic
def ticket_merge(*, ticket_id: int, into_id: int, actor) -> Ticket:
    """Merge a duplicate that has not been dispatched into an open ticket."""
    if getattr(actor, "role", None) != Role.HOTLINE_OPERATOR:
        raise Forbidden("只有 12345 话务员可以合并工单")
    if ticket_id == into_id:
        raise Unprocessable("不能把工单合并到自身", fields={"into": "请选择另一张工单"})
    dup, target = _locked_ticket(ticket_id), _locked_ticket(into_id)
    if dup.status != TicketStatus.RECEIVED:
        raise Conflict(f"工单当前状态为“{dup.get_status_display()}”，只有未派单的工单可以合并")
    if target.status in (TicketStatus.MERGED, TicketStatus.RATED):
        raise Conflict("目标工单已结束，不能合并")
    dup.status, dup.merged_into = TicketStatus.MERGED, target
    dup.save(update_fields=["status", "merged_into", "updated_at"])
    _event(dup, actor, "ticket.merged", into=target.number)
    _event(target, actor, "ticket.duplicate_merged", duplicate=dup.number,
           contact=dup.contact_name)  # fmt: skip
    return target


# ---- time limits (the periodic job) ------------------------------------------------------


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


def _alert(ticket: Ticket, step: str, level: str, due) -> int:
    _, created = TicketAlert.objects.get_or_create(
        ticket=ticket, step=step, level=level, round=ticket.round, defaults={"due": due}
    )
    if not created:
        return 0
    label = f"{SlaStep(step).label}{AlertLevel(level).label}"
    if level == AlertLevel.OVERDUE:
        _escalation(ticket, None, f"{label}（时限 {timezone.localtime(due):%m-%d %H:%M}）",
                    automatic=True)  # fmt: skip
    else:
        _event(ticket, None, "ticket.warning", step=step, due=due.isoformat())
        _tell_all(_staff_of(ticket.department), title=f"{label}：工单 {ticket.number}",
                  link=_ticket_link(ticket),
                  key=f"ticket:{ticket.pk}:warn:{step}:{ticket.round}")  # fmt: skip
    return 1


def ticket_actions(user, ticket: Ticket) -> list[str]:
    """Actions this user may take now (drives the buttons on the detail page)."""
    return [a for a in ALLOWED if ticket.status in ALLOWED[a] and _may(user, ticket, a)]
