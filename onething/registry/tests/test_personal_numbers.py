"""ID and phone numbers in the registry: encrypted at rest, found by keyed hash, masked on screen,
every full display audited, and the migration that converts existing rows."""

import importlib
from types import SimpleNamespace

import pytest
from django.core.exceptions import FieldError
from django.db import IntegrityError, connection, transaction

from onething.common.models import AuditRecord
from onething.common.security import blind_index, decrypt, is_ciphertext
from onething.registry import demo, importing, selectors, services, synthfiles
from onething.registry.models import Entity, License, Person, id_hash, phone_hash
from onething.testing import PASSWORD

pytestmark = pytest.mark.django_db
migration = importlib.import_module("onething.registry.migrations.0002_pii_encrypted")


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def card(alice_person, market):
    """A licence whose face carries her number under another name (as a driving licence's 证号
    does) and a phone; the mini catalog's id_card has no face fields of its own."""
    lic = services.license_issue(
        license_type="id_card", department=market, data={}, person=alice_person
    )
    face = {"license_number": alice_person.id_number, "contact_phone": "13800000001", "x": "1"}
    License.objects.filter(pk=lic.pk).update(data=face)
    lic.refresh_from_db()
    return lic


def test_numbers_are_ciphertext_in_the_database_and_plain_in_python(alice_person, shop, card):
    p = alice_person
    for table, column, pk, plain in [
        ("registry_person", "id_number", p.pk, p.id_number),
        ("registry_person", "phone", p.pk, "13800000001"),
        ("registry_entity", "legal_rep_id_number", shop.pk, p.id_number),
        ("registry_license", "holder_number", card.pk, p.id_number),
    ]:
        stored = raw(table, column, pk)
        assert is_ciphertext(stored) and plain not in stored and decrypt(stored) == plain
    assert raw("registry_person", "id_number_hash", p.pk) == id_hash(p.id_number)
    assert raw("registry_person", "phone_hash", p.pk) == phone_hash("13800000001")
    # One namespace for ID numbers: the person's hash finds the entities they represent.
    assert Entity.objects.get(legal_rep_id_number_hash=id_hash(p.id_number)) == shop
    assert Person.objects.get(pk=p.pk).id_number == p.id_number


def test_lookups_go_through_the_hash_and_never_the_ciphertext(alice_person):
    number = alice_person.id_number
    assert selectors.person_by_id_number(f" {number.lower()} ") == alice_person
    assert Person.objects.get(phone_hash=phone_hash("13800000001")) == alice_person
    assert selectors.id_numbers_of([alice_person.pk, 0]) == {alice_person.pk: number}
    for lookup in ({"id_number": number}, {"id_number__in": [number]}, {"phone": "x"}):
        with pytest.raises(FieldError, match="请改用"):
            Person.objects.filter(**lookup).exists()


def test_one_person_per_id_number_is_enforced_on_the_hash(alice_person):
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(
            id_number=alice_person.id_number,
            name="重复",
            gender="female",
            birth_date=alice_person.birth_date,
        )


def test_csv_import_links_legal_representatives_by_hash(tmp_path, regions):
    person = tmp_path / "p.csv"
    person.write_text("id_number,name,phone\n11010519491231002X,王芳,13800000000\n", "utf-8")
    importing.import_file(kind="persons", path=person)
    entity = tmp_path / "e.csv"
    entity.write_text(
        "credit_code,name,entity_type,legal_rep_id_number,legal_rep_name\n"
        f"{demo.ENTERPRISE_CODE},测试公司,llc,11010519491231002X,王芳\n",
        "utf-8",
    )
    importing.import_file(kind="entities", path=entity, actor=None)
    wang = Person.objects.get(id_number_hash=id_hash("11010519491231002X"))
    assert wang.phone == "13800000000" and Entity.objects.get().legal_rep == wang
    importing.import_file(kind="persons", path=person)  # upsert on the hash: still one person
    assert Person.objects.count() == 1


