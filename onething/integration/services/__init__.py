"""Writes of the integration: routing tasks to systems, the outbox of signed CloudEvents,
callbacks applied once and in order, polling and daily reconciliation.

Cases calls ``task_started`` / ``task_resumed`` / ``task_cancelled`` inside its own
transaction; the delivery rows commit with the task and leave after commit through the
worker (``deliver``). A callback is verified, validated, recorded and applied in one
transaction; applying goes back through ``cases.services`` so that an external approval
issues and seals the licence exactly as a reviewer's does.
"""

from .. import signing  # the admin generates keys through services.signing
from .callbacks import callback_receive, record_and_apply
from .common import MATERIAL_SALT, OPEN_TASK, conf
from .dispatch import (
    backoff,
    deliver,
    deliver_due,
    delivery_cancel,
    delivery_replay,
    material_open,
    message_data,
    route,
    task_cancelled,
    task_resumed,
    task_started,
)
from .silence import poll, reconcile
from .systems import system_save, unknown_type

__all__ = [
    "MATERIAL_SALT",
    "OPEN_TASK",
    "backoff",
    "callback_receive",
    "conf",
    "deliver",
    "deliver_due",
    "delivery_cancel",
    "delivery_replay",
    "material_open",
    "message_data",
    "poll",
    "reconcile",
    "record_and_apply",
    "route",
    "signing",
    "system_save",
    "task_cancelled",
    "task_resumed",
    "task_started",
    "unknown_type",
]
