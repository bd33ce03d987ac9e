"""Licence faces encrypted at rest; salted seal manifests (onething.manifest/2) beside the plain
ones sealed before; the migrations that convert existing licences."""

import importlib
import json
from types import SimpleNamespace

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from onething.common.models import Event
from onething.common.security import decrypt, is_ciphertext
from onething.registry import crypto, sealing, services
from onething.registry.models import License
from onething.testing import PASSWORD

pytestmark = pytest.mark.django_db
faces_migration = importlib.import_module(
    "onething.registry.migrations.0004_license_data_encrypted"
)
salts_migration = importlib.import_module("onething.registry.migrations.0005_license_salts")
EDITOR = SimpleNamespace(connection=connection)


def raw(column: str, pk: int):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM registry_license WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def face_of(person) -> dict:
    # Her number under another name (as a driving licence's 证号) and a phone, in the type's order.
    return {"license_number": person.id_number, "contact_phone": "13800000001", "vehicle": "C1"}


@pytest.fixture
def card(alice_person, market):
    """A sealed licence whose face carries her ID number and phone (the mini catalog's types have
    no such fields, so the face is written in and the licence sealed again)."""
    lic = services.license_issue(
        license_type="id_card", department=market, data={}, person=alice_person
    )
    License.objects.filter(pk=lic.pk).update(data=face_of(alice_person))
    return sealing.seal_license(License.objects.get(pk=lic.pk))


def plain_seal(lic: License) -> License:
    """Seal as the platform did before salting: plain SM3 digests, no salts."""
    key, private_hex = sealing.signing_key(lic.department)
    signed = sealing.manifest(sealing.record(lic))
    payload = sealing.canonical(signed)
    signature = crypto.sign(payload, private_hex=private_hex, public_hex=key.public_key)
    License.objects.filter(pk=lic.pk).update(
        seal_key=key,
        manifest=signed,
        salts=None,
        digest=crypto.sm3_hex(payload),
        signature=signature,
    )
    return License.objects.get(pk=lic.pk)


def plain_digest(value) -> str:
    return crypto.sm3_hex(sealing.canonical(value))


# ---- the face at rest ------------------------------------------------------------------------


def test_the_face_is_ciphertext_in_the_database_and_a_dict_in_python(card, alice_person):
    stored = raw("data", card.pk)
    assert is_ciphertext(stored) and alice_person.id_number not in stored
    assert "13800000001" not in stored
    assert json.loads(decrypt(stored)) == face_of(alice_person)
    back = License.objects.get(pk=card.pk).data
    assert back == face_of(alice_person) and list(back) == list(face_of(alice_person))
    assert is_ciphertext(raw("salts", card.pk))


def test_nothing_is_queried_inside_a_face(card, alice_person):
    for lookup in (
        {"data__license_number": alice_person.id_number},
        {"data__contains": {"vehicle": "C1"}},
        {"data": {}},
    ):
        with pytest.raises(FieldError, match="加密字段"):
            License.objects.filter(**lookup).exists()
    assert License.objects.filter(data__isnull=False, salts__isnull=False).count() == 1


def test_the_face_migration_encrypts_existing_rows_and_reverses(card, alice_person):
    faces_migration.decrypt_faces(None, EDITOR)
    plain = raw("data", card.pk)
    assert json.loads(plain) == face_of(alice_person) and alice_person.id_number in plain
    faces_migration.encrypt_faces(None, EDITOR)
    faces_migration.encrypt_faces(None, EDITOR)  # rerun after a partial failure: still one layer
    assert json.loads(decrypt(raw("data", card.pk))) == face_of(alice_person)
    assert sealing.verify_license(License.objects.get(pk=card.pk)).valid


