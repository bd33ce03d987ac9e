"""Working days (工作日) with the State Council holiday schedule, make-up days included.

chinese-calendar knows the years it shipped with and raises NotImplementedError for later
ones. Later years come from JSON files (``{"year": 2027, "holidays": [...], "workdays": [...]}``,
dates ISO) in ``onething/common/calendars/`` or the directory named by the environment variable
``ONETHING_CALENDAR_DIR``; a year nobody knows falls back to Monday–Friday.
"""

import json
import logging
import os
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import chinese_calendar

log = logging.getLogger(__name__)
BUILTIN_DIR = Path(__file__).parent / "calendars"


def _dirs() -> list[Path]:
    extra = os.environ.get("ONETHING_CALENDAR_DIR")
    return [Path(extra)] if extra else []


@cache
def extra_year(year: int) -> tuple[frozenset, frozenset] | None:
    """(holidays, make-up workdays) for a year from a calendar file, or None."""
    for directory in [*_dirs(), BUILTIN_DIR]:
        path = directory / f"{year}.json"
        if path.exists():
            doc = json.loads(path.read_text(encoding="utf-8"))
            holidays = frozenset(date.fromisoformat(d) for d in doc.get("holidays", []))
            workdays = frozenset(date.fromisoformat(d) for d in doc.get("workdays", []))
            return holidays, workdays
    return None


def load_calendar(path: str | Path) -> None:
    """Register an extra calendar file at run time (tests, operators)."""
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    holidays = frozenset(date.fromisoformat(d) for d in doc.get("holidays", []))
    workdays = frozenset(date.fromisoformat(d) for d in doc.get("workdays", []))
    _LOADED[int(doc["year"])] = (holidays, workdays)


_LOADED: dict[int, tuple[frozenset, frozenset]] = {}


def is_workday(day: date) -> bool:
    known = _LOADED.get(day.year) or extra_year(day.year)
    if known is not None:
        holidays, workdays = known
        return day in workdays or (day.weekday() < 5 and day not in holidays)
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        _unknown_year(day.year)
        return day.weekday() < 5


@cache
def _unknown_year(year: int) -> None:
    """Said once per year and process: every date of a year asks, and hundreds of lines hid it."""
    log.warning("no holiday calendar for %s; counting Monday–Friday", year)


def add_working_days(start: date, days: int) -> date:
    """The date on which the ``days``-th working day after ``start`` falls (start not counted)."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        days -= is_workday(day)
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days in (start, end]; 0 when end is not after start."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_workday(day)
    return count
