"""Reads of ratings and rectifications, scoped to the viewer; the rating figures."""

from datetime import datetime, timedelta

from django.utils import timezone

from onething.accounts.constants import Role
from onething.cases import selectors as cases
from onething.cases.constants import CaseStatus
from onething.common.errors import NotFound

from ..constants import (
    BAD_LEVELS,
    Level,
    RatingTarget,
    RectificationStatus,
    rating_days,
)
from ..models import Rating, RatingInvitation, Rectification
from .access import DEPT_ROLES, OVERSEERS, _prefix
from .timelines import _timeline


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
        "region": region.code,
        "start": start,
        "end": end,
        "ratings": total,
        "good": total - bad,
        "bad": bad,
        "good_rate": _rate(total - bad, total),
        "rectified": rectified,
        "rectification_rate": _rate(rectified, bad),
        "visited": visited,
        "visit_rate": _rate(visited, rectified),
        "completed_cases": completed,
        "rated_cases": rated,
        "coverage_rate": _rate(rated, completed),
        "by_level": {lv.label: ratings.filter(level=lv).count() for lv in Level},
    }


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