@pytest.mark.django_db(transaction=True)
def test_migrating_back_and_forth_keeps_every_face_and_reseals_what_the_old_code_cannot_read(
    card, alice_person, shop, market
):
    business = plain_seal(
        services.license_issue(
            license_type="business_license", department=market, data={}, entity=shop
        )
    )
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([("registry", "0003_person_id_number_hash_unique")])
        assert json.loads(raw("data", card.pk)) == face_of(alice_person)
        assert raw("signature", card.pk) == ""  # salted: the old code would re-seal it plainly
        assert raw("signature", business.pk) == business.signature  # plain: kept
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert is_ciphertext(raw("data", card.pk)) and is_ciphertext(raw("data", business.pk))
    assert services.seal_pending() == 1
    for lic in License.objects.all():
        assert sealing.verify_license(lic).valid, lic.identifier
    assert License.objects.get(pk=card.pk).data == face_of(alice_person)


# ---- salted manifests --------------------------------------------------------------------------


def test_sm3_through_openssl_gives_gmssl_digests_at_every_block_boundary():
    from gmssl import sm3

    for size in (0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000):
        data = ("证" * size).encode()[:size]
        assert crypto.sm3_hex(data) == sm3.sm3_hash(list(data)), size


def test_a_new_seal_salts_every_digest_so_no_number_can_be_guessed_from_it(card, alice_person):
    signed, salts = card.manifest, card.salts
    assert signed["_format"] == "onething.manifest/2" and set(salts) == set(signed) - {"_format"}
    number = alice_person.id_number
    assert plain_digest(number) not in signed.values()
    name = "data.license_number"
    assert signed[name] == crypto.sm3_hex(sealing.canonical([salts[name], name, number]))
    assert signed["holder_number"] != plain_digest(number)
    assert len(set(salts.values())) == len(salts) and all(len(s) >= 22 for s in salts.values())
    again = sealing.seal_license(License.objects.get(pk=card.pk))
    assert again.salts[name] != salts[name] and again.manifest[name] != signed[name]
    assert sealing.verify_license(License.objects.get(pk=card.pk)).valid


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda lic: lic.data.update(license_number="420102199001010011"), "照面字段“license_number”在签章后被改动"),
        (lambda lic: lic.salts.update({"data.contact_phone": "AAAAAAAAAAAAAAAAAAAAAA"}), "照面字段“contact_phone”在签章后被改动"),
        (lambda lic: lic.salts.pop("holder_number"), "“持证主体证件号码”在签章后被改动"),
        (lambda lic: setattr(lic, "salts", None), "缺少签章字段盐值（salts），无法逐项核验照面信息"),
        (lambda lic: lic.manifest.pop("_format"), "SM2签名验证失败：签章被伪造或改动"),
    ],
)  # fmt: skip
def test_a_tampered_field_or_salt_fails_a_salted_seal(card, change, reason):
    stored = License.objects.get(pk=card.pk)
    change(stored)
    stored.save()
    verdict = sealing.verify_license(License.objects.get(pk=card.pk))
    assert not verdict.seal_valid and reason in verdict.reasons


def test_the_detail_api_shows_the_salted_manifest_but_never_the_salts(client, alice, card):
    login(client, alice)
    detail = client.get(f"/api/licenses/{card.identifier}").json()
    assert detail["seal"]["manifest"]["_format"] == "onething.manifest/2"
    body = json.dumps(detail, ensure_ascii=False)
    assert "salts" not in body and not any(s in body for s in card.salts.values())


