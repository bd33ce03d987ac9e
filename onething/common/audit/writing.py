"""Writing audit rows: each service calls these inside its own transaction.

- ``written(action=…, object=…)`` for a write a service makes (``written_many`` for a bulk write
  or a queryset ``update()``: one row for the write, naming every object it touched);
- ``sensitive_read(actor=…, object=…, what="id_number")`` when a full personal value is shown;
- ``security_event("login.failed", actor=…, target=…, result="failure", detail={…})``;
- ``record(category=…, action=…, …)`` for anything else (system operations).

No signal writes audit rows behind a service's back: a ``QuerySet.update()``, a ``bulk_create``
or a hand-written statement is audited because the service that made it says so.
"""

import contextlib
import contextvars

from ..models import AuditRecord
from .chain import seal_after_commit
from .rows import Ref, new_row

Category, Result = AuditRecord.Category, AuditRecord.Result

_suspended: contextvars.ContextVar[bool] = contextvars.ContextVar("audit_suspended", default=False)


@contextlib.contextmanager
def replaying():
    """While a restore replays stored rows: they are history, not new writes to audit."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


def suspended() -> bool:
    return _suspended.get()


def record(
    *,
    category: str,
    action: str,
    result: str = Result.SUCCESS,
    actor=None,
    object=None,  # noqa: A002 - the audited object; the name the brief's API uses
    detail: dict | None = None,
) -> AuditRecord:
    row = new_row(
        category=category, action=action, result=result, actor=actor, obj=object, detail=detail
    )
    row.save(force_insert=True)
    seal_after_commit()
    return row


def sensitive_read(
    *,
    actor,
    object,  # noqa: A002
    what: str,
    fields: list[str] | None = None,
    rows: int | None = None,
) -> AuditRecord:
    """Call when a full personal value (ID number, phone…) is shown to ``actor``.

    ``fields`` names what was shown (never the values); ``rows`` counts the people in an export.
    """
    detail = {k: v for k, v in (("fields", fields), ("rows", rows)) if v is not None}
    return record(
        category=Category.READ, action="read." + what, actor=actor, object=object, detail=detail
    )


def security_event(
    action: str, *, actor=None, target=None, result: str = Result.SUCCESS, detail=None
) -> AuditRecord:
    return record(
        category=Category.SECURITY,
        action=action,
        result=result,
        actor=actor,
        object=target,
        detail=detail,
    )


def _row(*, action: str, actor, obj, detail: dict | None) -> AuditRecord:
    return new_row(
        category=Category.WRITE,
        action=action,
        result=Result.SUCCESS,
        actor=actor,
        obj=obj,
        detail=detail,
    )


def written(
    *,
    action: str,
    object,  # noqa: A002
    actor=None,
    fields: list[str] | None = None,
    detail: dict | None = None,
) -> AuditRecord:
    """A service wrote ``object``: ``action`` says what (``case.submitted``, ``rule.saved``…),
    ``fields`` names the columns an update changed (never their values)."""
    if _suspended.get():
        return _row(action=action, actor=actor, obj=object, detail=detail)
    detail = {**(detail or {}), **({"fields": sorted(fields)} if fields else {})}
    return record(category=Category.WRITE, action=action, actor=actor, object=object, detail=detail)


def written_many(
    *,
    action: str,
    objects,
    actor=None,
    fields: list[str] | None = None,
    detail: dict | None = None,
) -> AuditRecord | None:
    """A bulk write or a queryset ``update()``: one row for the write, naming every object.

    ``objects`` are model instances or ``(model, pk)`` pairs (what an ``update()`` touched). The
    first is the row's object; the rest are listed in ``detail["objects"]`` by model
    (``{"cases.casematerial": ["12", "13"]}``), so that one write costs one row however many
    rows it touched, and the chain still covers each of them.
    """
    refs = [_as_object(o) for o in objects]
    if not refs:
        return None
    detail = _detail(refs, detail)
    return written(action=action, object=refs[0], actor=actor, fields=fields, detail=detail)


def write_row(*, action: str, objects, actor=None, detail: dict | None = None) -> AuditRecord:
    """The row ``written_many`` saves, unsaved, for a writer that inserts it itself (the
    submission, by hand); it calls ``seal_after_commit()`` once the row is in."""
    refs = [_as_object(o) for o in objects]
    return _row(action=action, actor=actor, obj=refs[0], detail=_detail(refs, detail))


def _detail(refs: list, detail: dict | None) -> dict:
    others = named_objects(refs[1:])
    return {**(detail or {}), **({"objects": others} if others else {})}


def named_objects(objects) -> dict[str, list[str]]:
    """Objects as ``{model label: [primary keys]}``, in the order given."""
    named: dict[str, list[str]] = {}
    for obj in objects:
        ref = _as_object(obj)
        named.setdefault(ref._meta.label_lower, []).append(str(ref.pk))
    return named


def _as_object(obj):
    if isinstance(obj, tuple):
        return Ref(*obj)
    return obj
