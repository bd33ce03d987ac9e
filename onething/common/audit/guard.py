"""The database guard: triggers so that even SQL outside the app cannot edit or delete audit rows.

A row may be updated once, by its seal: seq, prev_hash and hash filled in, nothing else
changed. It may be deleted only once archived (seq at or below the last anchor's). Anchors
are never changed. Installed by migration common.0005 and again after every migrate.
"""

from django.db import connections, transaction

CONTENT_COLUMNS = [
    "id",
    "created_at",
    "category",
    "action",
    "result",
    "actor_id",
    "actor",
    "ip",
    "object_type",
    "object_id",
    "detail",
]
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
