"""One form means one form: prefilled read-only values pass their own fields, nothing an earlier
item produces is asked, registrations register someone new, the window's QR path compares values
by meaning."""

import json

import pytest
from django.conf import settings

from onething.accounts import services as accounts
from onething.cases import gateway, validation
from onething.cases import services as cases
from onething.cases.constants import CaseStatus, TaskStatus
from onething.cases.models import Case
from onething.catalog import selectors as catalog
from onething.registry import selectors as registry
from onething.registry import services as registry_services

from . import world

pytestmark = pytest.mark.django_db


def _onethings():
    return sorted(p.stem for p in (settings.CATALOG_DIR / "onethings").glob("*.yaml"))


def test_every_prefilled_read_only_value_passes_its_own_field(demo_world):
    """Every one-thing × every demo applicant × the situations covering all its items."""
    bad = []
    for username in world.APPLICANTS:
        applicant = world.user(username)
        person, entity = registry.person_for_user(applicant), registry.entity_for_user(applicant)
        for code in _onethings():
            version = catalog.version_latest(code)
            for answers in world.answer_sets(version.snapshot):
                bp = catalog.blueprint(version, answers)
                props = bp["form"]["schema"]["properties"]
                raw = registry_services.prefill(blueprint=bp, person=person, entity=entity)
                bad += [
                    (username, code, field, entry["value"])
                    for field, entry in raw.items()
                    if entry["read_only"] and validation.field_error(props[field], entry["value"])
                ]
    assert not bad, bad


def test_a_prefilled_value_that_fails_its_field_is_offered_not_locked(demo_world):
    enterprise = world.user("demo_enterprise")
    entity = registry.entity_for_user(enterprise)
    entity.phone = "8288"  # no area code: not a number anyone can call back
    entity.save(update_fields=["phone"])
    bp = catalog.blueprint(catalog.version_latest("credit-repair"), {})
    filled = gateway.prefill(blueprint=bp, entity=entity)
    assert filled["contact_phone"]["read_only"] is False
    body = world.application(enterprise, "credit-repair")
    body["form"]["contact_phone"] = "027-82880001"
    case, _ = cases.case_submit(user=enterprise, data=body)
    assert case.form["contact_phone"] == "027-82880001"


