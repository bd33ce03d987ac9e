"""Finding 12: accepting a case lets the clerk see the applicant's licences and data items
that the case's blueprint uses — not the rest of the applicant's wallet."""

import pytest

from onething.accounts.models import Department
from onething.cases import services as cases
from onething.cases.tests.conftest import alice, catalog, media, submit, upload  # noqa: F401
from onething.registry import selectors as registry
from onething.registry import services as registry_services
from onething.registry.models import Consent

pytestmark = pytest.mark.django_db


def test_a_case_consent_covers_only_what_the_blueprint_uses(client, alice, carol, submit):  # noqa: F811
    person = registry.person_for_user(alice)
    market = Department.objects.get(kind_id="market", region_id="420102")
    id_card = registry.licenses_of(person=person).get(license_type_id="id_card")
    other = registry_services.license_issue(
        license_type="food_license", department=market, data={}, person=person
    )
    case = submit(alice)
    cases.case_accept(number=case.number, actor=carol, decision="accept_with_tolerance")
    assert registry.license_for(carol, id_card.identifier) == id_card
    assert registry.license_for(carol, other.identifier) is None  # not used by this case
    consent = Consent.objects.get(case_number=case.number)
    assert (
        consent.scope == ["business_license", "id_card"] == cases.case_consent_scope(case.blueprint)
    )
    client.force_login(carol)
    assert client.get(f"/registry/licenses/{id_card.identifier}/").status_code == 200
    assert client.get(f"/registry/licenses/{other.identifier}/").status_code == 404
    assert client.get(f"/api/licenses/{other.identifier}").status_code == 404


def test_data_items_are_named_in_the_scope():
    blueprint = {
        "materials": [
            {"code": "a", "license_type": None, "registry_field": "person.marital_status"},
            {"code": "b", "license_type": "id_card", "registry_field": None},
        ]
    }
    assert cases.case_consent_scope(blueprint) == ["data:person.marital_status", "id_card"]
    assert cases.case_consent_scope({"materials": [{"code": "c"}]}) == []
