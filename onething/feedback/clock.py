"""Deadlines: working days for rectifications, natural or working hours for tickets."""

from datetime import datetime, timedelta

from django.utils import timezone

from onething.common.workdays import add_working_days, is_workday

__all__ = ["add_working_days", "after", "is_workday"]


def _next_midnight(moment: datetime) -> datetime:
    day = moment.date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, datetime.min.time()), moment.tzinfo)


def after(start: datetime, *, minutes: int, working: bool) -> datetime:
    """``minutes`` after ``start``; with ``working``, time on rest days does not count."""
    if not working:
        return start + timedelta(minutes=minutes)
    moment, left = timezone.localtime(start), timedelta(minutes=minutes)
    while True:
        midnight = _next_midnight(moment)
        if is_workday(moment.date()):
            if moment + left <= midnight:
                return moment + left
            left -= midnight - moment
        moment = midnight
