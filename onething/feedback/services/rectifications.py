"""Rectifications of bad ratings: the department's reply, the overseer's check, the return visit."""

from django.db import transaction

from onething.accounts.constants import Role
from onething.common.errors import Conflict, NotFound, Unprocessable
from onething.common.events import record_event
from onething.common.notify import notify
from onething.common.security import mask_numbers_in_text

from .. import text
from ..constants import (
    MAX_COMMENT,
    MAX_CONTENT,
    RectificationStatus,
    VisitResult,
)
from ..models import Rectification
from .base import DEPT_ROLES, _now, _overseers_of, _region_ok, _staff_of, _tell_all, _today


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
