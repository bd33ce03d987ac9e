"""Personal information: masked on screen, encrypted at rest, still found by exact match."""

import pytest
from django.core.exceptions import FieldError
from django.db import connection

from onething.accounts.models import User
from onething.common import security
from onething.common.security import PIIDecryptionError

ID = "42010219900101123X"


def raw_id_number(user):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM accounts_user WHERE id = %s", [user.pk])
        return cursor.fetchone()[0]


def test_masks():
    assert security.mask_id_number(ID) == "4201**********123X"
    assert security.mask_phone("13812345678") == "138****5678"
    assert security.mask_name("张晓明") == "张**"
    assert security.mask_id_number("") == "" and security.mask_phone(None) == ""


def test_encryption_round_trips_and_detects_tampering():
    token = security.encrypt(ID)
    assert token.startswith("sm4s1$") and ID not in token
    assert security.decrypt(token) == ID
    assert security.encrypt(ID) == token  # deterministic: exact lookups work
    broken = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(PIIDecryptionError):
        security.decrypt(broken)


def test_a_different_key_cannot_read_the_value(settings):
    token = security.encrypt(ID)
    settings.ONETHING_PII_KEY = "another-key-" * 4
    with pytest.raises(PIIDecryptionError):
        security.decrypt(token)


def test_blind_index_is_keyed_normalised_and_separated_by_purpose():
    assert security.blind_index(ID.lower()) == security.blind_index(f" {ID} ")
    assert security.blind_index(ID, purpose="a") != security.blind_index(ID, purpose="b")
    assert len(security.blind_index(ID)) == 64


def test_user_id_number_is_encrypted_at_rest_and_found_by_exact_match(alice):
    User.objects.filter(pk=alice.pk).update(id_number=ID)  # update() works too
    alice.refresh_from_db()
    assert alice.id_number == ID
    assert ID not in raw_id_number(alice) and raw_id_number(alice).startswith("sm4s1$")
    assert User.objects.get(id_number=ID) == alice
    assert list(User.objects.filter(id_number__in=[ID, "x"])) == [alice]


def test_partial_lookups_on_an_encrypted_field_are_refused(alice):
    with pytest.raises(FieldError):
        list(User.objects.filter(id_number__startswith="4201"))


def test_serialised_dumps_carry_ciphertext_and_load_back(alice):
    from django.core import serializers

    alice.id_number = ID
    alice.save()
    dumped = serializers.serialize("json", [alice])
    assert ID not in dumped and "sm4s1$" in dumped
    obj = next(serializers.deserialize("json", dumped))
    obj.save()
    alice.refresh_from_db()
    assert alice.id_number == ID


def test_a_ciphertext_typed_into_a_form_is_refused(alice):
    from django.core.exceptions import ValidationError

    alice.id_number = security.Ciphertext(security.encrypt(ID))
    with pytest.raises(ValidationError):
        alice.full_clean()


