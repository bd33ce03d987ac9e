"""Ticket transitions: every action checks the state first; an out-of-order action raises Conflict (409) and changes nothing."""

from django.db import transaction
from django.utils import timezone

from onething.accounts.constants import Role
from onething.accounts.models import Department
from onething.common.errors import Conflict, Forbidden, NotFound, Unprocessable
from onething.common.notify import notify

from .. import clock, selectors, text
from ..constants import (
    MAX_COMMENT,
    MAX_CONTENT,
    AlertLevel,
    Satisfaction,
    SlaStep,
    TicketAction,
    TicketStatus,
)
from ..models import Ticket, TicketAlert, TicketVisit
from .base import (
    DEPT_ROLES,
    _event,
    _now,
    _overseers_of,
    _region_ok,
    _staff_of,
    _tell_all,
    _ticket_link,
)

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
    _event(
        ticket,
        actor,
        "ticket.dispatched",
        department=department.name,
        round=ticket.round,
        sign_due=ticket.sign_due.isoformat(),
        handle_due=ticket.handle_due.isoformat(),
    )
    _tell_all(
        _staff_of(department),
        title=f"新的12345工单，请于30分钟内签收：{ticket.number}",
        link=_ticket_link(ticket),
        key=f"ticket:{ticket.pk}:dispatched:{ticket.round}",
    )


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
    note = text.checked(
        data.get("note"), field="note", label="办理反馈", limit=MAX_CONTENT, required=True
    )
    first = ticket.feedback_at is None
    ticket.status, ticket.feedback = TicketStatus.HANDLING, note
    ticket.feedback_at = ticket.feedback_at or _now()
    ticket.save(update_fields=["status", "feedback", "feedback_at", "updated_at"])
    _event(
        ticket,
        actor,
        "ticket.handled",
        note=note,
        late=first and ticket.feedback_at > ticket.feedback_due,
    )


def _close(ticket: Ticket, actor, data: dict) -> None:
    result = text.checked(
        data.get("note") or data.get("result"),
        field="note",
        label="办理结果",
        limit=MAX_CONTENT,
        required=True,
    )
    now = _now()
    ticket.status, ticket.result, ticket.closed_at = TicketStatus.CLOSED, result, now
    ticket.feedback_at = ticket.feedback_at or now
    ticket.save()
    _event(ticket, actor, "ticket.closed", result=result, late=now > ticket.handle_due)
    _tell_all(
        _overseers_of(ticket.region, Role.HOTLINE_OPERATOR)[:20],
        title=f"工单已办结，请回访：{ticket.number}",
        link=_ticket_link(ticket),
        key=f"ticket:{ticket.pk}:closed:{ticket.round}",
    )


def _return(ticket: Ticket, actor, data: dict) -> None:
    reason = text.checked(
        data.get("note") or data.get("reason"),
        field="note",
        label="退单理由",
        limit=MAX_COMMENT,
        required=True,
    )
    ticket.status, ticket.return_reason, ticket.returns = (
        TicketStatus.RETURNED,
        reason,
        ticket.returns + 1,
    )
    ticket.save()
    _event(ticket, actor, "ticket.returned", department=ticket.department.name, reason=reason)
    if ticket.submitted_by_id and ticket.submitted_by.role == Role.HOTLINE_OPERATOR:
        notify(
            user=ticket.submitted_by,
            title=f"工单被退单，请重新派单：{ticket.number}",
            body=reason,
            link=_ticket_link(ticket),
            dedup_key=f"ticket:{ticket.pk}:returned:{ticket.round}",
        )


def _escalate(ticket: Ticket, actor, data: dict) -> None:
    note = text.checked(
        data.get("note"), field="note", label="督办意见", limit=MAX_COMMENT, required=True
    )
    _escalation(ticket, actor, note, automatic=False)


def _escalation(ticket: Ticket, actor, note: str, *, automatic: bool, objects=()) -> None:
    ticket.escalations += 1
    ticket.save(update_fields=["escalations", "updated_at"])
    _event(
        ticket,
        actor,
        "ticket.escalated",
        objects=objects,
        note=note,
        automatic=automatic,
        level=ticket.escalations,
    )
    _tell_all(
        _staff_of(ticket.department),
        title=f"督办：工单 {ticket.number}",
        body=note,
        link=_ticket_link(ticket),
        key=f"ticket:{ticket.pk}:escalated:{ticket.escalations}",
    )


def _visit_ticket(ticket: Ticket, actor, data: dict) -> None:
    note = text.checked(
        data.get("note"), field="note", label="回访记录", limit=MAX_COMMENT, required=True
    )
    contacted = data.get("contacted", True) not in (False, "false", "0", "no")
    visit = TicketVisit.objects.create(
        ticket=ticket, round=ticket.round, visited_by=actor, contacted=contacted, note=note
    )
    ticket.status = TicketStatus.VISITED
    ticket.save(update_fields=["status", "updated_at"])
    _event(ticket, actor, "ticket.visited", objects=[visit], note=note, contacted=contacted)


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
    note = text.checked(
        data.get("note"), field="note", label="重办理由", limit=MAX_COMMENT, required=True
    )
    ticket.reopens += 1
    _assign(ticket, ticket.department)
    _event(ticket, actor, "ticket.reopened", note=note, round=ticket.round)
    _tell_all(
        _staff_of(ticket.department),
        title=f"工单重办：{ticket.number}",
        body=note,
        link=_ticket_link(ticket),
        key=f"ticket:{ticket.pk}:dispatched:{ticket.round}",
    )


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
    _event(target, actor, "ticket.duplicate_merged", duplicate=dup.number, contact=dup.contact_name)
    return target


def _alert(ticket: Ticket, step: str, level: str, due) -> int:
    alert, created = TicketAlert.objects.get_or_create(
        ticket=ticket, step=step, level=level, round=ticket.round, defaults={"due": due}
    )
    if not created:
        return 0
    label = f"{SlaStep(step).label}{AlertLevel(level).label}"
    if level == AlertLevel.OVERDUE:
        note = f"{label}（时限 {timezone.localtime(due):%m-%d %H:%M}）"
        _escalation(ticket, None, note, automatic=True, objects=[alert])
    else:
        _event(ticket, None, "ticket.warning", objects=[alert], step=step, due=due.isoformat())
        _tell_all(
            _staff_of(ticket.department),
            title=f"{label}：工单 {ticket.number}",
            link=_ticket_link(ticket),
            key=f"ticket:{ticket.pk}:warn:{step}:{ticket.round}",
        )
    return 1


def ticket_actions(user, ticket: Ticket) -> list[str]:
    """Actions this user may take now (drives the buttons on the detail page)."""
    return [a for a in ALLOWED if ticket.status in ALLOWED[a] and _may(user, ticket, a)]
