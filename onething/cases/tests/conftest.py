"""Fixtures for cases: the mini catalog with the lease contract tolerated, and people."""

import shutil
from datetime import date, timedelta

import pytest

from onething.testing import MINI, _persona

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def catalog(mini_catalog, tmp_path):
    """The mini catalog where the lease contract may follow later (容缺) for both items using it."""
    from onething.catalog import services

    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    path = target / "items" / "market.yaml"
    text = path.read_text(encoding="utf-8")
    head, tail = text.rsplit("tolerance: []", 1)
    path.write_text(head + "tolerance: [lease_contract]" + tail, encoding="utf-8")
    services.catalog_import(path=target)
    return target


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def person_user(username, name, region="420102", seq=1, id_card=True):
    """An applicant account with a registry record (and an e-ID card that exempts 身份证明)."""
    from onething.accounts.models import Department
    from onething.common.validators import make_id_number
    from onething.registry import services as registry

    id_number = make_id_number(region, date(1990, 5, 17), seq)
    user = _persona(
        username, "applicant_person", region=region, display_name=name, id_number=id_number
    )
    person = registry.person_create(id_number=id_number, name=name, household_region_id=region)
    if id_card:
        dept = Department.objects.get(kind_id="market", region_id=region)
        registry.license_issue(license_type="id_card", department=dept, data={}, person=person)
    return user


@pytest.fixture
def alice(catalog):
    return person_user("alice", "刘爱丽", seq=2)


@pytest.fixture
def bob(catalog):
    return person_user("bob", "包博", seq=4)


@pytest.fixture
def upload():
    from onething.cases import services

    def make(user, body: bytes = PDF, name="材料.pdf"):
        return services.upload_create(owner=user, name=name, chunks=[body])

    return make


def body(files: dict, *, answers=None, due=None, commit=True, **extra) -> dict:
    """A submission of the mini restaurant: files maps material → Upload."""
    due = due or (date.today() + timedelta(days=30)).isoformat()
    data = {
        "onething": "mini-restaurant",
        "answers": answers or {"big": "no", "own_premises": "no"},
        "form": {"business_name": "楚味小馆", "area": 80},
        "materials": [{"material": m, "file_id": str(u.pk)} for m, u in files.items()],
        "commitments": [{"material": "lease_contract", "due_date": due}] if commit else [],
        "channel": "portal",
    }
    data.update(extra)
    return data


@pytest.fixture
def submit(upload):
    from onething.cases import services

    def go(user, *, key=None, commit=True, answers=None, **extra):
        files = {"application_form": upload(user)}
        if not commit:
            files["lease_contract"] = upload(user)
        case, _ = services.case_submit(
            user=user,
            data=body(files, commit=commit, answers=answers, **extra),
            idempotency_key=key,
        )
        return case

    return go
