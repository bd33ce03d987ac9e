"""用证、用数: prefill, exemptions, usage log, consent and renewal reminders."""

from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone

from onething.catalog import selectors as catalog
from onething.common.errors import DomainError, Forbidden
from onething.common.models import Message
from onething.registry import selectors, services
from onething.registry.constants import LicenseStatus
from onething.registry.models import License, UsageRecord

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def blueprint(mini_catalog):
    return catalog.blueprint(catalog.version_latest("mini-restaurant"))


def test_prefill_takes_person_fields_and_licence_fields(blueprint, alice_person, shop, market):
    services.license_issue(license_type="business_license", department=market, data={}, entity=shop)
    filled = services.prefill(blueprint=blueprint, person=alice_person, entity=shop)
    assert filled["applicant_name"] == {
        "value": "刘爱丽",
        "source": "person.name",
        "source_label": "人口基础信息·姓名",
        "read_only": True,
    }
    assert filled["applicant_id_number"]["value"] == alice_person.id_number
    assert filled["business_name"]["value"] == shop.name
    assert filled["business_name"]["source"] == "license.business_license.name"
    assert filled["business_name"]["source_label"] == "电子证照·营业执照·名称"
    assert "area" not in filled


def test_prefill_without_a_valid_licence_leaves_the_field_to_the_applicant(
    blueprint, alice_person, shop, market
):
    lic = services.license_issue(
        license_type="business_license", department=market, data={}, entity=shop
    )
    services.license_revoke(license=lic, reason="注销登记", actor=None)
    assert "business_name" not in services.prefill(
        blueprint=blueprint, person=alice_person, entity=shop
    )


def test_valid_licences_exempt_their_materials(blueprint, alice_person, shop, market):
    services.license_issue(license_type="business_license", department=market, data={}, entity=shop)
    card = services.license_issue(
        license_type="id_card", department=market, data={}, person=alice_person
    )
    out = services.exemptions(blueprint=blueprint, person=alice_person, entity=shop)
    assert out["id_card"] == {
        "kind": "license",
        "license": card.identifier,
        "license_type": "id_card",
        "reason": "已通过电子证照获取：居民身份证",
    }
    assert "lease_contract" not in out and "application_form" not in out


@pytest.mark.parametrize(
    "status", [LicenseStatus.EXPIRED, LicenseStatus.REVOKED, LicenseStatus.SUPERSEDED]
)
def test_expired_revoked_or_superseded_licences_never_exempt(
    blueprint, alice_person, market, status
):
    card = services.license_issue(
        license_type="id_card", department=market, data={}, person=alice_person
    )
    License.objects.filter(pk=card.pk).update(status=status)
    assert services.exemptions(blueprint=blueprint, person=alice_person) == {}


