"""Finding 2: audit rows are tamper-proof from their insert, not only once sealed.

The triggers come with the migrations (no `onething audit harden` needed): an unsealed row
cannot be edited or deleted; the one update allowed is the seal, which may not change the
content; archived rows alone may be deleted. `verify` never seals, and names rows left
unsealed past the grace period (what an edit before sealing, with the triggers dropped,
looks like). Runs on SQLite and PostgreSQL (DATABASE_URL).
"""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from onething.common import audit
from onething.common.models import AuditAnchor, AuditRecord


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def refused(statement, params=()) -> bool:
    try:
        with transaction.atomic():
            sql(statement, params)
    except DatabaseError:
        return True
    return False


def row(action="test.row"):
    return audit.record(category="system", action=action, detail={"名称": "测试"})


def test_an_unsealed_row_cannot_be_edited_or_deleted(db):
    unsealed = row()
    assert refused("UPDATE common_auditrecord SET actor = 'mallory' WHERE id = %s", [unsealed.id])
    assert refused("DELETE FROM common_auditrecord WHERE id = %s", [unsealed.id])
    assert AuditRecord.objects.get(pk=unsealed.pk).actor == "system"


def test_a_sealed_row_cannot_be_edited_resealed_or_deleted(db):
    sealed = row()
    audit.seal()
    sealed = AuditRecord.objects.get(pk=sealed.pk)
    assert sealed.seq == 1 and sealed.hash
    assert refused("UPDATE common_auditrecord SET actor = 'mallory' WHERE id = %s", [sealed.id])
    assert refused(
        "UPDATE common_auditrecord SET seq = 7, hash = %s WHERE id = %s", ["f" * 64, sealed.id]
    )
    assert refused("DELETE FROM common_auditrecord WHERE id = %s", [sealed.id])
    assert audit.verify().ok


def test_the_sealing_update_cannot_carry_a_change_of_content(db):
    unsealed = row()
    forged = "UPDATE common_auditrecord SET seq = 1, prev_hash = %s, hash = %s, {} WHERE id = %s"
    for change in ["actor = 'mallory'", "action = 'login.success'", "result = 'denied'"]:
        assert refused(forged.format(change), [audit.GENESIS, "a" * 64, unsealed.id]), change
    assert audit.seal() == 1  # the real seal goes through the same trigger
    assert audit.verify().ok


def test_verify_names_a_row_left_unsealed_and_never_seals_it(db, settings, capsys):
    # An attacker with the owner role drops the triggers and edits a row before its seal;
    # before this fix, verify sealed the edited row and reported "审计链完整".
    row("test.before")
    audit.seal()
    settings.ONETHING_AUDIT_SEAL_GRACE_SECONDS = 0
    edited = row("login.failed")
    audit.harden(undo=True)
    sql("UPDATE common_auditrecord SET action = 'login.success' WHERE id = %s", [edited.id])
    report = audit.verify()
    assert [p.kind for p in report.problems] == ["unsealed"]
    assert f"id={edited.id}" in report.problems[0].message
    assert AuditRecord.objects.get(pk=edited.pk).seq is None  # verify did not seal it
    with pytest.raises(CommandError, match="校验未通过"):
        call_command("audit", "verify")
    assert "未加入哈希链" in capsys.readouterr().err


def test_a_row_within_the_grace_period_is_not_a_problem(db):
    row()
    assert audit.verify().ok  # default grace 120 s: the worker seals every 10 s


def test_sealing_after_the_grace_period_is_recorded_in_the_chain(db, settings):
    settings.ONETHING_AUDIT_SEAL_GRACE_SECONDS = 0
    row()
    audit.seal()
    late = AuditRecord.objects.get(action="audit.sealed_late")
    assert late.detail["count"] == 1 and late.result == "failure"


def test_archived_rows_alone_may_be_deleted_and_anchors_never_change(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    for _ in range(3):
        row()
    audit.seal()
    result = audit.archive(before=timezone.now() + timedelta(seconds=1))
    assert result.count == 3 and not AuditRecord.objects.filter(seq__lte=3).exists()
    kept = AuditRecord.objects.get(action="audit.archived")
    assert refused("DELETE FROM common_auditrecord WHERE id = %s", [kept.id])
    anchor = AuditAnchor.objects.get()
    assert refused("UPDATE common_auditanchor SET last_seq = 1 WHERE id = %s", [anchor.id])
    assert refused("DELETE FROM common_auditanchor WHERE id = %s", [anchor.id])
    audit.seal()
    assert audit.verify().ok


def test_the_guard_is_back_after_a_migrate(db):
    audit.harden(undo=True)
    audit.reharden_after_migrate(sender=None, using="default")
    unsealed = row()
    assert refused("DELETE FROM common_auditrecord WHERE id = %s", [unsealed.id])
