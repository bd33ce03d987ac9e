"""The outbox's recipient (a phone number or an e-mail address) encrypted at rest.

Existing rows are converted in batches with raw SQL; reversible (the reverse decrypts).
"""

import onething.common.security
from django.db import migrations


def encrypt_rows(apps, schema_editor):
    from onething.common.pii_migrations import Column, encrypt_columns

    encrypt_columns(schema_editor, "common_outbox", [Column("to")])


def decrypt_rows(apps, schema_editor):
    from onething.common.pii_migrations import Column, decrypt_columns

    decrypt_columns(schema_editor, "common_outbox", [Column("to")])


class Migration(migrations.Migration):

    dependencies = [
        ('common', '0003_audit'),
    ]

    operations = [
        migrations.AlterField(
            model_name='outbox',
            name='to',
            field=onething.common.security.EncryptedCharField(max_length=200, verbose_name='接收方'),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows),
    ]