def test_a_licence_past_its_date_does_not_exempt_even_before_the_job_marks_it(
    blueprint, alice_person, market
):
    card = services.license_issue(
        license_type="id_card", department=market, data={}, person=alice_person
    )
    License.objects.filter(pk=card.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    assert services.exemptions(blueprint=blueprint, person=alice_person) == {}
    assert not selectors.licenses_of(person=alice_person).exists()


def test_shared_data_materials_are_exempt_when_the_registry_has_the_field(alice_person):
    bp = {
        "materials": [
            {
                "code": "hukou",
                "disposition": "shared_data",
                "registry_field": "person.household_region",
            }
        ]
    }
    out = services.exemptions(blueprint=bp, person=alice_person)
    assert out["hukou"]["kind"] == "shared_data" and out["hukou"]["license"] is None
    assert out["hukou"]["reason"] == "已通过共享数据获取：人口基础信息·户籍地区划"


def test_usage_is_logged_for_the_holder_to_see(alice, alice_person, carol, market):
    card = services.license_issue(
        license_type="id_card", department=market, data={}, person=alice_person
    )
    services.usage_record(
        actor=carol,
        purpose="受理开办餐馆",
        case_number="HB-1",
        person=alice_person,
        licenses=[card],
        fields=["person.name"],
    )
    row = selectors.usage_log(alice).get()
    assert (row.licenses, row.fields, row.case_number) == (
        [card.identifier],
        ["person.name"],
        "HB-1",
    )
    assert "陈卡罗" in row.actor_label
    with pytest.raises(ValueError):
        row.save()


def test_holder_code_gives_a_clerk_consent_and_logs_it(alice, alice_person, carol, market):
    card = services.license_issue(
        license_type="id_card", department=market, data={}, person=alice_person
    )
    assert selectors.license_for(carol, card.identifier) is None
    code = services.holder_code(person=alice_person)
    assert alice_person.id_number not in code
    assert services.holder_from_code(code=code, clerk=carol) == alice_person
    assert selectors.license_for(carol, card.identifier) == card
    assert UsageRecord.objects.filter(person=alice_person, actor=carol).exists()


def test_applicants_cannot_scan_codes(alice, alice_person):
    code = services.holder_code(person=alice_person)
    with pytest.raises(Forbidden):
        services.holder_from_code(code=code, clerk=alice)


def test_an_expired_or_forged_code_is_refused(alice_person, carol, monkeypatch):
    code = services.holder_code(person=alice_person)
    with pytest.raises(DomainError, match="无效"):
        services.holder_from_code(code=code[:-2] + "xx", clerk=carol)
    later = signing.TimestampSigner.timestamp  # noqa: F841 - documents that max_age is enforced by signing
    monkeypatch.setattr("onething.registry.services.consent.HOLDER_CODE_SECONDS", -1)
    with pytest.raises(DomainError, match="已过期"):
        services.holder_from_code(code=code, clerk=carol)


def test_a_consent_expires(alice_person, carol, market):
    card = services.license_issue(
        license_type="id_card", department=market, data={}, person=alice_person
    )
    consent = services.consent_grant(
        grantee=carol, purpose="办件", person=alice_person, case_number="HB-2"
    )
    assert selectors.license_for(carol, card.identifier) == card
    consent.expires_at = timezone.now() - timedelta(seconds=1)
    consent.save()
    assert selectors.license_for(carol, card.identifier) is None


def test_consent_scope_limits_the_types(alice_person, carol, market):
    card = services.license_issue(
        license_type="id_card", department=market, data={}, person=alice_person
    )
    services.consent_grant(
        grantee=carol, purpose="办件", person=alice_person, scope=["food_license"]
    )
    assert selectors.license_for(carol, card.identifier) is None


def test_nobody_else_sees_a_licence(alice_person, mark, sam, market, mini_catalog):
    card = services.license_issue(
        license_type="id_card", department=market, data={}, person=alice_person
    )
    bob = factories.person(name="鲍勃")
    for user in (mark, sam):
        assert selectors.license_for(user, card.identifier) is None
    assert not selectors.licenses_of(person=bob).exists()


def test_expiry_job_marks_expired_and_reminds_once_with_a_renewal_link(alice, alice_person, market):
    soon = services.license_issue(
        license_type="food_license", department=market, data={}, person=alice_person
    )
    License.objects.filter(pk=soon.pk).update(valid_until=timezone.localdate() + timedelta(days=10))
    old = services.license_issue(
        license_type="id_card", department=market, data={}, person=alice_person
    )
    License.objects.filter(pk=old.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    assert services.expiry_reminders() == {"expired": 1, "reminded": 1}
    assert services.expiry_reminders() == {"expired": 0, "reminded": 1}  # dedup: still one message
    message = Message.objects.get(user=alice, title__contains="将于")
    assert message.link == f"/cases/apply/mini-restaurant?renew={soon.identifier}"
    assert License.objects.get(pk=old.pk).status == LicenseStatus.EXPIRED
    assert list(selectors.reminders(alice).filter(pk=message.pk)) == [message]


def test_without_a_renewal_one_thing_the_reminder_links_the_licence(alice, alice_person, market):
    card = services.license_issue(
        license_type="id_card", department=market, data={}, person=alice_person
    )
    License.objects.filter(pk=card.pk).update(valid_until=timezone.localdate() + timedelta(days=3))
    services.expiry_reminders()
    assert (
        Message.objects.get(user=alice, title__contains="将于").link
        == f"/registry/licenses/{card.identifier}/"
    )


def test_spouse_materials_come_from_the_spouses_licences(alice_person, market):
    bp = {
        "materials": [
            {"code": "spouse_id_card", "disposition": "license", "license_type": "id_card"}
        ]
    }
    services.license_issue(license_type="id_card", department=market, data={}, person=alice_person)
    assert services.exemptions(blueprint=bp, person=alice_person) == {}
    husband = factories.person(name="王强", female=False)
    alice_person.spouse = husband
    alice_person.save()
    card = services.license_issue(
        license_type="id_card", department=market, data={}, person=husband
    )
    out = services.exemptions(blueprint=bp, person=alice_person)
    assert out["spouse_id_card"]["license"] == card.identifier
    assert out["spouse_id_card"]["reason"] == "已通过电子证照获取：居民身份证（配偶）"


def test_an_entitys_application_shows_its_legal_representatives_id_card(alice_person, market):
    bp = {
        "materials": [
            {"code": "legal_rep_id_card", "disposition": "license", "license_type": "id_card"},
            {"code": "id_card", "disposition": "license", "license_type": "id_card"},
        ]
    }
    firm = factories.entity(legal_rep=alice_person)
    card = services.license_issue(
        license_type="id_card", department=market, data={}, person=alice_person
    )
    out = services.exemptions(blueprint=bp, entity=firm)
    assert out["legal_rep_id_card"]["license"] == card.identifier
    assert out["legal_rep_id_card"]["reason"] == "已通过电子证照获取：居民身份证（法定代表人）"
    assert "id_card" not in out  # the entity itself holds no identity card


def test_the_legal_representative_sees_the_use_of_their_id_card_in_their_own_log(
    alice_person, market, carol
):
    firm = factories.entity(legal_rep=alice_person)
    card = services.license_issue(
        license_type="id_card", department=market, data={}, person=alice_person
    )
    services.usage_record(
        actor=carol, purpose="办理“开办餐饮店”", case_number="HB-9", entity=firm, licenses=[card]
    )
    theirs = UsageRecord.objects.filter(person=alice_person)
    assert [(u.case_number, u.licenses, u.entity_id) for u in theirs] == [
        ("HB-9", [card.identifier], None)
    ]
    assert UsageRecord.objects.filter(entity=firm).count() == 1
    # A licence of the applicant's own is recorded once, in the applicant's row.
    services.usage_record(
        actor=carol, purpose="办理", case_number="HB-10", person=alice_person, licenses=[card]
    )
    assert UsageRecord.objects.filter(case_number="HB-10").count() == 1


def test_a_person_registering_a_new_entity_shows_their_own_id_card(alice_person, market):
    bp = {
        "materials": [
            {"code": "legal_rep_id_card", "disposition": "license", "license_type": "id_card"}
        ]
    }
    services.license_issue(license_type="id_card", department=market, data={}, person=alice_person)
    out = services.exemptions(blueprint=bp, person=alice_person)
    assert out["legal_rep_id_card"]["reason"] == "已通过电子证照获取：居民身份证"


def test_the_usage_page_names_licences_and_data_items(client, alice, alice_person, carol, market):
    card = services.license_issue(
        license_type="id_card", department=market, data={}, person=alice_person
    )
    services.holder_from_code(code=services.holder_code(person=alice_person), clerk=carol)
    services.usage_record(
        actor=carol,
        purpose="办理“开办小餐馆”",
        case_number="HB-1",
        person=alice_person,
        fields=["applicant_name", "person.name"],
    )
    client.force_login(alice)
    html = client.get("/registry/usage/").content.decode()
    consent, case = (
        html.split(s, 1)[1].split("</tr>", 1)[0] for s in ("窗口亮码授权查验证照", "HB-1")
    )
    assert f"居民身份证 {card.identifier}" in consent
    assert "经营者姓名、人口基础信息·姓名" in case and "applicant_name" not in case
