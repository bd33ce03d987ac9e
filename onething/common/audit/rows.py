"""One audit row, unsaved: who did it (the request's actor unless named), to what, and how."""

import json

from django.db import models

from ..models import AuditRecord
from ..security import Actor, current_actor


class Ref:
    """What an ``update()`` touched, named without loading it: its model and primary key."""

    def __init__(self, model, pk):
        self._meta, self.pk = model._meta, pk


def actor_fields(actor) -> dict:
    ctx = current_actor()
    if isinstance(actor, Actor):
        who = actor
    elif actor is not None and getattr(actor, "is_authenticated", False):
        who = Actor(actor.pk, actor.get_username(), ctx.ip)
    else:
        who = ctx
    return {"actor_id": who.user_id, "actor": who.label or "", "ip": who.ip or ""}


def object_fields(obj) -> dict:
    if obj is None:
        return {}
    if isinstance(obj, models.Model | Ref):
        return {"object_type": obj._meta.label_lower, "object_id": str(obj.pk)}
    return {"object_type": "", "object_id": str(obj)[:128]}


def canonical_detail(detail: dict | None) -> dict:
    # What the database hands back must hash the same as what went in.
    return json.loads(json.dumps(detail or {}, sort_keys=True, ensure_ascii=False, default=str))


def new_row(*, category, action, result, actor, obj, detail) -> AuditRecord:
    return AuditRecord(
        category=category,
        action=action,
        result=result,
        detail=canonical_detail(detail),
        **actor_fields(actor),
        **object_fields(obj),
    )
