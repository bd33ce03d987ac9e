"""Backup, then restore into a fresh database: same rows, same content, audit chain intact."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from onething.accounts.models import User
from onething.accounts.services import token_create
from onething.common import audit

ID = "42010219900101123X"


@pytest.fixture
def instance(settings, tmp_path):
    """A VAR_DIR of its own holding this process's key, so the backup carries the right one."""
    var = tmp_path / "var"
    var.mkdir()
    (var / "secret_key").write_text(django_settings.SECRET_KEY)
    settings.VAR_DIR, settings.MEDIA_ROOT = var, var / "media"
    (var / "media" / "cases").mkdir(parents=True)
    (var / "media" / "cases" / "营业执照.pdf").write_bytes(b"%PDF-1.4 test")
    return var


@pytest.fixture
def fresh_database(tmp_path):
    """A DATABASE_URL for an empty database of the same engine as the tests."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    import psycopg

    params = connection.settings_dict
    name = f"onething_restore_{uuid.uuid4().hex[:8]}"
    dsn = dict(
        host=params["HOST"] or "127.0.0.1",
        port=params["PORT"] or 5432,
        user=params["USER"],
        password=params["PASSWORD"] or None,
        dbname="postgres",
    )
    with psycopg.connect(**dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    auth = params["USER"] + (f":{params['PASSWORD']}" if params["PASSWORD"] else "")
    yield f"postgres://{auth}@{dsn['host']}:{dsn['port']}/{name}"
    with psycopg.connect(**dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def onething(*args, var: Path, database_url: str):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONETHING_")}
    env |= {"ONETHING_VAR_DIR": str(var), "DATABASE_URL": database_url}
    env["DJANGO_SETTINGS_MODULE"] = "onething.settings"
    return subprocess.run(
        [sys.executable, "-m", "onething.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def manifest(path: Path) -> dict:
    return json.loads((path / "manifest.json").read_text())


def by_model(m: dict) -> dict:
    return {e["model"]: (e["count"], e["content_sha256"]) for e in m["models"]}


def test_backup_then_restore_into_a_fresh_database(
    alice, carol, instance, fresh_database, tmp_path
):
    User.objects.filter(pk=alice.pk).update(id_number=ID)
    audit.sensitive_read(actor=carol, object=alice, what="id_number")
    # Refers to alice by natural key: loading it reads (decrypts) her row with the restored key.
    token_create(user=alice)
    first = tmp_path / "backup1"
    call_command("backup", str(first))
    m1 = manifest(first)
    users_file = next(e["file"] for e in m1["models"] if e["model"] == "accounts.User")
    assert ID not in (first / users_file).read_text()  # personal data stays encrypted
    assert [f["path"] for f in m1["files"]["media"]] == ["cases/营业执照.pdf"]
    assert [f["path"] for f in m1["files"]["keys"]] == ["secret_key"]

    fresh_var = tmp_path / "fresh-var"
    restored = onething("restore", str(first), var=fresh_var, database_url=fresh_database)
    assert restored.returncode == 0, restored.stderr
    assert "审计链完整" in restored.stdout
    assert (fresh_var / "media" / "cases" / "营业执照.pdf").read_bytes() == b"%PDF-1.4 test"

    second = tmp_path / "backup2"
    again = onething("backup", str(second), var=fresh_var, database_url=fresh_database)
    assert again.returncode == 0, again.stderr
    before, after = by_model(m1), by_model(manifest(second))
    audit_label = "common.AuditRecord"
    # The restored copy appended its own "restored" and "backup" events, nothing else changed.
    assert after.pop(audit_label)[0] == before.pop(audit_label)[0] + 2
    _explain(after, before, first, second)
    assert after == before
    check = onething("audit", "verify", var=fresh_var, database_url=fresh_database)
    assert check.returncode == 0, check.stderr


def test_a_backup_file_changed_after_the_fact_is_refused(alice, instance, fresh_database, tmp_path):
    target = tmp_path / "backup"
    call_command("backup", str(target))
    entry = next(e for e in manifest(target)["models"] if e["model"] == "accounts.User")
    path = target / entry["file"]
    path.write_text(path.read_text().replace("alice", "mallory"))
    result = onething("restore", str(target), var=tmp_path / "v", database_url=fresh_database)
    assert result.returncode != 0 and "与清单不符" in result.stderr


def test_backup_refuses_a_non_empty_directory(db, instance, tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "file").write_text("x")
    with pytest.raises(CommandError, match="非空"):
        call_command("backup", str(tmp_path / "x"))


def _explain(after, before, first, second):
    for label in sorted(set(after) | set(before)):
        if after.get(label) != before.get(label):
            name = next(e["file"] for e in manifest(first)["models"] if e["model"] == label)
            name2 = next(e["file"] for e in manifest(second)["models"] if e["model"] == label)
            print(label, (first / name).read_text()[:600], (second / name2).read_text()[:600])
