"""The audit trail: append-only, hash-chained, archived but never dropped.

By capability:

- ``writing``: the rows services write inside their own transaction — ``written`` /
  ``written_many`` for data changes, ``sensitive_read``, ``security_event``, ``record``;
- ``chain``: ``seal()`` gives each committed row its ``seq`` and hash, from the worker every 10 s;
- ``verification``: ``verify()`` names edited, deleted, inserted and overdue unsealed rows;
- ``archiving`` (and ``store``): old rows move to gzip JSONL files behind an anchor;
- ``guard``: database triggers refuse UPDATE/DELETE except sealing and archiving.

Nothing writes an audit row behind a service's back: there is no model signal. A service that
writes says what it wrote (see ``onething.common.events.record_event``, which records the event
and its audit row together).
"""

from .archiving import ArchiveResult, archive, retention_days
from .chain import GENESIS, LOCK_ID, canonical, digest, head, seal, seal_after_commit, seal_grace
from .guard import PG_GUARD, SQLITE_GUARD, harden, reharden_after_migrate
from .store import archive_dir, read_archive
from .verification import Problem, Report, verify
from .writing import (
    Category,
    Result,
    record,
    replaying,
    security_event,
    sensitive_read,
    suspended,
    write_row,
    written,
    written_many,
)

__all__ = [
    "GENESIS",
    "LOCK_ID",
    "PG_GUARD",
    "SQLITE_GUARD",
    "ArchiveResult",
    "Category",
    "Problem",
    "Report",
    "Result",
    "archive",
    "archive_dir",
    "canonical",
    "digest",
    "harden",
    "head",
    "read_archive",
    "record",
    "reharden_after_migrate",
    "replaying",
    "retention_days",
    "seal",
    "seal_after_commit",
    "seal_grace",
    "security_event",
    "sensitive_read",
    "suspended",
    "verify",
    "write_row",
    "written",
    "written_many",
]
