"""Sealing: each committed row gets its ``seq`` and ``hash = sha256(prev_hash + canonical(row))``.

Rows are inserted unsealed in the caller's transaction (so a rolled-back write leaves no row and a
committed one always has its row); ``seal()`` chains them under a lock, from the worker every
10 s, so that requests never queue on the chain's head.
"""

import hashlib
import json
import logging
from datetime import UTC, timedelta

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from ..jobs import periodic
from ..models import AuditAnchor, AuditRecord
from .rows import new_row

log = logging.getLogger("onething.common.audit")
GENESIS = "0" * 64
LOCK_ID = 0x0A0D17  # pg_advisory_xact_lock key for the chain head
Category, Result = AuditRecord.Category, AuditRecord.Result


def canonical(row: AuditRecord) -> str:
    created = row.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return json.dumps(
        {
            "seq": row.seq,
            "id": row.id,
            "created_at": created,
            "category": row.category,
            "action": row.action,
            "result": row.result,
            "actor_id": row.actor_id,
            "actor": row.actor,
            "ip": row.ip,
            "object_type": row.object_type,
            "object_id": row.object_id,
            "detail": row.detail,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )


def digest(prev_hash: str, row: AuditRecord) -> str:
    return hashlib.sha256((prev_hash + canonical(row)).encode()).hexdigest()


def _raw():
    # The guarded manager refuses update/delete; sealing and archiving are the two exceptions.
    return models.QuerySet(model=AuditRecord)


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_ID])
    # SQLite: transactions start IMMEDIATE (see settings), which already serialises writers.


def head() -> tuple[int, str]:
    last = _raw().filter(seq__isnull=False).order_by("-seq").only("seq", "hash").first()
    if last is not None:
        return last.seq, last.hash
    anchor = AuditAnchor.objects.order_by("-last_seq").first()
    return (anchor.last_seq, anchor.last_hash) if anchor else (0, GENESIS)


def seal_grace() -> timedelta:
    """How long a committed row may wait for its seal before verify calls it a failure."""
    return timedelta(seconds=int(getattr(settings, "ONETHING_AUDIT_SEAL_GRACE_SECONDS", 120)))


def seal(limit: int = 5000) -> int:
    """Chain every committed unsealed row, oldest first. Safe to call from anywhere.

    Rows sealed after the grace period (the worker was down) are sealed all the same, but
    the chain then records that it happened: those rows were unguarded by the hash meanwhile.
    """
    done, late, oldest = 0, 0, None
    cutoff = timezone.now() - seal_grace()
    while True:
        with transaction.atomic():
            _lock()
            seq, prev = head()
            rows = list(_raw().filter(seq__isnull=True).order_by("id")[:limit])
            for row in rows:
                seq += 1
                row.seq, row.prev_hash = seq, prev
                row.hash = prev = digest(prev, row)
                _raw().filter(pk=row.pk, seq__isnull=True).update(
                    seq=row.seq, prev_hash=row.prev_hash, hash=row.hash
                )
                if row.created_at < cutoff and row.action != "audit.sealed_late":
                    late += 1
                    oldest = oldest or row.created_at
        done += len(rows)
        if len(rows) < limit:
            break
    if late:
        detail = {"count": late, "oldest": oldest.isoformat()}
        new_row(
            category=Category.SYSTEM,
            action="audit.sealed_late",
            result=Result.FAILURE,
            actor=None,
            obj=None,
            detail=detail,
        ).save(force_insert=True)  # chained by the next seal
    return done


def _seal_now() -> None:
    try:
        seal()
    except Exception:  # sealing is retried by the worker; never fail the request over it
        log.exception("audit seal failed; it will be retried")


def seal_after_commit() -> None:
    # Chaining takes one lock shared by every writer; by default the worker's job does it
    # (every 10 s) so that requests never queue on it. Tests and small sites may seal inline.
    if not getattr(settings, "ONETHING_AUDIT_SEAL_INLINE", False):
        return
    conn = transaction.get_connection()
    if conn.in_atomic_block and any(item[1] is _seal_now for item in conn.run_on_commit):
        return
    transaction.on_commit(_seal_now)


@periodic("audit.seal", 10)
def _seal_job(payload):
    return {"sealed": seal()}
