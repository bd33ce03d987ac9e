"""一键三联: an enterprise's licences decide which permit changes or cancellations join its case."""

import pytest

from onething.accounts.models import Department
from onething.cases import checks, services
from onething.catalog import selectors as catalog_selectors
from onething.common.validators import make_credit_code
from onething.registry import services as registry
from onething.testing import _persona

pytestmark = pytest.mark.django_db


@pytest.fixture
def restaurant(standard_catalog):
    """楚味餐饮 holds a business licence and a food business licence, nothing else."""
    code = make_credit_code("420102", "52345678")
    user = _persona("chuwei", "applicant_entity", display_name="楚味餐饮", credit_code=code)
    entity = registry.entity_create(credit_code=code, name="楚味餐饮有限公司", entity_type="llc")
    market = Department.objects.get(kind_id="market", region_id="420102")
    for lt in ("business_license", "food_business_license"):
        registry.license_issue(license_type=lt, department=market, data={}, entity=entity)
    return user


def _items_of(user, onething: str, answers: dict) -> list[str]:
    """The situation as intake derives it: the holder's licences answer the licence questions."""
    version = catalog_selectors.version_latest(onething)
    holder = services.preparation._holder_of_user(user)
    held = {lic.license_type_id for lic in holder.licences}
    entity_type = getattr(holder.entity, "entity_type", "")
    answers = {**answers, **checks.derived_answers(version.snapshot, held, entity_type)}
    return [i["code"] for i in catalog_selectors.blueprint(version, answers)["items"]]


def test_deregistration_cancels_the_permits_the_enterprise_holds_without_being_asked(restaurant):
    # The applicant even claims no food licence: the e-licence library decides.
    items = _items_of(
        restaurant, "enterprise-deregistration", {"holds_food_business_license": "no"}
    )
    assert "market-food-license-cancel" in items
    assert "market-drug-license-cancel" not in items
    assert "transport-road-license-cancel" not in items


def test_a_registration_change_changes_the_food_licence_too(restaurant):
    items = _items_of(restaurant, "enterprise-info-change", {})
    assert {"market-change-registration", "market-food-license-change"} <= set(items)


def test_questions_that_are_not_about_licences_stay_the_applicants(restaurant):
    items = _items_of(restaurant, "enterprise-deregistration", {"has_employees": "no"})
    assert "hrss-unit-insurance-cancel" not in items


def test_the_apply_page_preselects_the_licence_questions_from_the_licences_held(client, restaurant):
    client.force_login(restaurant)
    html = client.get("/cases/apply/enterprise-deregistration").content.decode()
    food = html.split('data-question="holds_food_business_license"', 1)[1].split("</fieldset>")[0]
    drug = html.split('data-question="holds_drug_business_license"', 1)[1].split("</fieldset>")[0]
    assert 'value="yes" checked disabled' in food and "已根据您的登记信息和电子证照自动判断" in food
    assert 'value="no" checked disabled' in drug
    assert '<input type="hidden" name="a_holds_food_business_license" value="yes">' in html


def test_an_enterprise_holding_a_business_licence_opens_a_restaurant_without_registering_again(
    restaurant,
):
    # It even says it has none: the e-licence library answers, so no second 设立登记.
    items = _items_of(
        restaurant, "open-restaurant", {"subject_type": "company", "has_business_license": "no"}
    )
    assert "market-business-registration" not in items
    assert "market-individual-registration" not in items
    assert "market-food-business-license" in items


def test_someone_without_a_business_licence_registers_first(standard_catalog):
    user = _persona("newcomer", "applicant_person", display_name="新开店")
    items = _items_of(user, "open-restaurant", {"subject_type": "company"})
    assert "market-business-registration" in items


def test_a_company_opening_a_shop_is_a_company_whatever_it_answers(restaurant):
    # 返乡创业 still registers: as what the applicant is (a company), not what it ticked.
    items = _items_of(restaurant, "return-home-entrepreneurship", {"subject_type": "individual"})
    assert "market-business-registration" in items
    assert "market-individual-registration" not in items