def test_production_needs_a_configured_key(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.DEMO_MODE, settings.ONETHING_PII_KEY = False, ""
    with pytest.raises(ImproperlyConfigured):
        security.encrypt(ID)


def test_hash_field_fills_itself_from_its_source():
    field = security.HashField(source="id_number", purpose="p")

    class Obj:
        id_number = ID

    field.set_attributes_from_name("id_number_hash")
    assert field.pre_save(Obj(), add=True) == security.blind_index(ID, purpose="p")


def test_a_sensitive_read_names_fields_and_rows_never_values(alice):
    from onething.common import audit

    row = audit.sensitive_read(
        actor=alice, object=alice, what="export", fields=["id_number"], rows=3
    )
    row.refresh_from_db()
    assert row.action == "read.export" and row.category == "read"
    assert row.detail == {"fields": ["id_number"], "rows": 3}


def test_the_console_sender_logs_phone_numbers_masked(caplog):
    from onething.common.notify import ConsoleSender

    with caplog.at_level("WARNING", logger="onething.notify"):
        ConsoleSender().send(channel="sms", to="13812345678", subject="", body="您的办件已受理")
    assert "138****5678" in caplog.text and "13812345678" not in caplog.text


def test_supervision_exports_state_that_they_hold_no_personal_data(client, sam):
    from io import BytesIO

    from openpyxl import load_workbook

    client.force_login(sam)
    response = client.get("/supervision/export.xlsx")
    book = load_workbook(BytesIO(response.content))
    for sheet in book.worksheets:
        rows = {r[0]: r[1] for r in sheet.iter_rows(max_row=4, values_only=True) if r and r[0]}
        assert rows["个人信息"].startswith("不含"), sheet.title


@pytest.mark.parametrize("size", [0, 1, 15, 16, 17, 18, 31, 32, 33, 100])
def test_the_fast_ctr_matches_the_library_ctr_mode(size):
    import os

    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key, data = os.urandom(16), os.urandom(size)
    for iv in (os.urandom(16), b"\xff" * 16, b"\xff" * 15 + b"\xfe"):  # incl. counter wrap-around
        ctx = Cipher(algorithms.SM4(key), modes.CTR(iv)).encryptor()
        assert security._sm4_ctr(key, iv, data) == ctx.update(data) + ctx.finalize()


def test_a_truncated_ciphertext_is_refused_not_a_crash():
    with pytest.raises(PIIDecryptionError):
        security.decrypt(security.PREFIX + "AAAA")


def test_the_outbox_keeps_the_recipient_encrypted_and_the_sender_opens_it(alice, caplog):
    from onething.common.models import Outbox
    from onething.common.notify import notify, send_outbox

    notify(
        user=alice,
        title="办件已受理",
        dedup_key="case-1:accepted",
        sms_to="13812345678",
        email_to="zhang.san@example.com",
    )
    to = connection.ops.quote_name("to")  # a reserved word
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {to}, dedup_key FROM common_outbox ORDER BY id")
        rows = cursor.fetchall()
    for stored, key in rows:
        assert stored.startswith("sm4s1$") and "13812345678" not in key + stored
    assert "zhang.san" not in str(rows)
    with caplog.at_level("WARNING", logger="onething.notify"):
        assert send_outbox() == 2
    assert "138****5678" in caplog.text and "z********@example.com" in caplog.text
    assert "13812345678" not in caplog.text and "zhang.san" not in caplog.text
    assert sorted(Outbox.objects.values_list("to", flat=True)) == [
        "13812345678",
        "zhang.san@example.com",
    ]


def test_an_encrypted_json_document_round_trips_through_a_dump(alice):
    from django.core import serializers

    from onething.cases.models import Draft

    draft = Draft.objects.create(user=alice, onething="x", form={"applicant_id_number": ID})
    dumped = serializers.serialize("json", [draft])
    assert ID not in dumped and "sm4s1$" in dumped
    Draft.objects.all().delete()
    for obj in serializers.deserialize("json", dumped):
        obj.save()  # raw, as loaddata (onething restore) does
    assert Draft.objects.get().form == {"applicant_id_number": ID}


def test_a_ciphertext_typed_into_a_json_field_is_refused(alice):
    from django.core.exceptions import ValidationError

    from onething.cases.models import Draft

    draft = Draft(user=alice, onething="x", form=security.Ciphertext(security.encrypt("{}")))
    with pytest.raises(ValidationError):
        draft.full_clean()


def test_email_addresses_are_masked_but_keep_their_domain():
    assert security.mask_email("zhang.san@example.com") == "z********@example.com"
    assert security.mask_email("a@b.cn") == "a*@b.cn" and security.mask_email("") == ""


def test_the_outbox_and_ticket_migrations_encrypt_existing_rows_and_reverse(alice):
    import importlib
    from types import SimpleNamespace

    from onething.common.notify import notify

    notify(user=alice, title="t", dedup_key="k", sms_to="13812345678")
    outbox = importlib.import_module("onething.common.migrations.0004_outbox_to_encrypted")
    tickets = importlib.import_module("onething.feedback.migrations.0002_ticket_phone_encrypted")
    editor, to = SimpleNamespace(connection=connection), connection.ops.quote_name("to")

    def stored():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {to} FROM common_outbox")
            return cursor.fetchone()[0]

    outbox.decrypt_rows(None, editor)
    tickets.decrypt_rows(None, editor)  # an empty table converts too
    assert stored() == "13812345678"
    outbox.encrypt_rows(None, editor)
    outbox.encrypt_rows(None, editor)  # idempotent
    assert security.decrypt(stored()) == "13812345678"
