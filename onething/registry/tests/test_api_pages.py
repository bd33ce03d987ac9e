import json
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from onething.common.validators import make_id_number
from onething.registry import presenters, services
from onething.registry.models import License, UsageRecord
from onething.testing import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(alice_person, market):
    return services.license_issue(
        license_type="id_card", department=market, data={}, person=alice_person
    )


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_my_licences_and_detail(client, alice, card):
    login(client, alice)
    rows = client.get("/api/me/licenses").json()
    assert [r["identifier"] for r in rows] == [card.identifier]
    assert rows[0]["holder"].startswith("刘爱丽（4201**********")
    detail = client.get(f"/api/licenses/{card.identifier}").json()
    assert detail["seal"]["algorithm"] == "SM2-SM3" and detail["verify_url"].endswith(
        f"/registry/verify/{card.identifier}"
    )


def test_another_user_gets_404_not_403(client, mark, card):
    login(client, mark)
    response = client.get(f"/api/licenses/{card.identifier}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert client.get("/api/licenses/nope.x.00000001.01.A").status_code == 404


def test_anonymous_needs_login(client, card):
    assert client.get(f"/api/licenses/{card.identifier}").status_code == 401


def test_public_verify_shows_only_the_masked_holder(client, card, alice_person):
    body = client.get(f"/api/licenses/{card.identifier}/verify").json()
    assert body["valid"] and body["reasons"] == []
    assert alice_person.id_number not in json.dumps(body, ensure_ascii=False)
    License.objects.filter(pk=card.pk).update(valid_until="2099-12-31")
    body = client.get(f"/api/licenses/{card.identifier}/verify").json()
    assert not body["valid"] and "“有效期至”在签章后被改动" in body["reasons"]


def test_verify_of_an_unknown_identifier_says_why(client, mini_catalog):
    body = client.get("/api/licenses/id_card.420102-market.00000099.01.A/verify").json()
    assert not body["valid"] and body["reasons"]


def test_prefill_for_the_applicant(client, alice, alice_person, mini_catalog):
    login(client, alice)
    body = client.get("/api/prefill/mini-restaurant").json()
    assert body["prefill"]["applicant_name"]["value"] == "刘爱丽"
    assert body["holder"].startswith("刘爱丽（4201")


def test_clerk_prefill_needs_a_scanned_code(client, carol, alice_person, card):
    login(client, carol)
    url = f"/api/prefill/mini-restaurant?applicant={alice_person.id_number}"
    assert client.get(url).status_code == 404
    code = services.holder_code(person=alice_person)
    scanned = client.post(
        "/api/holder-codes/scan", {"code": code}, content_type="application/json"
    ).json()
    assert (
        scanned["number"] == alice_person.masked_id
        and scanned["licenses"][0]["identifier"] == card.identifier
    )
    body = client.get(url).json()
    assert body["exemptions"]["id_card"]["license"] == card.identifier
    assert UsageRecord.objects.filter(actor=carol, purpose__startswith="预填").exists()


def test_usage_log_api(client, alice, alice_person, carol, card):
    services.usage_record(
        actor=carol, purpose="受理", case_number="HB-9", person=alice_person, licenses=[card]
    )
    login(client, alice)
    rows = client.get("/api/me/usage-log").json()
    assert rows[0]["case_number"] == "HB-9" and rows[0]["licenses"] == [card.identifier]


def test_holder_code_api(client, alice, alice_person):
    login(client, alice)
    body = client.get("/api/me/holder-code").json()
    assert body["expires_in"] == 300 and body["code"]


def test_wallet_page_and_downloads(client, alice, card):
    login(client, alice)
    page = client.get("/registry/wallet/").content.decode()
    assert "居民身份证" in page and card.identifier in page
    assert "<svg" in client.get("/registry/wallet/code").content.decode()
    doc = json.loads(client.get(f"/registry/licenses/{card.identifier}/download.json").content)
    assert doc["format"] == "onething.license/2"
    assert set(doc["salts"]) == set(card.manifest) - {"_format"}
    pdf = client.get(f"/registry/licenses/{card.identifier}/download.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert "证照使用记录" in client.get("/registry/usage/").content.decode()


def test_the_wallet_masks_numbers_typed_into_a_reminder(client, alice, card):
    """The holder is told why a licence was revoked; a number typed into the reason may be
    someone else's, and the wallet offers no full view: masked."""
    other = make_id_number("420106", date(1975, 2, 3), 11)
    reason = f"经举报（举报人电话13712345678）核实，系冒用{other}办理"
    services.license_revoke(license=card, reason=reason, actor=None)
    login(client, alice)
    page = client.get("/registry/wallet/").content.decode()
    reminders = page[page.index('id="reminders"') :]
    assert "137****5678" in reminders and other[:4] + "*" * 10 + other[-4:] in reminders
    assert "13712345678" not in reminders and other not in reminders


def test_licence_page_is_404_for_others(client, mark, card):
    login(client, mark)
    assert client.get(f"/registry/licenses/{card.identifier}/").status_code == 404
    assert client.get(f"/registry/licenses/{card.identifier}/download.pdf").status_code == 404


def test_public_verify_page(client, card):
    page = client.get(f"/registry/verify/{card.identifier}").content.decode()
    assert "有效" in page and 'data-valid="true"' in page


def test_clerk_lookup_page_records_consent(client, carol, alice, alice_person, card):
    code = services.holder_code(person=alice_person)
    login(client, carol)
    page = client.post("/registry/lookup/", {"code": code}).content.decode()
    assert "刘爱丽" in page and card.identifier in page
    assert client.get(f"/registry/licenses/{card.identifier}/").status_code == 200
    client.logout()
    login(client, alice)
    assert client.get("/registry/lookup/").status_code == 403


def test_cli_verifies_a_downloaded_file(tmp_path, card, capsys):
    path = tmp_path / "lic.json"
    doc = json.loads(json.dumps(presenters.signed_document(card), default=str))
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    call_command("licenses", "verify", str(path))
    assert "有效" in capsys.readouterr().out
    doc["license"]["valid_until"] = "2099-01-01"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match="无效"):
        call_command("licenses", "verify", str(path))
