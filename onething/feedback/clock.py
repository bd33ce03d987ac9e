"""Deadlines: working days for rectifications, natural or working hours for tickets."""

from datetime import date, datetime, timedelta

from django.utils import timezone

try:  # the cases app owns the holiday calendar (with make-up days and later years)
    from onething.cases.workdays import add_working_days, is_workday
except ImportError:  # pragma: no cover - only while cases is being written
    import chinese_calendar

    def is_workday(day: date) -> bool:
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            return day.weekday() < 5

    def add_working_days(start: date, days: int) -> date:
        day = start
        while days > 0:
            day += timedelta(days=1)
            days -= is_workday(day)
        return day


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
