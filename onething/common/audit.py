"""The audit trail: append-only, hash-chained, archived but never dropped.

Writing — three entry points other code calls, plus signals that catch every model write:

- ``audit.sensitive_read(actor=…, object=…, what="id_number")`` when a full personal value is shown;
- ``audit.security_event("login.failed", actor=…, target=…, result="failure", detail={…})``;
- ``audit.record(category=…, action=…, …)`` for anything else (system operations).

Rows are inserted unsealed in the caller's transaction (so a rolled-back write leaves no row and
a committed one always has its row). ``seal()`` then gives each row its ``seq`` and
``hash = sha256(prev_hash + canonical(row))`` under a lock, from the worker every 10 s. From its
insert a row is guarded by database triggers (installed by migration): no UPDATE or DELETE
except the one sealing update, which may only fill ``seq``/``prev_hash``/``hash``. ``verify()``
never seals: it names edited, deleted and inserted rows, and rows still unsealed after the
sealing grace period (``ONETHING_AUDIT_SEAL_GRACE_SECONDS``). ``archive()`` moves old rows to
gzip JSONL files with an anchor so the chain stays whole.
"""

import contextlib
import contextvars
import gzip
import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, connections, models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.utils import timezone

from . import hotsql
from .jobs import periodic
from .models import AuditAnchor, AuditRecord
from .security import Actor, current_actor

log = logging.getLogger(__name__)
GENESIS = "0" * 64
LOCK_ID = 0x0A0D17  # pg_advisory_xact_lock key for the chain head
Category, Result = AuditRecord.Category, AuditRecord.Result

# Models whose writes are not audited row by row: the audit tables themselves, the job queue
# (lease churn), login counters (recorded as security events), and the event log.
SKIP_MODELS = {
    "common.auditrecord",
    "common.auditanchor",
    "common.auditgate",
    "common.job",
    "common.event",
    "accounts.loginattempt",
    "accounts.loginlockout",
    "sessions.session",
    "admin.logentry",
    # derived figures, rebuilt from cases and events: auditing them adds nothing
    "supervision.casefact",
    "supervision.monthrollup",
    "supervision.dayrollup",
    "supervision.openrollup",
    "supervision.rollupstate",
    # by-products of an audited write: the case (or task…) row that caused them is audited,
    # and the idempotency key, message and outbox rows carry its number in their keys
    "cases.idempotencykey",
    "common.message",
    "common.outbox",
}
AUDITED_APPS = {"auth", "otp_totp"}


_suspended: contextvars.ContextVar[bool] = contextvars.ContextVar("audit_suspended", default=False)


