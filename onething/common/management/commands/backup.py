"""`onething backup DIR`: the database, uploaded files, audit archives and keys, with a manifest.

The database goes out through Django's serialisers (one JSON file per model, natural foreign
keys for content types and permissions, primary keys kept), so a backup taken on SQLite
restores into PostgreSQL and back. All models are read in one transaction (REPEATABLE READ on
PostgreSQL), so the files are one consistent snapshot. Encrypted fields stay encrypted.

The manifest lists, per model, the row count, the SHA-256 of its file and the SHA-256 of its
canonical content (rows sorted, keys sorted) — the last one is what a restore is compared by.
"""

import hashlib
import json
import shutil
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, migrations, transaction
from django.utils import timezone

FORMAT = "onething-backup/1"
MANIFEST = "manifest.json"
# Recreated by `migrate` (content types, permissions) or worthless after a restore (sessions).
EXCLUDED = {"contenttypes.contenttype", "auth.permission", "sessions.session", "common.auditgate"}
KEY_FILES = ["secret_key"]
KEY_DIRS = ["keys"]


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def content_digest(path: Path) -> tuple[int, str]:
    """Row count and a digest independent of row order, key order and database engine."""
    rows = json.loads(path.read_text(encoding="utf-8"))
    rows.sort(key=lambda r: json.dumps(r.get("pk"), sort_keys=True, default=str))
    canonical = json.dumps(rows, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return len(rows), hashlib.sha256(canonical.encode()).hexdigest()


def backup_models() -> list:
    """Every concrete model, parents before the models that refer to them."""
    app_list = {config: None for config in apps.get_app_configs()}
    ordered = serializers.sort_dependencies(app_list.items(), allow_cycles=True)
    return [
        m
        for m in ordered
        if m._meta.label_lower not in EXCLUDED and not m._meta.proxy and m._meta.managed
    ]


def file_sections() -> dict[str, Path]:
    var = Path(settings.VAR_DIR)
    return {"media": Path(settings.MEDIA_ROOT), "audit-archive": var / "audit-archive"}


def applied_migrations() -> dict[str, str]:
    recorder = migrations.recorder.MigrationRecorder(connection)
    last: dict[str, str] = {}
    for app, name in sorted(recorder.applied_migrations()):
        last[app] = max(last.get(app, ""), name)
    return last


class Command(BaseCommand):
    help = "备份数据库、上传文件、审计归档和密钥到目录 DIR（附清单与 SHA-256）"

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument(
            "--no-keys", action="store_true", help="不备份 VAR_DIR 下的密钥文件（应另行保管）"
        )

    def handle(self, *args, directory, no_keys=False, **opts):
        from onething.common import audit

        target = Path(directory)
        if target.exists() and any(target.iterdir()):
            raise CommandError(f"目录非空，拒绝覆盖：{target}")
        (target / "db").mkdir(parents=True, exist_ok=True)
        audit.record(category="system", action="system.backup", detail={"to": str(target)})
        audit.seal()
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "database_vendor": connection.vendor,
            "migrations": applied_migrations(),
            "models": self.dump_database(target / "db"),
            "files": {},
        }
        for name, source in file_sections().items():
            manifest["files"][name] = copy_tree(source, target / name)
        manifest["files"]["keys"] = [] if no_keys else self.copy_keys(target / "keys")
        manifest["audit_head"] = list(audit.head())
        path = target / MANIFEST
        path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        rows = sum(m["count"] for m in manifest["models"])
        self.stdout.write(
            f"备份完成：{len(manifest['models'])} 个数据表 {rows} 行 → {target}\n"
            f"清单 SHA-256：{sha256_file(path)}（请另行记录，用于核对备份未被替换）"
        )

    def dump_database(self, directory: Path) -> list[dict]:
        entries = []
        with transaction.atomic():
            # One snapshot for all models (inside a test's transaction it already is one).
            if connection.vendor == "postgresql" and not _nested():
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            for i, model in enumerate(backup_models()):
                label = model._meta.label
                path = directory / f"{i:03d}-{label}.json"
                call_command(
                    "dumpdata",
                    label,
                    natural_foreign=True,
                    use_base_manager=True,
                    output=str(path),
                    verbosity=0,
                )
                count, content = content_digest(path)
                entries.append(
                    {
                        "model": label,
                        "file": f"db/{path.name}",
                        "count": count,
                        "sha256": sha256_file(path),
                        "content_sha256": content,
                    }
                )
        return entries

    def copy_keys(self, directory: Path) -> list[dict]:
        var = Path(settings.VAR_DIR)
        found = []
        for name in KEY_FILES:
            if (var / name).is_file():
                directory.mkdir(parents=True, exist_ok=True)
                shutil.copy2(var / name, directory / name)
                found.append(_entry(directory / name, directory, name))
        for name in KEY_DIRS:
            found += copy_tree(var / name, directory / name, prefix=f"{name}/")
        return found


def _nested() -> bool:
    return len(connection.atomic_blocks) > 1


def _entry(path: Path, root: Path, relative: str) -> dict:
    return {"path": relative, "size": path.stat().st_size, "sha256": sha256_file(path)}


def copy_tree(source: Path, target: Path, prefix: str = "") -> list[dict]:
    if not source.is_dir():
        return []
    entries = []
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        relative = path.relative_to(source).as_posix()
        dest = target / relative
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, dest)
        entries.append(_entry(dest, target, prefix + relative))
    return entries
