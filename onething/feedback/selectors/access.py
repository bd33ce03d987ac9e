"""Who sees what of feedback: full texts, authorship, a rectification's own texts."""

from onething.accounts.constants import Role

from ..models import Rating, Rectification, Ticket

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
RECTIFICATION_TEXT = {
    "verification": "replied_by_id",
    "measures": "replied_by_id",
    "reply": "replied_by_id",
    "check_note": "checked_by_id",
    "visit_note": "visited_by_id",
}


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
