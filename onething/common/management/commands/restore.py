"""`onething restore DIR`: into a fresh database, from a backup made by `onething backup`.

Every file is checked against the manifest before anything is written; the database is
migrated, loaded in one transaction, and compared with the manifest's row counts; files and
keys are put back under MEDIA_ROOT and VAR_DIR; the audit chain is verified at the end.
"""

import json
import os
import shutil
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from .backup import FORMAT, MANIFEST, file_sections, sha256_file


class Command(BaseCommand):
    help = "从 onething backup 生成的目录恢复到一个新的空数据库"

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument("--force", action="store_true", help="目标库已有用户时仍然恢复")
        parser.add_argument("--no-keys", action="store_true", help="不恢复密钥文件")

    def handle(self, *args, directory, force=False, no_keys=False, **opts):
        source = Path(directory)
        manifest = self.read_manifest(source)
        self.check_files(source, manifest)
        if not no_keys:
            # Keys first: loading rows that refer to users by natural key decrypts their fields.
            restore_tree(source / "keys", Path(settings.VAR_DIR), manifest["files"].get("keys", []))
            use_restored_secret_key()
        call_command("migrate", interactive=False, verbosity=0)
        self.check_empty(force)
        from onething.common import audit

        paths = [str(source / e["file"]) for e in manifest["models"] if e["count"]]
        with audit.replaying():
            call_command("loaddata", *paths, verbosity=0)
        self.check_counts(manifest)
        for name, target in file_sections().items():
            restore_tree(source / name, target, manifest["files"].get(name, []))
        self.finish(manifest)

    def read_manifest(self, source: Path) -> dict:
        path = source / MANIFEST
        if not path.is_file():
            raise CommandError(f"没有备份清单：{path}")
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT:
            raise CommandError(f"不支持的备份格式：{manifest.get('format')}")
        self.stdout.write(f"备份清单 SHA-256：{sha256_file(path)}")
        return manifest

    def check_files(self, source: Path, manifest: dict) -> None:
        bad = [e["file"] for e in manifest["models"] if _mismatch(source / e["file"], e["sha256"])]
        for name, entries in manifest["files"].items():
            bad += [
                f"{name}/{e['path']}"
                for e in entries
                if _mismatch(source / name / e["path"], e["sha256"])
            ]
        if bad:
            raise CommandError("备份文件缺失或与清单不符，拒绝恢复：\n" + "\n".join(bad))

    def check_empty(self, force: bool) -> None:
        from django.contrib.auth import get_user_model

        from onething.common.models import AuditRecord

        if not force and (get_user_model().objects.exists() or AuditRecord.objects.exists()):
            raise CommandError("目标数据库已有用户或审计记录；请恢复到新的空数据库（或加 --force）")

    def check_counts(self, manifest: dict) -> None:
        wrong = []
        for entry in manifest["models"]:
            model = apps.get_model(entry["model"])
            if model._base_manager.count() != entry["count"]:
                wrong.append(f"{entry['model']}：{model._base_manager.count()} ≠ {entry['count']}")
        if wrong:
            raise CommandError("恢复后行数与清单不符：\n" + "\n".join(wrong))

    def finish(self, manifest: dict) -> None:
        from onething.common import audit

        report = audit.verify()
        audit.record(
            category="system", action="system.restored", detail={"from": manifest["created_at"]}
        )
        rows = sum(e["count"] for e in manifest["models"])
        self.stdout.write(f"已恢复 {len(manifest['models'])} 个数据表 {rows} 行。")
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(problem.message)
            raise CommandError("数据已恢复，但审计链校验未通过")
        self.stdout.write(self.style.SUCCESS(f"审计链完整（{report.checked} 条）。"))


def use_restored_secret_key() -> None:
    """In demo mode the key lives in VAR_DIR/secret_key; this process started with another."""
    path = Path(settings.VAR_DIR) / "secret_key"
    if path.is_file() and not os.environ.get("ONETHING_SECRET_KEY"):
        settings.SECRET_KEY = path.read_text().strip()


def _mismatch(path: Path, expected: str) -> bool:
    return not path.is_file() or sha256_file(path) != expected


def restore_tree(source: Path, target: Path, entries: list[dict]) -> None:
    for entry in entries:
        dest = target / entry["path"]
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / entry["path"], dest)
