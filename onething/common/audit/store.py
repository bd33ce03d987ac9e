"""Archive files: where they live, how they are read back and fingerprinted."""

import gzip
import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from ..models import AuditRecord


def archive_dir() -> Path:
    path = Path(settings.VAR_DIR) / "audit-archive"
    path.mkdir(parents=True, exist_ok=True)
    return path


def read_archive(path: Path):
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            data = json.loads(line)
            if data.get("type") == "header":
                continue
            created = timezone.datetime.fromisoformat(data.pop("created_at").replace("Z", "+00:00"))
            yield AuditRecord(created_at=created, **data)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
