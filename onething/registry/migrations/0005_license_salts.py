"""Salted seal manifests (onething.manifest/2): the per-field salts, encrypted like the face.

Licences sealed before keep their plain-digest manifests and still verify; ``onething licenses
reseal`` (and an hourly worker batch) re-seals them with salts after checking the old seal.
Reverse: code before this migration cannot verify a salted manifest, so those licences lose
their seal and are queued for sealing again (the old worker's seal sweep re-seals them).
"""

import json

import onething.common.security
from django.db import migrations

BATCH = 1000
SALTED = "onething.manifest/2"
SELECT = "SELECT id, manifest FROM registry_license WHERE id > %s ORDER BY id LIMIT %s"
UNSEAL = (
    "UPDATE registry_license SET seal_key_id = NULL, manifest = NULL, digest = '', "
    "signature = '', signed_at = NULL WHERE id = %s"
)


def _salted(manifest) -> bool:
    value = json.loads(manifest) if isinstance(manifest, str) else manifest
    return isinstance(value, dict) and value.get("_format") == SALTED


def unseal_salted(apps, schema_editor):
    connection, after = schema_editor.connection, 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(SELECT, [after, BATCH])
            rows = cursor.fetchall()
        if not rows:
            return
        salted = [(pk,) for pk, manifest in rows if manifest is not None and _salted(manifest)]
        if salted:
            with connection.cursor() as cursor:
                cursor.executemany(UNSEAL, salted)
        after = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0004_license_data_encrypted"),
    ]

    operations = [
        migrations.AddField(
            model_name="license",
            name="salts",
            field=onething.common.security.EncryptedJSONField(
                blank=True, null=True, verbose_name="签章字段盐值"
            ),
        ),
        migrations.RunPython(migrations.RunPython.noop, unseal_salted),
    ]
