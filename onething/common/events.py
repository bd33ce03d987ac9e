"""Writing events: the one way a service records that something happened."""

from collections.abc import Callable

from django.db import transaction

from . import hotsql
from .models import Event


def record_event(*, actor, verb: str, obj, data: dict | None = None) -> Event:
    """Append an event for ``obj``; callers run inside their write transaction."""
    actor = actor if getattr(actor, "is_authenticated", False) else None
    event = Event(
        actor=actor,
        verb=verb,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        data=data or {},
    )
    return hotsql.create(event)  # on every write path: compiled once, not per call


def after_commit(fn: Callable[[], None]) -> None:
    """Notifications leave only once the change is durable."""
    transaction.on_commit(fn)


def events_for(obj):
    return Event.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by(
        "created_at", "id"
    )
