"""Shared test fixtures: the mini catalog and named personas (one per role)."""

from pathlib import Path

import pytest
from django.conf import settings

MINI = Path(__file__).parent.parent / "catalog" / "tests" / "fixtures" / "mini"
PASSWORD = "Test-Passw0rd!"


@pytest.fixture
def regions(db):
    from onething.accounts import services

    services.regions_load()


@pytest.fixture
def mini_catalog(regions):
    from onething.accounts import services as accounts
    from onething.catalog import services

    services.catalog_import(path=MINI)
    accounts.departments_ensure()
    return MINI


@pytest.fixture(scope="session")
def real_catalog_dir():
    return settings.CATALOG_DIR


def _persona(username, role, region="420102", kind=None, **extra):
    from onething.accounts import services
    from onething.accounts.models import Department, Region

    dept = Department.objects.filter(kind_id=kind, region_id=region).first() if kind else None
    return services.user_create(
        username=username,
        password=PASSWORD,
        role=role,
        department=dept,
        region=Region.objects.get(code=region),
        **extra,
    )


@pytest.fixture
def alice(mini_catalog):
    """Alice is a citizen of 江岸区 applying for herself."""
    return _persona("alice", "applicant_person", display_name="刘爱丽")


@pytest.fixture
def carol(mini_catalog):
    """Carol runs the 江岸区 comprehensive window."""
    return _persona("carol", "window_clerk", kind="data_bureau", display_name="陈卡罗")


@pytest.fixture
def mark(mini_catalog):
    """Mark reviews for the 江岸区 market regulation bureau."""
    return _persona("mark", "dept_reviewer", kind="market", display_name="马克")


@pytest.fixture
def dora(mini_catalog):
    """Dora is a catalog admin at the provincial data bureau."""
    return _persona(
        "dora", "catalog_admin", region="420000", kind="data_bureau", display_name="朵拉"
    )


@pytest.fixture
def sam(mini_catalog):
    """Sam supervises Wuhan."""
    return _persona("sam", "supervisor", region="420100", display_name="萨姆")


QUICK_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _quick_password_hashing(request, settings):
    """Argon2 costs tens of milliseconds a hash on purpose; the suite creates and checks accounts
    by the thousand. Tests marked ``real_password_hashing`` (the password policy's) keep it."""
    if request.node.get_closest_marker("real_password_hashing") is None:
        settings.PASSWORD_HASHERS = QUICK_HASHERS
