import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from onething.common.errors import DomainError
from onething.common.models import Event, Message
from onething.registry import crypto, identifiers, presenters, sealing, services
from onething.registry.constants import LicenseStatus
from onething.registry.models import License, SealKey

pytestmark = pytest.mark.django_db


def test_sm3_matches_the_gb_t_32905_test_vector():
    assert (
        crypto.sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )
    assert (
        crypto.sm3_hex(b"abcd" * 16)
        == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
    )


def test_sm2_signs_verifies_and_rejects_another_message():
    private, public = crypto.keypair()
    sig = crypto.sign(b"payload", private_hex=private, public_hex=public)
    assert crypto.verify(b"payload", signature=sig, public_hex=public)
    assert not crypto.verify(b"payloae", signature=sig, public_hex=public)
    assert not crypto.verify(
        b"payload", signature=sig[:-1] + ("1" if sig[-1] == "0" else "0"), public_hex=public
    )


def test_private_keys_are_stored_encrypted_and_open_with_the_kek(market):
    key = sealing.department_key(market)
    private = crypto.unwrap(key.private_key_encrypted, public_hex=key.public_key)
    assert private not in key.private_key_encrypted
    assert crypto.public_of(private) == key.public_key


def test_a_changed_kek_cannot_open_a_key(market, settings):
    key = sealing.department_key(market)
    settings.ONETHING_KEY_ENCRYPTION_KEY = "another key"
    with pytest.raises(crypto.KeyDecryptionError):
        crypto.unwrap(key.private_key_encrypted, public_hex=key.public_key)


def test_identifiers_carry_a_check_character():
    ident = identifiers.build(
        type_code="id_card", department_code="420102-market", serial=42, version=1
    )
    assert ident.startswith("id_card.420102-market.00000042.01.")
    assert identifiers.problem(ident) is None
    typo = ident.replace("00000042", "00000024")
    assert "校验位" in identifiers.problem(typo)


def test_issue_seals_notifies_and_records_an_event(alice, alice_person, market):
    lic = services.license_issue(
        license_type="food_license",
        department=market,
        data={"license_no": "JY14201020001"},
        person=alice_person,
        case_number="C-1",
    )
    assert lic.is_sealed and lic.seal_key.department == market
    assert lic.valid_until == lic.issued_on.replace(year=lic.issued_on.year + 5) - timedelta(days=1)
    assert sealing.verify_license(lic).valid
    assert Message.objects.filter(user=alice, title__contains="食品经营许可证已签发").exists()
    assert Event.objects.filter(verb="license.issued", object_id=str(lic.pk)).exists()


def test_unknown_face_fields_are_refused(alice_person, market):
    with pytest.raises(DomainError) as err:
        services.license_issue(
            license_type="food_license",
            department=market,
            data={"colour": "红"},
            person=alice_person,
        )
    assert "colour" in err.value.fields


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda lic: setattr(lic, "valid_until", date(2099, 1, 1)), "“有效期至”在签章后被改动"),
        (lambda lic: lic.data.update(license_no="FORGED"), "照面字段“许可证编号”在签章后被改动"),
        (lambda lic: lic.data.update(extra="x"), "照面字段“extra”在签章后被改动"),
        (lambda lic: setattr(lic, "holder_name", "张三"), "“持证主体名称”在签章后被改动"),
        (lambda lic: setattr(lic, "signature", "0" * 128), "SM2签名验证失败：签章被伪造或改动"),
        (lambda lic: lic.manifest.update(case_number="00"), "“办件编号”在签章后被改动"),
        (
            lambda lic: setattr(lic, "signature", ""),
            "证照尚未加盖电子印章（签章排队中），暂不能核验",
        ),
    ],
)
def test_any_altered_field_fails_verification_with_a_reason(alice_person, market, change, reason):
    lic = services.license_issue(
        license_type="food_license",
        department=market,
        data={"license_no": "JY1"},
        person=alice_person,
    )
    stored = License.objects.get(pk=lic.pk)
    change(stored)
    stored.save()
    verdict = sealing.verify_license(License.objects.get(pk=lic.pk))
    assert not verdict.valid and not verdict.seal_valid
    assert reason in verdict.reasons


def test_a_seal_by_another_departments_key_is_refused(alice_person, market, mini_catalog):
    lic = services.license_issue(
        license_type="food_license", department=market, data={}, person=alice_person
    )
    other = sealing.department_key(market.__class__.objects.get(kind_id="fire", region_id="420102"))
    License.objects.filter(pk=lic.pk).update(seal_key=other)
    assert (
        "签章密钥不属于发证部门" in sealing.verify_license(License.objects.get(pk=lic.pk)).reasons
    )


def test_reissue_supersedes_the_older_version(alice_person, market):
    first = services.license_issue(
        license_type="food_license", department=market, data={}, person=alice_person
    )
    second = services.license_issue(
        license_type="food_license", department=market, data={}, person=alice_person
    )
    first.refresh_from_db()
    assert first.status == LicenseStatus.SUPERSEDED and first.superseded_by == second
    assert (second.serial, second.version) == (first.serial, 2)
    verdict = sealing.verify_license(first)
    assert verdict.seal_valid and not verdict.valid
    assert any("新版本" in r for r in verdict.reasons)