def test_the_signed_download_carries_its_salts_and_verifies_offline(client, alice, card, tmp_path):
    login(client, alice)
    url = f"/registry/licenses/{card.identifier}/download.json"
    doc = json.loads(client.get(url).content)
    assert doc["format"] == "onething.license/2" and doc["salts"] == card.salts
    assert sealing.verify_document(doc).valid
    path = tmp_path / "card.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    call_command("licenses", "verify", str(path))
    forged = json.loads(json.dumps(doc))
    forged["license"]["data"]["contact_phone"] = "13900000000"
    assert "照面字段“contact_phone”在签章后被改动" in sealing.verify_document(forged).reasons
    path.write_text(json.dumps(forged, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match="无效"):
        call_command("licenses", "verify", str(path))
    stripped = {**doc, "format": "onething.license/1"}
    stripped.pop("salts")
    assert (
        "缺少签章字段盐值（salts），无法逐项核验照面信息"
        in sealing.verify_document(stripped).reasons
    )


# ---- licences sealed before salting -------------------------------------------------------------


def test_a_licence_sealed_over_plain_digests_still_verifies_and_still_detects_tampering(
    client, alice, alice_person, card
):
    lic = plain_seal(card)
    assert not sealing.is_salted(lic.manifest) and lic.salts is None
    assert sealing.verify_license(lic).valid
    assert client.get(f"/api/licenses/{lic.identifier}/verify").json()["valid"]
    login(client, alice)
    masked = client.get(f"/api/licenses/{lic.identifier}").json()["seal"]
    assert masked["manifest"] is None and masked["signature"] == lic.signature
    full = client.get(f"/api/licenses/{lic.identifier}?full=true").json()["seal"]
    assert full["manifest"] == lic.manifest
    doc = json.loads(client.get(f"/api/licenses/{lic.identifier}/signed").content)
    assert doc["format"] == "onething.license/1" and "salts" not in doc
    assert sealing.verify_document(doc).valid
    doc["license"]["holder_name"] = "张三"
    assert "“持证主体名称”在签章后被改动" in sealing.verify_document(doc).reasons
    License.objects.filter(pk=lic.pk).update(data={**face_of(alice_person), "vehicle": "A1"})
    body = client.get(f"/api/licenses/{lic.identifier}/verify").json()
    assert not body["valid"] and "照面字段“vehicle”在签章后被改动" in body["reasons"]


def test_plain_seals_are_salted_again_only_while_they_still_verify(
    alice_person, shop, card, market
):
    intact = plain_seal(card)
    changed = plain_seal(
        services.license_issue(
            license_type="business_license", department=market, data={}, entity=shop
        )
    )
    License.objects.filter(pk=changed.pk).update(holder_name="别家公司")
    assert services.reseal_plain(limit=10) == {"resealed": 1, "refused": 1}
    resealed = License.objects.get(pk=intact.pk)
    assert sealing.is_salted(resealed.manifest) and sealing.verify_license(resealed).valid
    assert plain_digest(alice_person.id_number) not in json.dumps(raw("manifest", intact.pk))
    assert License.objects.get(pk=changed.pk).signature == changed.signature  # left for review
    assert Event.objects.filter(verb="license.resealed", object_id=str(intact.pk)).count() == 1
    assert services.reseal_plain(limit=10) == {"resealed": 0, "refused": 1}


def test_the_reseal_command_reports_what_it_did(card, capsys):
    plain_seal(card)
    call_command("licenses", "reseal", "--limit", "5")
    assert "已换为加盐摘要签章 1 张" in capsys.readouterr().out
    assert sealing.is_salted(License.objects.get(pk=card.pk).manifest)


def test_the_salts_migration_reverse_unseals_only_salted_licences(card, shop, market):
    business = plain_seal(
        services.license_issue(
            license_type="business_license", department=market, data={}, entity=shop
        )
    )
    salts_migration.unseal_salted(None, EDITOR)
    assert raw("signature", card.pk) == "" and raw("manifest", card.pk) is None
    assert raw("signature", business.pk) == business.signature


def test_the_admin_hides_the_salts_and_audits_the_face(client, card):
    from onething.common.models import AuditRecord
    from onething.testing import _persona

    admin = _persona("root", "sysadmin")
    admin.is_superuser = admin.is_staff = True
    admin.save()
    client.force_login(admin)
    page = client.get(f"/admin/registry/license/{card.pk}/change/").content.decode()
    assert "签章字段盐值" not in page and not any(s in page for s in card.salts.values())
    reads = set(AuditRecord.objects.filter(category="read").values_list("action", flat=True))
    assert reads == {"read.holder_number", "read.data"}
