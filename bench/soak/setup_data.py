"""The soak's world in a fresh, migrated database: Hubei's regions, the standard catalog, its
departments, and the people of one county (江岸区) with API tokens.

- applicants: a registry person each (with an ID-card licence, so the ID card is exempt) and an
  account, plus one upload per material the blueprint asks them to upload;
- the window clerks of 江岸区's data bureau;
- reviewers of every department 开办餐饮店 routes to (two for market regulation, which has two
  tasks per case);
- a supervisor of 武汉市.

Call ``build`` after ``django.setup()``; it returns plain data for the HTTP clients.
"""

from datetime import date
from itertools import product

from django.conf import settings
from django.test import override_settings

ONETHING = "open-restaurant"
COUNTY, CITY = "420102", "420100"
PASSWORD = "Soak-Passw0rd!2026"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# The material uploaded afresh (POST /api/files) with every submission; the rest are reused.
FRESH_MATERIAL = "premises_proof"


def build(*, applicants: int, clerks: int) -> dict:
    from onething.accounts import services as accounts
    from onething.catalog import services as catalog

    accounts.regions_load()
    catalog.catalog_import(path=settings.DATA_DIR / "catalog")
    accounts.departments_ensure()
    variants = _variants()
    departments = sorted({item["department"] for v in variants for item in v["items"]})
    # Everyone signs in with an API token, never a password, and the database is dropped
    # afterwards: a cheap hasher saves half a second of Argon2 per account.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        return _people(applicants, clerks, variants, departments)


def _people(applicants: int, clerks: int, variants: list[dict], departments: list[str]) -> dict:
    return {
        "onething": ONETHING,
        "variants": variants,
        "applicants": [_applicant(n, variants) for n in range(applicants)],
        "clerks": [_staff(f"soak_clerk{n}", "window_clerk", "data_bureau") for n in range(clerks)],
        "reviewers": [
            _staff(f"soak_{kind}{n}", "dept_reviewer", kind)
            for kind in departments
            for n in range(2 if kind == "market" else 1)
        ],
        "supervisor": _staff("soak_supervisor", "supervisor", None, region=CITY),
    }


def _variants() -> list[dict]:
    """One per situation an individual applicant can be in: the items, form fields and materials
    the compiled blueprint asks for."""
    from onething.catalog import selectors as catalog

    version = catalog.version_latest(ONETHING)
    out = []
    for venue, sign in product(("yes", "no"), repeat=2):
        answers = {"subject_type": "individual", "public_venue": venue, "has_sign": sign}
        bp = catalog.blueprint(version, answers)
        materials = [m for m in bp["materials"] if m["required"]]
        out.append(
            {
                "answers": answers,
                "items": [
                    {"code": i["code"], "department": i["department"]["code"]} for i in bp["items"]
                ],
                "fields": list(bp["form"]["schema"]["properties"]),
                "uploads": [
                    m["code"] for m in materials if m["disposition"] in ("upload", "commitment")
                ],
                "committable": [m["code"] for m in materials if m["commitment_allowed"]],
            }
        )
    return out


def _region(code: str):
    from onething.accounts.models import Region

    return Region.objects.get(code=code)


def _staff(username: str, role: str, kind: str | None, region: str = COUNTY) -> dict:
    from onething.accounts import selectors, services

    department = selectors.department_for(kind_code=kind, region=_region(region)) if kind else None
    user = services.user_create(
        username=username,
        password=PASSWORD,
        role=role,
        display_name=username,
        department=department,
        region=_region(region),
    )
    return {"username": username, "department": kind, "token": services.token_create(user=user)}


def _applicant(n: int, variants: list[dict]) -> dict:
    from onething.accounts import selectors as accounts_selectors
    from onething.accounts import services as accounts
    from onething.cases import services as cases
    from onething.common.validators import make_credit_code, make_id_number
    from onething.registry import services as registry

    id_number = make_id_number(COUNTY, date(1980 + n // 500, 1 + n // 50 % 10, 1), n % 50 * 2 + 1)
    name, phone = f"申请人{n:04d}", f"139{n:08d}"
    address = f"湖北省武汉市江岸区沿江大道{n + 1}号"
    person = registry.person_create(
        id_number=id_number,
        name=name,
        household_region_id=COUNTY,
        household_address=address,
        residence_region_id=COUNTY,
        residence_address=address,
        phone=phone,
    )
    police = accounts_selectors.department_for(kind_code="public_security", region=_region(COUNTY))
    registry.license_issue(license_type="id_card", department=police, data={}, person=person)
    user = accounts.user_create(
        username=f"soak_applicant{n}",
        password=PASSWORD,
        role="applicant_person",
        display_name=name,
        region=_region(COUNTY),
        id_number=id_number,
    )
    materials = {m for v in variants for m in v["uploads"]} - {FRESH_MATERIAL}
    files = {
        m: str(cases.upload_create(owner=user, name=f"{m}.pdf", chunks=[PDF]).pk)
        for m in sorted(materials)
    }
    return {
        "username": user.username,
        "token": accounts.token_create(user=user),
        "files": files,
        # One shop per applicant: after its registration is approved, the business licence
        # prefills (read-only) the same name, code and address into the next application.
        "identity": {
            "applicant_name": name,
            "applicant_id_number": id_number,
            "applicant_phone": phone,
            "contact_phone": phone,
            "legal_rep_name": name,
            "enterprise_name_proposed": f"江岸区{name}小吃店",
            "enterprise_name": f"江岸区{name}小吃店",
            "enterprise_credit_code": make_credit_code(COUNTY, f"MA{n:06d}", category="2"),
            "premises_address": address,
        },
    }