def test_demo_enterprise_submits_open_restaurant_through_the_api(demo_world, client):
    enterprise = world.user("demo_enterprise")
    token = accounts.token_create(user=enterprise, name="test")
    body = world.application(enterprise, "open-restaurant", {"subject_type": "company"})
    response = client.post(
        "/api/cases",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 201, response.content.decode()
    case = Case.objects.get(number=response.json()["number"])
    assert case.prefilled["contact_phone"]["value"] == "027-82880001"


@pytest.mark.parametrize("subject_type", ["individual", "company"])
def test_a_citizen_opening_a_restaurant_is_never_asked_for_a_credit_code(demo_world, subject_type):
    citizen, clerk = world.user("demo_citizen"), world.user("demo_clerk")
    answers = {"subject_type": subject_type}
    bp = catalog.blueprint(catalog.version_latest("open-restaurant"), answers)
    asked = {row["field"] for row in bp["form"]["layout"]}
    assert not {"enterprise_credit_code", "enterprise_name"} & asked
    assert {p["field"] for p in bp["form"]["produced"]} >= {"enterprise_credit_code"}
    body = world.application(citizen, "open-restaurant", answers)
    assert "enterprise_credit_code" not in body["form"]
    case, _ = cases.case_submit(user=citizen, data=body)
    cases.case_accept(number=case.number, actor=clerk, decision="accept")
    world.decide_all(case)
    assert case.status == CaseStatus.COMPLETED
    mine = registry.wallet(citizen).filter(case_number=case.number)
    licences = {lic.license_type_id: lic for lic in mine}
    business, food = licences["business_license"], licences["food_business_license"]
    subject = business.entity
    assert subject is not None and subject.legal_rep == registry.person_for_user(citizen)
    assert subject.entity_type == ("individual_business" if subject_type == "individual" else "llc")
    assert business.data["credit_code"] == subject.credit_code == food.data["credit_code"]
    assert food.entity == subject
    # What the applicant declared is what the licence prints (经营项目 ← 食品经营项目).
    assert food.data["business_items"] == body["form"]["food_business_items"] != ""
    later = case.tasks.exclude(item__contains="registration")
    assert all(t.data["form"]["enterprise_credit_code"] == subject.credit_code for t in later)


def test_an_enterprise_with_a_business_licence_opens_a_restaurant_without_registering(
    demo_world,
):
    enterprise, clerk = world.user("demo_enterprise"), world.user("demo_clerk")
    entity = registry.entity_for_user(enterprise)
    before = registry.licenses_of(entity=entity).get(license_type_id="business_license")
    body = world.application(enterprise, "open-restaurant", {"subject_type": "company"})
    case, _ = cases.case_submit(user=enterprise, data=body)
    assert case.answers["has_business_license"] == "yes"  # from its e-licences, not asked
    items = {m["code"] for m in case.blueprint["materials"]}
    assert "articles_of_association" not in items
    cases.case_accept(number=case.number, actor=clerk, decision="accept")
    assert not case.tasks.filter(item__startswith="market-").exclude(
        item="market-food-business-license"
    )
    world.decide_all(case)
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED
    after = registry.licenses_of(entity=entity).filter(license_type_id="business_license")
    assert [(lic.identifier, lic.version) for lic in after] == [(before.identifier, before.version)]


SHOPS = ["open-auto-repair", "open-beauty-salon", "open-gym", "open-hotel"]
SHOPS += ["open-restaurant", "open-retail-pharmacy", "open-supermarket"]


@pytest.mark.parametrize("onething", SHOPS)
def test_an_enterprise_opening_a_shop_at_its_domicile_is_not_registered_again(demo_world, onething):
    body = world.application(world.user("demo_enterprise"), onething, {"subject_type": "company"})
    case, _ = cases.case_submit(user=world.user("demo_enterprise"), data=body)
    assert case.answers["has_business_license"] == "yes"
    items = {i["code"] for i in case.blueprint["items"]}
    assert not items & {"market-business-registration", "market-individual-registration"}
    materials = {m["code"] for m in case.blueprint["materials"]}
    assert not materials & {"articles_of_association", "appointment_documents"}


def test_a_citizen_opening_a_shop_still_registers_first(demo_world):
    citizen = world.user("demo_citizen")
    body = world.application(citizen, "open-supermarket", {"subject_type": "individual"})
    case, _ = cases.case_submit(user=citizen, data=body)
    assert case.answers["has_business_license"] == "no"
    assert "market-individual-registration" in {i["code"] for i in case.blueprint["items"]}


def test_an_existing_enterprise_keeps_its_own_business_licence(demo_world):
    # Where a one-thing always registers (开办旅行社), the licence it holds comes back.
    enterprise, clerk = world.user("demo_enterprise"), world.user("demo_clerk")
    entity = registry.entity_for_user(enterprise)
    before = registry.licenses_of(entity=entity).get(license_type_id="business_license")
    body = world.application(enterprise, "open-travel-agency")
    case, _ = cases.case_submit(user=enterprise, data=body)
    cases.case_accept(number=case.number, actor=clerk, decision="accept")
    registration = case.tasks.get(item="market-business-registration")
    assert registration.status == TaskStatus.APPROVED
    assert registration.result["license"] == before.identifier
    world.decide_all(case)
    assert case.status == CaseStatus.COMPLETED
    after = registry.licenses_of(entity=entity).filter(license_type_id="business_license")
    assert [lic.identifier for lic in after] == [before.identifier]
    assert after[0].version == before.version


def test_the_window_qr_path_compares_values_by_meaning(demo_world):
    enterprise, clerk = world.user("demo_enterprise"), world.user("demo_clerk")
    entity = registry.entity_for_user(enterprise)
    body = world.application(enterprise, "open-travel-agency")
    for typed in ("50", "50.0", 50, " 50 "):
        code = registry_services.holder_code(entity=entity)
        form = {**body["form"], "registered_capital": typed}
        data = {
            **body,
            "form": form,
            "materials": [],
            "channel": "window",
            "applicant": {"code": code},
        }
        case, _ = cases.case_submit(user=clerk, data=data)
        assert case.form["registered_capital"] == 50, typed
    code = registry_services.holder_code(entity=entity)
    wrong = {
        **body,
        "form": {**body["form"], "registered_capital": "51"},
        "materials": [],
        "channel": "window",
        "applicant": {"code": code},
    }
    with pytest.raises(Exception) as refused:
        cases.case_submit(user=clerk, data=wrong)
    assert "form.registered_capital" in getattr(refused.value, "fields", {})


def test_a_phone_field_accepts_what_the_registry_import_accepts():
    from onething.catalog import compiler
    from onething.registry import importing

    assert importing.PHONE.pattern == compiler.PHONE_PATTERN


@pytest.mark.parametrize(
    ("typed", "held", "same"),
    [
        ("50", 50, True),
        ("50.0", 50, True),
        (" 50 ", 50.0, True),
        ("2021-03-18", "2021-03-18", True),
        (" 张晓明 ", "张晓明", True),
        ("true", True, True),
        ("51", 50, False),
        ("张晓", "张晓明", False),
        ("NaN", 0, False),
    ],
)
def test_values_are_compared_by_meaning(typed, held, same):
    assert validation.same_value(typed, held) is same


def test_a_department_works_to_the_limit_it_committed_inside_the_one_thing(demo_world):
    """开办餐饮店: the food licence is promised in 3 working days inside the one-thing, fewer than
    the department promises alone; the task's clock runs on the committed figure."""
    enterprise, clerk = world.user("demo_enterprise"), world.user("demo_clerk")
    body = world.application(enterprise, "open-restaurant", {"subject_type": "company"})
    case, _ = cases.case_submit(user=enterprise, data=body)
    cases.case_accept(number=case.number, actor=clerk, decision="accept")
    item = next(i for i in case.blueprint["items"] if i["code"] == "market-food-business-license")
    assert item["committed_days"] == 3 < item["promised_days"]
    task = case.tasks.get(item="market-food-business-license")
    assert task.days == 3


def test_an_expiring_driving_licence_links_the_renewal_not_the_first_licence(demo_world):
    """Two one-things issue a driving licence; the reminder sends its holder to 到期换证."""
    issuing = {
        code
        for code in _onethings()
        for item in catalog.version_latest(code).snapshot["items"]
        if item.get("result") == "driving_license"
    }
    assert {"driving-license-first", "driving-license-renewal"} <= issuing
    assert (
        registry_services.renewal_link("driving_license") == "/cases/apply/driving-license-renewal"
    )


def test_a_licence_page_shows_its_expiry_once(demo_world, client):
    from onething.registry.models import License

    firm = world.user("demo_enterprise")
    held = License.objects.filter(entity=registry.entity_for_user(firm))
    lic = next(lic for lic in held if "valid_until" in lic.data)
    client.force_login(firm)
    html = client.get(f"/registry/licenses/{lic.identifier}/").content.decode()
    assert html.count("<th>有效期至</th>") == 1, html


def test_at_the_window_what_only_a_registration_asks_is_set_aside_for_a_licensed_holder(
    demo_world,
):
    # The clerk filled the form as for a new company; the holder's code then shows a business
    # licence: no registration, so its fields and articles are set aside, not refused.
    enterprise, clerk = world.user("demo_enterprise"), world.user("demo_clerk")
    entity = registry.entity_for_user(enterprise)
    body = world.application(enterprise, "open-restaurant", {"subject_type": "company"})
    articles = cases.upload_create(owner=clerk, name="章程.pdf", chunks=[world.PDF])
    data = {
        **body,
        "answers": {**body["answers"], "has_business_license": "no"},
        "form": {**body["form"], "registered_capital": "50"},
        "materials": [{"material": "articles_of_association", "file_id": str(articles.pk)}],
        "channel": "window",
        "applicant": {"code": registry_services.holder_code(entity=entity)},
    }
    case, _ = cases.case_submit(user=clerk, data=data)
    assert case.answers["has_business_license"] == "yes"
    assert "registered_capital" not in case.form
    assert not case.materials.filter(material="articles_of_association").exists()
    # A field no item of the one-thing asks is still refused.
    stranger = {**data, "form": {**data["form"], "shoe_size": "42"}}
    with pytest.raises(Exception) as refused:
        cases.case_submit(user=clerk, data=stranger)
    assert "form.shoe_size" in getattr(refused.value, "fields", {})
