"""Converting existing rows when columns become encrypted: the shared half of data migrations.

Raw SQL, not historical models (those would try to decrypt the plain values they read), on
SQLite and PostgreSQL alike. Rows are read and written in batches by primary key, so a table of
millions never sits in memory at once. Both directions are idempotent: encrypting a ciphertext
re-encrypts its plain value (and fills its hash), decrypting a plain value leaves it as it is.
Run ``encrypt_columns`` after the AlterField that makes the column ``text`` (a ciphertext is longer
than the plain value), and ``decrypt_columns`` as its reverse, before the column type goes back.
"""

import json
from dataclasses import dataclass

from .security import blind_index, decrypt, encrypt, is_ciphertext, json_ciphertext

BATCH = 1000


@dataclass(frozen=True)
class Column:
    name: str
    is_json: bool = False
    hash_column: str = ""  # the blind index to fill alongside (emptied by the reverse)
    purpose: str = ""


def encrypt_columns(schema_editor, table: str, columns: list[Column]) -> None:
    _convert(schema_editor.connection, table, columns, _sealed)


def decrypt_columns(schema_editor, table: str, columns: list[Column]) -> None:
    _convert(schema_editor.connection, table, columns, _opened)


def _convert(connection, table: str, columns: list[Column], convert) -> None:
    quote = connection.ops.quote_name
    names = ", ".join(quote(c.name) for c in columns)
    targets = [c.name for c in columns] + [c.hash_column for c in columns if c.hash_column]
    update = (
        f"UPDATE {quote(table)} SET {', '.join(f'{quote(t)} = %s' for t in targets)} WHERE id = %s"
    )
    select = f"SELECT id, {names} FROM {quote(table)} WHERE id > %s ORDER BY id"
    last = -1
    while True:
        with connection.cursor() as cursor:
            cursor.execute(f"{select} LIMIT {BATCH}", [last])
            rows = cursor.fetchall()
            if not rows:
                return
            cursor.executemany(update, [convert(columns, row[1:]) + [row[0]] for row in rows])
        last = rows[-1][0]


def _plain_text(value) -> str:
    return decrypt(value) if is_ciphertext(value) else value or ""


def _plain_document(value):
    if is_ciphertext(value):
        value = decrypt(value)
    return json.loads(value) if isinstance(value, str) else value


def _sealed(columns: list[Column], values) -> list:
    out, hashes = [], []
    for column, value in zip(columns, values, strict=True):
        if column.is_json:
            out.append(None if value is None else json_ciphertext(_plain_document(value)))
            continue
        plain = _plain_text(value)
        out.append(encrypt(plain) if plain else "")
        if column.hash_column:
            hashes.append(blind_index(plain, purpose=column.purpose) if plain else "")
    return out + hashes


def _opened(columns: list[Column], values) -> list:
    out, hashes = [], []
    for column, value in zip(columns, values, strict=True):
        if column.is_json:
            document = None if value is None else _plain_document(value)
            out.append(None if value is None else json.dumps(document, ensure_ascii=False))
            continue
        out.append(_plain_text(value))
        if column.hash_column:
            hashes.append("")
    return out + hashes
