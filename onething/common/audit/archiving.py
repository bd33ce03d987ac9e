"""Archiving: old sealed rows move to gzip JSONL files with an anchor, so the chain stays whole."""

import gzip
import json
import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from ..jobs import periodic
from ..models import AuditAnchor, AuditRecord
from .chain import _lock, _raw, canonical
from .store import archive_dir, sha256_file
from .verification import verify
from .writing import Category, record


def retention_days() -> int:
    return int(getattr(settings, "ONETHING_AUDIT_RETENTION_DAYS", 183))


def _row_dict(row: AuditRecord) -> dict:
    data = json.loads(canonical(row))
    data.update(prev_hash=row.prev_hash, hash=row.hash)
    return data


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
            file_sha256=sha256_file(path),
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
