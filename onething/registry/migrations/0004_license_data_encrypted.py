"""Licence faces (License.data) encrypted at rest: they carry ID numbers and phones in full.

The column becomes ``text`` holding the SM4 ciphertext of the face's JSON; existing rows are
converted in batches by ``onething.common.pii_migrations`` (raw SQL, SQLite and PostgreSQL).
Reversible: the reverse writes the plain JSON back before the column turns into JSON again.
Nothing queries inside a face (selectors, policies, supervision, cases, bench), so no lookup
column is needed.
"""

import onething.common.security
from django.db import migrations

from onething.common.pii_migrations import Column, decrypt_columns, encrypt_columns

TABLE, COLUMNS = "registry_license", [Column("data", is_json=True)]


def encrypt_faces(apps, schema_editor):
    encrypt_columns(schema_editor, TABLE, COLUMNS)


def decrypt_faces(apps, schema_editor):
    decrypt_columns(schema_editor, TABLE, COLUMNS)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0003_person_id_number_hash_unique"),
    ]

    operations = [
        migrations.AlterField(
            model_name="license",
            name="data",
            field=onething.common.security.EncryptedJSONField(
                blank=True, default=dict, verbose_name="照面信息"
            ),
        ),
        migrations.RunPython(encrypt_faces, decrypt_faces),
    ]