def test_the_migration_encrypts_existing_rows_and_reverses(alice_person, shop, card):
    p = alice_person
    editor = SimpleNamespace(connection=connection)
    migration.decrypt_rows(None, editor)
    assert raw("registry_person", "id_number", p.pk) == p.id_number
    assert raw("registry_person", "id_number_hash", p.pk) == ""
    assert raw("registry_license", "holder_number", card.pk) == p.id_number
    migration.encrypt_rows(None, editor)
    migration.encrypt_rows(None, editor)  # idempotent: a ciphertext is not encrypted twice
    assert decrypt(raw("registry_entity", "legal_rep_id_number", shop.pk)) == p.id_number
    assert raw("registry_entity", "phone_hash", shop.pk) == ""  # the shop has no phone
    assert selectors.person_by_id_number(p.id_number) == p
    assert License.objects.get(pk=card.pk).holder_number == p.id_number


def test_licence_page_masks_numbers_until_asked_and_audits_the_full_view(
    client, alice, alice_person, card
):
    login(client, alice)
    url = f"/registry/licenses/{card.identifier}/"
    page = client.get(url).content.decode()
    assert alice_person.id_number not in page and alice_person.masked_id in page
    assert 'id="show-full"' in page
    assert not AuditRecord.objects.filter(action__startswith="read.license").exists()
    full = client.get(url + "?full=1").content.decode()
    assert alice_person.id_number in full and "已记入审计日志" in full
    row = AuditRecord.objects.get(action="read.license.face")
    assert row.actor_id == alice.pk and row.object_id == str(card.pk)
    assert row.detail["fields"] == ["contact_phone", "license_number", "holder_number"]
    assert "13800000001" in full and "138****0001" in page
    assert alice_person.id_number not in str(row.detail)


def test_api_masks_licence_data_unless_full_and_downloads_are_audited(
    client, alice, alice_person, card
):
    login(client, alice)
    mine = client.get("/api/me/licenses").json()[0]
    assert mine["data"] == {
        "license_number": alice_person.masked_id,
        "contact_phone": "138****0001",
        "x": "1",
    }
    detail = client.get(f"/api/licenses/{card.identifier}").json()
    assert detail["data"]["license_number"] == alice_person.masked_id
    assert not AuditRecord.objects.filter(category="read").exists()
    full = client.get(f"/api/licenses/{card.identifier}?full=true").json()
    assert full["data"]["license_number"] == alice_person.id_number
    signed = client.get(f"/api/licenses/{card.identifier}/signed").json()
    assert signed["license"]["holder_number"] == alice_person.id_number  # what the seal covers
    client.get(f"/registry/licenses/{card.identifier}/download.pdf")
    reads = AuditRecord.objects.filter(category="read").order_by("id")
    actions = list(reads.values_list("action", flat=True))
    assert actions == ["read.license.face", "read.license.download", "read.license.download"]


def test_prefill_shows_the_own_number_in_full_and_records_it(client, alice, alice_person):
    login(client, alice)
    body = client.get("/api/prefill/mini-restaurant").json()
    shown = [f for f, v in body["prefill"].items() if v["value"] == alice_person.id_number]
    assert shown
    row = AuditRecord.objects.get(action="read.registry.prefill")
    assert set(shown) <= set(row.detail["fields"]) and row.object_id == str(alice_person.pk)


def test_a_clerk_prefills_by_post_so_the_number_stays_out_of_the_url(
    client, carol, alice_person, card
):
    login(client, carol)
    url, body = "/api/prefill/mini-restaurant", {"applicant": alice_person.id_number}
    refused = client.post(url, body, "application/json")
    assert refused.status_code == 404 and "扫描申请人出示的身份码" in refused.json()["message"]
    code = services.holder_code(person=alice_person)
    client.post("/api/holder-codes/scan", {"code": code}, "application/json")
    answers = {**body, "answers": {"big": "no", "own_premises": "no"}}
    response = client.post(url, answers, "application/json")
    assert (
        response.status_code == 200 and alice_person.id_number not in response.request["PATH_INFO"]
    )
    prefilled = response.json()["prefill"]
    shown = [f for f, v in prefilled.items() if v["value"] == alice_person.id_number]
    row = AuditRecord.objects.get(action="read.registry.prefill")
    assert shown and set(shown) <= set(row.detail["fields"])
    assert row.actor_id == carol.pk and row.object_id == str(alice_person.pk)
    assert alice_person.id_number not in str(row.detail)
    assert response.json() == client.get(url, body).json()  # the deprecated GET answers alike


