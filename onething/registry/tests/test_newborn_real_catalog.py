"""Done-when of the shared-data issue: 新生儿出生 is prefilled and its parents' licences exempt."""

import io

import pytest
from django.conf import settings
from django.utils import timezone

from onething.accounts import demo as accounts_demo
from onething.accounts.models import User
from onething.catalog import selectors as catalog
from onething.catalog import services as catalog_services
from onething.registry import demo as registry_demo
from onething.registry import selectors, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen(regions):
    """张晓明 of the demo: married, with e-ID card, household register and marriage licence."""
    catalog_services.catalog_import(path=settings.CATALOG_DIR)
    accounts_demo.users_load(stdout=io.StringIO())
    registry_demo._demo_users(timezone.localdate())
    return User.objects.get(username="demo_citizen")


def test_newborn_prefill_fills_the_parents_data_and_exempts_their_licences(citizen):
    person = selectors.person_for_user(citizen)
    bp = catalog.blueprint(catalog.version_latest("newborn-birth"), {})
    filled = services.prefill(blueprint=bp, person=person)
    assert filled and all(v["read_only"] and v["source"] for v in filled.values())
    assert person.name in {str(v["value"]) for v in filled.values()}
    exempt = services.exemptions(blueprint=bp, person=person)
    kinds = {m: e["license_type"] for m, e in exempt.items() if e["kind"] == "license"}
    assert {"id_card", "household_register", "marriage_certificate"} <= set(kinds.values())
    assert all(
        e["reason"].startswith("已通过电子证照获取")
        for e in exempt.values()
        if e["kind"] == "license"
    )
