"""12345 tickets and ratings, read through the feedback app's selectors (docs/supervision.md)."""

from datetime import datetime

from onething.feedback import selectors as feedback

UNAVAILABLE = "12345/好差评模块尚未提供该数据"


def ticket_subjects(now: datetime):
    yield from feedback.supervision_ticket_subjects(now)


def hotline(*, region_codes, date_from, date_to) -> dict | None:
    return feedback.supervision_hotline(
        region_codes=region_codes, date_from=date_from, date_to=date_to
    )


def ratings(*, region_codes, date_from, date_to) -> dict | None:
    return feedback.supervision_ratings(
        region_codes=region_codes, date_from=date_from, date_to=date_to
    )
