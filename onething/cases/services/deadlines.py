"""Deadline warnings of running tasks, derived from working days."""

from datetime import date

from django.db import transaction

from ..constants import (
    TaskStatus,
    Warning,
)
from ..models import (
    Task,
)
from . import base
from .base import _event, _tell_department


def warning_level(task: Task, today: date) -> str:
    return task.warning_on(today)


def deadline_warnings(*, today: date | None = None) -> int:
    """Raise yellow/red warnings on running tasks; run by the worker, never by a page view."""
    today = today or base._today()
    changed = 0
    for task in Task.objects.filter(status=TaskStatus.ACTIVE).select_related("case"):
        level = warning_level(task, today)
        if level != task.warning:
            changed += _set_warning(task.pk, level, today)
    return changed


@transaction.atomic
def _set_warning(task_id: int, level: str, today: date) -> int:
    # The task row only: decisions lock the case before the task, so this must not hold the case.
    task = (
        Task.objects.select_for_update(of=("self",))
        .select_related("case", "department")
        .get(pk=task_id)
    )
    if (
        task.status != TaskStatus.ACTIVE
        or warning_level(task, today) != level
        or task.warning == level
    ):
        return 0
    task.warning = level
    task.save(update_fields=["warning"])
    _event(
        task.case,
        None,
        "task.warning",
        task=task.pk,
        item=task.item,
        level=level,
        deadline=str(task.deadline),
    )
    if level:
        label = Warning(level).label
        _tell_department(
            task,
            f"{label}：{task.case.title} · {task.name}（期限 {task.deadline}）",
            f"warn:{level}",
        )
    return 1