def test_revoke_needs_a_reason_and_then_fails_verification(alice, alice_person, market):
    lic = services.license_issue(
        license_type="food_license", department=market, data={}, person=alice_person
    )
    with pytest.raises(DomainError):
        services.license_revoke(license=lic, reason=" ", actor=alice)
    services.license_revoke(license=lic, reason="以欺骗手段取得", actor=alice)
    assert "证照已注销：以欺骗手段取得" in sealing.verify_license(lic).reasons


def test_a_number_typed_into_the_revocation_reason_is_masked_in_verification(
    alice, alice_person, market, client
):
    lic = services.license_issue(
        license_type="food_license", department=market, data={}, person=alice_person
    )
    number = alice_person.id_number
    services.license_revoke(license=lic, reason=f"持证人{number}以欺骗手段取得", actor=alice)
    reasons = " ".join(sealing.verify_license(lic).reasons)
    assert number not in reasons and f"{number[:4]}**********{number[-4:]}" in reasons
    res = client.get(f"/api/licenses/{lic.identifier}/verify")
    assert res.status_code == 200 and number not in res.content.decode()
    assert "以欺骗手段取得" in str(res.json())


def test_a_license_needs_exactly_one_holder(alice_person, shop, market):
    with pytest.raises(DomainError):
        services.license_issue(
            license_type="business_license",
            department=market,
            data={},
            person=alice_person,
            entity=shop,
        )


def test_signed_json_document_verifies_and_detects_tampering(shop, market):
    lic = services.license_issue(
        license_type="business_license", department=market, data={}, entity=shop
    )
    doc = json.loads(json.dumps(presenters.signed_document(lic)))
    assert sealing.verify_document(doc).valid
    doc["license"]["data"]["name"] = "别家公司"
    verdict = sealing.verify_document(doc)
    assert not verdict.valid and "照面字段“名称”在签章后被改动" in verdict.reasons


def test_generic_seal_for_case_documents(market):
    s = services.seal(department=market, payload=b"%PDF-1.7 notice")
    assert s["algorithm"] == "SM2-SM3" and len(s["digest"]) == 64 and len(s["signature"]) == 128
    assert services.seal_verify(payload=b"%PDF-1.7 notice", seal=s)
    assert not services.seal_verify(payload=b"%PDF-1.7 notics", seal=s)
    assert not services.seal_verify(payload=b"%PDF-1.7 notice", seal={**s, "key_id": "nope"})


def test_one_key_per_department_is_reused(market):
    assert sealing.department_key(market) == sealing.department_key(market)
    assert SealKey.objects.filter(department=market).count() == 1


def test_pending_licences_are_sealed_in_batches(alice_person, market):
    lic = services.license_issue(
        license_type="food_license", department=market, data={}, person=alice_person
    )
    License.objects.filter(pk=lic.pk).update(signature="", manifest=None, digest="", seal_key=None)
    assert services.seal_pending(limit=10) == 1
    assert sealing.verify_license(License.objects.get(pk=lic.pk)).valid


def test_leap_day_validity():
    from onething.catalog.models import LicenseType

    lt = LicenseType(code="x", name="x", validity_years=1)
    assert services.valid_until(lt, date(2024, 2, 29)) == date(2025, 2, 28)
    assert services.valid_until(lt, date(2024, 3, 1)) == date(2025, 2, 28)
    assert services.valid_until(LicenseType(code="y", name="y"), timezone.localdate()) is None


def test_a_face_fills_what_the_registry_and_the_issuing_know(market):
    """The walk found marriage certificates with blank 配偶 and 登记 fields: they come from the
    linked spouse, the issue date and the issuing department."""
    from types import SimpleNamespace

    from onething.registry import faces
    from onething.registry.models import Person

    from . import factories

    husband = factories.person(name="张晓明", female=False, marital_status="married")
    wife = factories.person(name="李慧", marital_status="married", spouse=husband)
    Person.objects.filter(pk=husband.pk).update(spouse=wife)
    codes = [
        "spouse_name",
        "spouse_id_number",
        "registered_on",
        "registration_authority",
        "first_issued_on",
        "certificate_number",
    ]
    lt = SimpleNamespace(fields=[{"code": c} for c in codes])
    on = date(2016, 10, 1)
    face = faces.face(
        lt,
        data={},
        person=Person.objects.get(pk=husband.pk),
        issued_on=on,
        valid_until=None,
        department=market,
    )
    assert face == {
        "spouse_name": "李慧",
        "spouse_id_number": wife.id_number,
        "registered_on": "2016-10-01",
        "registration_authority": market.name,
        "first_issued_on": "2016-10-01",
        "certificate_number": "",
    }
    alone = factories.person(name="王芳")
    assert (
        faces.face(lt, data={}, person=alone, issued_on=on, valid_until=None, department=market)[
            "spouse_name"
        ]
        == ""
    )
    lt = SimpleNamespace(code="food_license", fields=[{"code": "license_number"}])
    issued = services.license_issue(
        license_type="food_license", department=market, data={}, person=alone
    )
    assert issued.data["license_no"] == issued.identifier
    assert faces.face(
        lt, data={}, person=alone, issued_on=on, valid_until=None, department=market, number="N-1"
    ) == {"license_number": "N-1"}