@contextlib.contextmanager
def replaying():
    """While a restore replays stored rows: they are history, not new writes to audit."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


# ---- writing --------------------------------------------------------------------------------


def _actor_fields(actor) -> dict:
    ctx = current_actor()
    if isinstance(actor, Actor):
        who = actor
    elif actor is not None and getattr(actor, "is_authenticated", False):
        who = Actor(actor.pk, actor.get_username(), ctx.ip)
    else:
        who = ctx
    return {"actor_id": who.user_id, "actor": who.label or "", "ip": who.ip or ""}


def _object_fields(obj) -> dict:
    if obj is None:
        return {}
    if isinstance(obj, models.Model):
        return {"object_type": obj._meta.label_lower, "object_id": str(obj.pk)}
    return {"object_type": "", "object_id": str(obj)[:128]}


def _canonical_detail(detail: dict | None) -> dict:
    # What the database hands back must hash the same as what went in.
    return json.loads(json.dumps(detail or {}, sort_keys=True, ensure_ascii=False, default=str))


def record(
    *,
    category: str,
    action: str,
    result: str = Result.SUCCESS,
    actor=None,
    object=None,  # noqa: A002 - the audited object; the name the brief's API uses
    detail: dict | None = None,
) -> AuditRecord:
    row = AuditRecord(
        category=category,
        action=action,
        result=result,
        detail=_canonical_detail(detail),
        **_actor_fields(actor),
        **_object_fields(object),
    )
    hotsql.create(row)  # one per audited write: compiled once, not per call
    _seal_after_commit()
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


def _audited(sender) -> bool:
    if _suspended.get():
        return False
    meta = sender._meta
    if meta.apps is not apps or meta.app_config is None:
        return False  # historical models in migrations: the audit table may not exist yet
    if meta.label_lower in SKIP_MODELS or meta.auto_created:
        return False
    return meta.app_config.name.startswith("onething.") or meta.app_label in AUDITED_APPS


def _on_save(sender, instance, created, raw, update_fields, **kwargs):
    if raw or not _audited(sender):
        return
    fields = sorted(update_fields or [])
    if fields == ["last_login"]:
        return  # the login itself is a security event
    record(
        category=Category.WRITE,
        action="create" if created else "update",
        object=instance,
        detail={"fields": fields} if fields else None,
    )


def _on_delete(sender, instance, **kwargs):
    if _audited(sender):
        record(category=Category.WRITE, action="delete", object=instance)


def _on_m2m(sender, instance, action, model, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not isinstance(instance, models.Model) or not _audited(type(instance)):
        return
    name = "permission.changed" if model._meta.app_label == "auth" else "relation.changed"
    record(
        category=Category.SECURITY if name.startswith("permission") else Category.WRITE,
        action=name,
        object=instance,
        detail={
            "change": action[5:],
            "model": model._meta.label_lower,
            "ids": sorted(pk_set or []),
        },
    )


def connect_signals() -> None:
    post_migrate.connect(reharden_after_migrate, dispatch_uid="audit.reharden")
    post_save.connect(_on_save, dispatch_uid="audit.save")
    post_delete.connect(_on_delete, dispatch_uid="audit.delete")
    m2m_changed.connect(_on_m2m, dispatch_uid="audit.m2m")


# ---- sealing --------------------------------------------------------------------------------


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
        record(
            category=Category.SYSTEM,
            action="audit.sealed_late",
            result=Result.FAILURE,
            detail={"count": late, "oldest": oldest.isoformat()},
        )
    return done


def _seal_now() -> None:
    try:
        seal()
    except Exception:  # sealing is retried by the worker; never fail the request over it
        log.exception("audit seal failed; it will be retried")


def _seal_after_commit() -> None:
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


# ---- verification ---------------------------------------------------------------------------


@dataclass
class Problem:
    kind: str  # deleted | edited | inserted | unsealed | archive
    message: str
    seq: int | None = None
    id: int | None = None


@dataclass
class Report:
    checked: int = 0
    archived: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class _Walker:
    """Checks rows in seq order against the previous one; names what is wrong."""

    def __init__(self, report: Report, seq: int, prev_hash: str, where: str = ""):
        self.report, self.next_seq, self.prev_hash, self.where = report, seq + 1, prev_hash, where
        self.prev_row: AuditRecord | None = None

    def step(self, row: AuditRecord) -> None:
        report, where = self.report, self.where
        gap = row.seq > self.next_seq
        if gap:
            span = f"{self.next_seq}" + (f"–{row.seq - 1}" if row.seq - 1 > self.next_seq else "")
            report.problems.append(
                Problem("deleted", f"{where}第 {span} 条审计记录缺失（已被删除）", self.next_seq)
            )
        if digest(row.prev_hash, row) != row.hash:
            report.problems.append(
                Problem(
                    "edited",
                    f"{where}第 {row.seq} 条审计记录（id={row.id}）内容与摘要不符（已被修改或伪造）",
                    row.seq,
                    row.id,
                )
            )
        elif row.prev_hash != self.prev_hash and not gap:
            self._broken_link(row)
        self.prev_hash, self.next_seq, self.prev_row = row.hash, row.seq + 1, row
        report.checked += 1
        report.head_seq, report.head_hash = row.seq, row.hash

    def _broken_link(self, row: AuditRecord) -> None:
        before = self.prev_row
        if before is not None:
            message = (
                f"{self.where}第 {before.seq} 条审计记录（id={before.id}）不在原链上"
                f"（被插入或替换），第 {row.seq} 条记录指向的是另一条记录"
            )
            self.report.problems.append(Problem("inserted", message, before.seq, before.id))
        else:
            message = f"{self.where}第 {row.seq} 条审计记录（id={row.id}）与归档锚点不衔接"
            self.report.problems.append(Problem("inserted", message, row.seq, row.id))


def verify(*, archives: bool = True) -> Report:
    """Walk archives (if asked) then the live table; every broken link becomes a Problem.

    Never seals: sealing first would bless a row forged before its seal. A row still unsealed
    after the grace period is itself a problem (edited or inserted before sealing, or the
    worker is not running: `onething audit seal` then chains them and records that it did).
    """
    report = Report()
    anchors = list(AuditAnchor.objects.order_by("last_seq"))
    if archives:
        _verify_archives(report, anchors)
    start_seq, start_hash = (
        (anchors[-1].last_seq, anchors[-1].last_hash) if anchors else (0, GENESIS)
    )
    report.head_seq, report.head_hash = start_seq, start_hash
    walker = _Walker(report, start_seq, start_hash)
    for row in _raw().filter(seq__isnull=False).order_by("seq").iterator(chunk_size=2000):
        walker.step(row)
    _verify_unsealed(report)
    return report


def _verify_unsealed(report: Report) -> None:
    stale = _raw().filter(seq__isnull=True, created_at__lt=timezone.now() - seal_grace())
    ids = list(stale.order_by("id").values_list("id", flat=True)[:20])
    if ids:
        count = stale.count()
        seconds = int(seal_grace().total_seconds())
        report.problems.append(
            Problem(
                "unsealed",
                f"{count} 条审计记录超过 {seconds} 秒仍未加入哈希链（入链前可能被修改，"
                f"或 worker 未运行）：id={', '.join(map(str, ids))}",
                id=ids[0],
            )
        )


def _verify_archives(report: Report, anchors: list[AuditAnchor]) -> None:
    prev_seq, prev_hash = 0, GENESIS
    for anchor in anchors:
        where = f"归档 {anchor.file_name}："
        if anchor.first_seq != prev_seq + 1 or anchor.start_prev_hash != prev_hash:
            report.problems.append(Problem("deleted", f"{where}与上一归档不衔接（锚点缺失或被改）"))
        path = archive_dir() / anchor.file_name
        if not path.exists():
            report.problems.append(Problem("archive", f"{where}文件缺失"))
        elif _sha256_file(path) != anchor.file_sha256:
            report.problems.append(Problem("archive", f"{where}文件摘要与锚点不符（被修改）"))
        else:
            walker = _Walker(report, anchor.first_seq - 1, anchor.start_prev_hash, where)
            for row in read_archive(path):
                walker.step(row)
                report.archived += 1
            if walker.prev_hash != anchor.last_hash or walker.next_seq != anchor.last_seq + 1:
                report.problems.append(Problem("archive", f"{where}末条记录与锚点不符"))
        prev_seq, prev_hash = anchor.last_seq, anchor.last_hash


# ---- archiving ------------------------------------------------------------------------------


def archive_dir() -> Path:
    path = Path(settings.VAR_DIR) / "audit-archive"
    path.mkdir(parents=True, exist_ok=True)
    return path


def retention_days() -> int:
    return int(getattr(settings, "ONETHING_AUDIT_RETENTION_DAYS", 183))


def _row_dict(row: AuditRecord) -> dict:
    data = json.loads(canonical(row))
    data.update(prev_hash=row.prev_hash, hash=row.hash)
    return data


def read_archive(path: Path):
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            data = json.loads(line)
            if data.get("type") == "header":
                continue
            created = timezone.datetime.fromisoformat(data.pop("created_at").replace("Z", "+00:00"))
            yield AuditRecord(created_at=created, **data)


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _archivable_last_seq(cutoff) -> int | None:
    """The chain is archived as a prefix: up to the row before the first one to keep."""
    sealed = _raw().filter(seq__isnull=False)
    keep = sealed.filter(created_at__gte=cutoff).order_by("seq").values_list("seq", flat=True)
    first_kept = keep.first()
    older = sealed.filter(seq__lt=first_kept) if first_kept else sealed
    return older.aggregate(m=models.Max("seq"))["m"]


@dataclass
class ArchiveResult:
    path: Path
    count: int
    first_seq: int
    last_seq: int


def archive(*, before=None) -> ArchiveResult | None:
    """Move sealed rows older than the retention period into a gzip JSONL file.

    Refuses to archive a broken chain: evidence of tampering must stay where it was found.
    """
    report = verify(archives=False)
    if not report.ok:
        raise ValueError(
            "审计链校验未通过，拒绝归档：" + "；".join(p.message for p in report.problems)
        )
    cutoff = before or timezone.now() - timedelta(days=retention_days())
    last_seq = _archivable_last_seq(cutoff)
    if last_seq is None:
        return None
    rows = _raw().filter(seq__isnull=False, seq__lte=last_seq).order_by("seq")
    first = rows.first()
    path = _write_archive(rows, first, last_seq)
    with transaction.atomic():
        _lock()
        last = rows.last()
        AuditAnchor.objects.create(
            first_seq=first.seq,
            last_seq=last.seq,
            start_prev_hash=first.prev_hash,
            last_hash=last.hash,
            count=rows.count(),
            file_name=path.name,
            file_sha256=_sha256_file(path),
        )
        count = rows.count()
        rows._raw_delete(rows.db)  # the triggers allow it: these rows are now behind the anchor
    record(
        category=Category.SYSTEM,
        action="audit.archived",
        detail={"file": path.name, "first_seq": first.seq, "last_seq": last_seq, "count": count},
    )
    return ArchiveResult(path, count, first.seq, last_seq)


def _write_archive(rows, first: AuditRecord, last_seq: int) -> Path:
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
    path = archive_dir() / f"audit-{first.seq:012d}-{last_seq:012d}-{stamp}.jsonl.gz"
    tmp = path.with_suffix(".tmp")
    header = {"type": "header", "first_seq": first.seq, "last_seq": last_seq}
    header["start_prev_hash"] = first.prev_hash
    with gzip.open(tmp, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps(header) + "\n")
        for row in rows.iterator(chunk_size=2000):
            fh.write(json.dumps(_row_dict(row), ensure_ascii=False, sort_keys=True) + "\n")
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    tmp.replace(path)  # a crash leaves a .tmp, never a half archive named like a whole one
    return path


@periodic("audit.archive", 24 * 3600)
def _archive_job(payload):
    result = archive()
    return {"archived": result.count if result else 0}


# ---- database guard -------------------------------------------------------------------------

# A row may be updated once, by its seal: seq, prev_hash and hash filled in, nothing else
# changed. It may be deleted only once archived (seq at or below the last anchor's). Anchors
# are never changed. Installed by migration common.0005 and again after every migrate.
CONTENT_COLUMNS = [
    "id", "created_at", "category", "action", "result", "actor_id", "actor", "ip",
    "object_type", "object_id", "detail",
]  # fmt: skip
_SQLITE_SAME = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in CONTENT_COLUMNS)
_PG_NEW = ", ".join(f"NEW.{c}" for c in CONTENT_COLUMNS)
_PG_OLD = ", ".join(f"OLD.{c}" for c in CONTENT_COLUMNS)
_SEALING = "OLD.seq IS NULL AND OLD.hash = '' AND NEW.seq IS NOT NULL AND NEW.hash <> ''"
_ARCHIVED = (
    "OLD.seq IS NOT NULL AND OLD.seq <= (SELECT COALESCE(MAX(last_seq), 0) FROM common_auditanchor)"
)
SQLITE_UNGUARD = [
    "DROP TRIGGER IF EXISTS audit_no_delete",
    "DROP TRIGGER IF EXISTS audit_no_update",
    "DROP TRIGGER IF EXISTS audit_anchor_guard",
    "DROP TRIGGER IF EXISTS audit_anchor_no_update",
]
SQLITE_GUARD = SQLITE_UNGUARD + [
    f"""CREATE TRIGGER audit_no_delete BEFORE DELETE ON common_auditrecord
       WHEN NOT ({_ARCHIVED})
       BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END""",
    f"""CREATE TRIGGER audit_no_update BEFORE UPDATE ON common_auditrecord
       WHEN NOT ({_SEALING} AND {_SQLITE_SAME})
       BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END""",
    """CREATE TRIGGER audit_anchor_guard BEFORE DELETE ON common_auditanchor
       BEGIN SELECT RAISE(ABORT, 'audit anchors are append-only'); END""",
    """CREATE TRIGGER audit_anchor_no_update BEFORE UPDATE ON common_auditanchor
       BEGIN SELECT RAISE(ABORT, 'audit anchors are append-only'); END""",
]
PG_UNGUARD = [
    "DROP TRIGGER IF EXISTS audit_guard ON common_auditrecord",
    "DROP TRIGGER IF EXISTS audit_guard_truncate ON common_auditrecord",
    "DROP TRIGGER IF EXISTS audit_anchor_guard ON common_auditanchor",
    "DROP TRIGGER IF EXISTS audit_anchor_guard_truncate ON common_auditanchor",
]
PG_GUARD = PG_UNGUARD + [
    f"""CREATE OR REPLACE FUNCTION onething_audit_guard() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'UPDATE' THEN
           IF {_SEALING} AND ({_PG_NEW}) IS NOT DISTINCT FROM ({_PG_OLD}) THEN
             RETURN NEW;
           END IF;
         ELSIF TG_OP = 'DELETE' THEN
           IF {_ARCHIVED} THEN RETURN OLD; END IF;
         END IF;
         RAISE EXCEPTION 'audit records are append-only';
       END $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE FUNCTION onething_audit_refuse() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit records are append-only'; END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_guard BEFORE UPDATE OR DELETE ON common_auditrecord
       FOR EACH ROW EXECUTE FUNCTION onething_audit_guard()""",
    """CREATE TRIGGER audit_guard_truncate BEFORE TRUNCATE ON common_auditrecord
       FOR EACH STATEMENT EXECUTE FUNCTION onething_audit_refuse()""",
    """CREATE TRIGGER audit_anchor_guard BEFORE UPDATE OR DELETE ON common_auditanchor
       FOR EACH ROW EXECUTE FUNCTION onething_audit_refuse()""",
    """CREATE TRIGGER audit_anchor_guard_truncate BEFORE TRUNCATE ON common_auditanchor
       FOR EACH STATEMENT EXECUTE FUNCTION onething_audit_refuse()""",
]


def harden(*, undo: bool = False, using: str = "default") -> None:
    """Database triggers so that even SQL outside the app cannot edit or delete audit rows.

    Installed by migration (and after every migrate); ``onething audit harden`` reinstalls
    them, ``--undo`` removes them (only the tables' owner can, and the flush of a demo or
    test database does it for the duration).
    """
    conn = connections[using]
    statements = {
        ("sqlite", False): SQLITE_GUARD,
        ("sqlite", True): SQLITE_UNGUARD,
        ("postgresql", False): PG_GUARD,
        ("postgresql", True): PG_UNGUARD,
    }.get((conn.vendor, undo), [])
    with transaction.atomic(using=using), conn.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def reharden_after_migrate(sender, using="default", **kwargs) -> None:
    # SQLite rebuilds a table to alter it, dropping its triggers: put them back every time.
    tables = connections[using].introspection.table_names()
    if {"common_auditrecord", "common_auditanchor"} <= set(tables):
        harden(using=using)


def audited_models() -> list[str]:
    return sorted(m._meta.label_lower for m in apps.get_models() if _audited(m))
