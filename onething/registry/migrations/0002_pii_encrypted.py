"""Personal numbers of the registries encrypted at rest, with keyed-hash lookup columns.

Existing rows are converted with raw SQL (the historical models would try to decrypt the plain
values they read), in batches, on SQLite and PostgreSQL alike. Reversible: the reverse decrypts
and empties the hash columns. The hash of Person.id_number becomes unique in 0003, once filled.
"""

import onething.common.security
from django.db import migrations

ID, PHONE = "registry.id_number", "registry.phone"
BATCH = 1000

# table → [(encrypted column, hash column or None, hash purpose)]
COLUMNS = {
    "registry_person": [("id_number", "id_number_hash", ID), ("phone", "phone_hash", PHONE)],
    "registry_entity": [
        ("legal_rep_id_number", "legal_rep_id_number_hash", ID),
        ("phone", "phone_hash", PHONE),
    ],
    "registry_license": [("holder_number", None, "")],
}


def _convert(schema_editor, table: str, columns, row_fn) -> None:
    names = [c for c, _, _ in columns]
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {', '.join(names)} FROM {table} ORDER BY id")
        rows = cursor.fetchall()
    updates = [row_fn(row, columns) for row in rows]
    updates = [u for u in updates if u is not None]
    if not updates:
        return
    sets = ", ".join(f"{c} = %s" for c in updates[0][0])
    sql = f"UPDATE {table} SET {sets} WHERE id = %s"
    with schema_editor.connection.cursor() as cursor:
        for start in range(0, len(updates), BATCH):
            cursor.executemany(
                sql, [values + [pk] for _, values, pk in updates[start : start + BATCH]]
            )


def _encrypted_row(row, columns):
    from onething.common.security import blind_index, encrypt, is_ciphertext

    pk, values = row[0], row[1:]
    cols, out = [], []
    for (column, hash_column, purpose), value in zip(columns, values, strict=True):
        plain = value or ""
        if is_ciphertext(plain):
            from onething.common.security import decrypt

            plain = decrypt(plain)
        cols.append(column)
        out.append(encrypt(plain) if plain else "")
        if hash_column:
            cols.append(hash_column)
            out.append(blind_index(plain, purpose=purpose) if plain else "")
    return cols, out, pk


def _plain_row(row, columns):
    from onething.common.security import decrypt, is_ciphertext

    pk, values = row[0], row[1:]
    cols, out = [], []
    for (column, hash_column, _), value in zip(columns, values, strict=True):
        cols.append(column)
        out.append(decrypt(value) if is_ciphertext(value) else value or "")
        if hash_column:
            cols.append(hash_column)
            out.append("")
    return cols, out, pk


def encrypt_rows(apps, schema_editor):
    for table, columns in COLUMNS.items():
        _convert(schema_editor, table, columns, _encrypted_row)


def decrypt_rows(apps, schema_editor):
    for table, columns in COLUMNS.items():
        _convert(schema_editor, table, columns, _plain_row)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="entity",
            name="legal_rep_id_number_hash",
            field=onething.common.security.HashField(
                blank=True,
                db_index=True,
                editable=False,
                max_length=64,
                purpose=ID,
                source="legal_rep_id_number",
                verbose_name="法定代表人公民身份号码索引",
            ),
        ),
        migrations.AddField(
            model_name="entity",
            name="phone_hash",
            field=onething.common.security.HashField(
                blank=True,
                db_index=True,
                editable=False,
                max_length=64,
                purpose=PHONE,
                source="phone",
                verbose_name="联系电话索引",
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="id_number_hash",
            field=onething.common.security.HashField(
                blank=True,
                db_index=True,
                editable=False,
                max_length=64,
                purpose=ID,
                source="id_number",
                verbose_name="公民身份号码索引",
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="phone_hash",
            field=onething.common.security.HashField(
                blank=True,
                db_index=True,
                editable=False,
                max_length=64,
                purpose=PHONE,
                source="phone",
                verbose_name="联系电话索引",
            ),
        ),
        migrations.AlterField(
            model_name="entity",
            name="legal_rep_id_number",
            field=onething.common.security.EncryptedCharField(
                blank=True,
                lookup_via="legal_rep_id_number_hash",
                max_length=18,
                verbose_name="法定代表人公民身份号码",
            ),
        ),
        migrations.AlterField(
            model_name="entity",
            name="phone",
            field=onething.common.security.EncryptedCharField(
                blank=True, lookup_via="phone_hash", max_length=20, verbose_name="联系电话"
            ),
        ),
        migrations.AlterField(
            model_name="license",
            name="holder_number",
            field=onething.common.security.EncryptedCharField(
                lookup_via="person", max_length=18, verbose_name="持证主体证件号码"
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="id_number",
            field=onething.common.security.EncryptedCharField(
                lookup_via="id_number_hash", max_length=18, verbose_name="公民身份号码"
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="phone",
            field=onething.common.security.EncryptedCharField(
                blank=True, lookup_via="phone_hash", max_length=20, verbose_name="联系电话"
            ),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows),
    ]
