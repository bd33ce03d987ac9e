"""Ratings (好差评): inviting, submitting and re-rating; a bad rating opens a rectification."""

from django.conf import settings
from django.db import IntegrityError, transaction

from onething.accounts.constants import Role
from onething.accounts.models import Department
from onething.cases import selectors as cases
from onething.cases.constants import CaseStatus
from onething.common.errors import Conflict, Forbidden, NotFound, Unprocessable
from onething.common.events import record_event
from onething.common.notify import notify
from onething.common.security import mask_numbers_in_text

from .. import clock, selectors, text
from ..constants import (
    ALL_TAGS,
    BAD_LEVELS,
    MAX_COMMENT,
    Level,
    RatingChannel,
    RatingTarget,
    RectificationStatus,
    VisitResult,
    rating_days,
    rectification_days,
)
from ..models import Rating, RatingInvitation, Rectification
from .base import _now, _staff_of, _tell_all, _today
from .rectifications import _visit


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
    if level in (None, ""):
        raise Unprocessable(
            "请选择评价等级", fields={"level": "请选择 1（非常不满意）至 5（非常满意）"}
        )
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
    """The department a case rating is about: the one named, else the one-thing's lead department
    (牵头部门, which answers for the one-thing as a whole), else the last to decide."""
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
    lead = ((case.blueprint or {}).get("onething") or {}).get("lead_department")
    leading = [t.department for t in tasks if t.department.kind_id == lead]
    decided = sorted((t for t in tasks if t.decided_at), key=lambda t: t.decided_at, reverse=True)
    chosen = (leading or [d.department for d in decided] or list(departments.values()) or [None])[0]
    if chosen is None:
        raise Unprocessable("无法确定被评价的部门", fields={"department": "请指定部门"})
    return chosen


def _rate_case(actor, number, department_code, channel, token, data) -> Rating:
    channel = _channel_for(actor, token, channel)
    case, rater = _rateable_case(actor, number, token)
    _check_open(case)
    department = _responsible(case, department_code)
    fields = {
        "target": RatingTarget.CASE,
        "case": case,
        "onething": case.onething,
        "department": department,
        "region": case.process_region,
        "rater": rater,
    }
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
    fields = {
        "target": target,
        "onething": str(onething)[:64],
        "department": department,
        "region": department.region,
        "rater": actor if actor.is_applicant else None,
    }
    with transaction.atomic():
        return _create_rating(actor, channel, fields, data)


def _create_rating(actor, channel: str, fields: dict, data: dict) -> Rating:
    if fields.get("case") is not None and Rating.objects.filter(case=fields["case"]).exists():
        raise Conflict("该办件已经评价过（一事一评），不能重复评价")
    rating = Rating.objects.create(
        **fields,
        **data,
        first_level=data["level"],
        channel=channel,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record_event(
        actor=actor,
        verb="rating.created",
        obj=rating,
        data={"level": rating.level, "channel": channel, "tags": rating.tags},
    )
    if rating.level in BAD_LEVELS:
        _open_rectification(rating)
    return rating


def _open_rectification(rating: Rating) -> Rectification:
    deadline = clock.add_working_days(_today(), rectification_days())
    rect = Rectification.objects.create(
        rating=rating, department=rating.department, deadline=deadline
    )
    record_event(
        actor=None,
        verb="rectification.opened",
        obj=rect,
        data={"department": rating.department.name, "deadline": str(deadline)},
    )
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
    record_event(
        actor=actor, verb="rating.rerated", obj=rating, data={"from": before, "level": rating.level}
    )
    if rect.status == RectificationStatus.APPROVED:
        result = VisitResult.DISSATISFIED if rating.level in BAD_LEVELS else VisitResult.SATISFIED
        _visit(rect, actor, result, "评价人收到整改答复后在线再次评价。")
    return rating


def _is_rater(actor, rating: Rating, token: str) -> bool:
    if token:
        inv = selectors.invitation_by_token(token)
        return inv is not None and inv.case_id == rating.case_id
    return getattr(actor, "is_authenticated", False) and rating.rater_id == actor.pk