def test_prefill_by_post_for_oneself_and_with_bad_answers(client, alice, alice_person):
    login(client, alice)
    body = client.post("/api/prefill/mini-restaurant", {}, "application/json").json()
    assert body["prefill"]["applicant_name"]["value"] == "刘爱丽"
    bad = client.post("/api/prefill/mini-restaurant", {"answers": [1]}, "application/json")
    assert bad.status_code == 422 and "answers" in bad.json()["fields"]
    missing = client.post("/api/prefill/no-such-thing", {}, "application/json")
    assert missing.status_code == 404


def test_openapi_marks_the_prefill_get_deprecated_and_describes_the_post(client, mini_catalog):
    operations = client.get("/api/openapi.json").json()["paths"]["/api/prefill/{onething_code}"]
    assert operations["get"]["deprecated"] is True and "POST" in operations["get"]["summary"]
    assert not operations["post"].get("deprecated")
    body = operations["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith("/PrefillIn")
    query = {p["name"] for p in operations["post"].get("parameters", []) if p["in"] == "query"}
    assert query == set()


def test_admin_finds_people_by_whole_number_and_audits_the_change_form(client, alice_person):
    from onething.testing import _persona

    admin = _persona("root", "sysadmin")
    admin.is_superuser = admin.is_staff = True
    admin.save()
    client.force_login(admin)
    found = client.get("/admin/registry/person/", {"q": alice_person.id_number}).content.decode()
    assert "刘爱丽" in found and alice_person.masked_id in found  # the list shows it masked
    assert "刘爱丽" in client.get("/admin/registry/person/", {"q": "13800000001"}).content.decode()
    assert "刘爱丽" not in client.get("/admin/registry/person/", {"q": "4201"}).content.decode()
    client.get(f"/admin/registry/person/{alice_person.pk}/change/")
    reads = set(AuditRecord.objects.filter(category="read").values_list("action", flat=True))
    assert reads == {"read.id_number", "read.phone"}


def test_only_front_line_staff_may_scan_a_holder_code(client, alice_person, sam):
    code = services.holder_code(person=alice_person)
    login(client, sam)
    assert client.get("/registry/lookup/").status_code == 403
    response = client.post("/api/holder-codes/scan", {"code": code}, "application/json")
    assert response.status_code == 403 and "窗口或部门工作人员" in response.json()["message"]


def test_generated_files_say_what_they_contain(tmp_path, regions):
    synthfiles.generate(persons=10, entities=3, out_dir=tmp_path, seed=5)
    note = (tmp_path / synthfiles.CONTENTS_FILE).read_text(encoding="utf-8")
    assert "合成数据" in note and "公民身份号码（id_number）" in note and "未脱敏" in note
    assert "legal_rep_id_number" in note and "10 人" in note


def test_demo_users_are_found_by_hash_after_a_load(regions, mini_catalog):
    from onething.accounts import demo as accounts_demo

    class Out:
        def write(self, text):
            self.text = text

    accounts_demo.load(seed=1, stdout=Out())
    demo._demo_users(demo.timezone.localdate())
    citizen = selectors.person_by_id_number(demo.CITIZEN_ID)
    assert citizen.name == "张晓明" and citizen.phone == "13871000001"
    assert blind_index(demo.CITIZEN_ID, purpose="registry.id_number") == citizen.id_number_hash


def test_dumps_carry_ciphertext_and_hashes_and_load_back(regions):
    from django.core import serializers

    from . import factories

    person = factories.person(name="备份", phone="13900000009")
    dumped = serializers.serialize("json", [person])
    assert person.id_number not in dumped and "13900000009" not in dumped
    Person.objects.filter(pk=person.pk).delete()
    for obj in serializers.deserialize("json", dumped):
        obj.save()  # raw, as loaddata (onething restore) does
    back = selectors.person_by_id_number(person.id_number)
    assert back.pk == person.pk and back.phone == "13900000009"
