"""Writing events: the one way a service records that something happened.

A service that writes calls ``record_event`` in its transaction: the event (read by timelines and
the supervision facts) and the audit row for the same write go in together, so no write has one
without the other. A bulk write or ``update()`` names what it touched with ``objects``.
"""

from collections.abc import Callable

from django.db import transaction

from . import audit
from .models import Event


def record_event(
    *, actor, verb: str, obj, data: dict | None = None, fields=None, objects=()
) -> Event:
    """Append an event for ``obj`` and the audit row of the write; run inside its transaction.

    ``fields`` names the columns an update changed; ``objects`` are further rows the same write
    touched (instances or ``(model, pk)`` pairs), named in the same audit row by model. The
    audit row carries the event's id, not its data: what the event says stays in one place.
    """
    event = new_event(actor=actor, verb=verb, obj=obj, data=data)
    event.save(force_insert=True)
    # One row for the write: ``obj`` is its object, the other rows it touched are named in it.
    audit.written_many(
        action=verb, objects=[obj, *objects], actor=actor, fields=fields, detail={"event": event.pk}
    )
    return event


def new_event(*, actor, verb: str, obj, data: dict | None = None) -> Event:
    """The event ``record_event`` saves, unsaved (the submission inserts it by hand)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return Event(
        actor=user,
        verb=verb,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        data=data or {},
    )


def after_commit(fn: Callable[[], None]) -> None:
    """Notifications leave only once the change is durable."""
    transaction.on_commit(fn)


def events_for(obj):
    return Event.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by(
        "created_at", "id"
    )
