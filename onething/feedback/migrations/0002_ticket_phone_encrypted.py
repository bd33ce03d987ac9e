"""12345 tickets' contact phone encrypted at rest (no lookup needs a hash column).

Existing rows are converted in batches with raw SQL; reversible (the reverse decrypts).
"""

import onething.common.security
from django.db import migrations


def encrypt_rows(apps, schema_editor):
    from onething.common.pii_migrations import Column, encrypt_columns

    encrypt_columns(schema_editor, "feedback_ticket", [Column("contact_phone")])


def decrypt_rows(apps, schema_editor):
    from onething.common.pii_migrations import Column, decrypt_columns

    decrypt_columns(schema_editor, "feedback_ticket", [Column("contact_phone")])


class Migration(migrations.Migration):

    dependencies = [
        ('feedback', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='ticket',
            name='contact_phone',
            field=onething.common.security.EncryptedCharField(blank=True, max_length=32, verbose_name='联系电话'),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows),
    ]
