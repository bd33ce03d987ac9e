"""Audit rows are guarded from their insert: database triggers refuse UPDATE and DELETE except
the sealing update and the deletion of archived rows (onething.common.audit.harden)."""

from django.db import migrations


def guard(apps, schema_editor):
    from onething.common import audit

    audit.harden(using=schema_editor.connection.alias)


def unguard(apps, schema_editor):
    from onething.common import audit

    audit.harden(undo=True, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("common", "0004_outbox_to_encrypted")]

    operations = [migrations.RunPython(guard, unguard)]
