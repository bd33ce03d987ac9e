"""What the integration's services share: settings with defaults, the case timeline."""

from django.conf import settings

from onething.common.events import record_event

MATERIAL_SALT = "integration.material"
OPEN_TASK = ("active", "supplement", "waiting")


def conf(name: str):
    defaults = {
        "RETRY_BASE_SECONDS": 2.0,  # first retry after about this long
        "RETRY_CAP_SECONDS": 600.0,  # no wait longer than this between attempts
        "MAX_ATTEMPTS": 10,  # then the delivery is dead-lettered
        "UNREACHABLE_AFTER": 3,  # failed attempts in a row before the system is flagged
        "MATERIAL_TOKEN_SECONDS": 900,
        "SILENT_AFTER_SECONDS": 600,  # poll a pushed task's status after this much silence
        "TIMEOUT_SECONDS": 5.0,
    }
    return getattr(settings, "ONETHING_INTEGRATION", {}).get(name, defaults[name])


def _case_event(task, verb: str, *, objects=(), **data) -> None:
    """The case's timeline event, audited with the task and ``objects`` (the integration's rows
    the same write added)."""
    record_event(
        actor=None,
        verb=verb,
        obj=task.case,
        data={"task": task.pk, "item": task.item, **data},
        objects=[task, *objects],
    )
