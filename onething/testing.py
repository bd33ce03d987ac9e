"""Shared test fixtures: the mini catalog and named personas (one per role).

Outside every app (like urls.py): fixtures build users and catalogs through several apps.
"""

from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections, transaction
from django.test import override_settings

MINI = Path(__file__).parent / "catalog" / "tests" / "fixtures" / "mini"
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


@pytest.fixture
def catalog(mini_catalog):
    """The catalog the staff personas work with; an app's conftest may override it."""
    return mini_catalog


@pytest.fixture(scope="session")
def real_catalog_dir():
    return settings.CATALOG_DIR


@contextmanager
def kept_for_the_module(django_db_blocker):
    """What is written inside stays for every test of a module and is rolled back at its end:
    each test runs in a savepoint within it (its ``db`` fixture), as Django's
    ``TestCase.setUpTestData`` does. For data that takes seconds to load (the standard catalog,
    the demo world) and that the module's tests only read or change inside their own savepoint.
    Not for transactional tests."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=QUICK_HASHERS):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            connections.close_all()


@pytest.fixture(scope="module")
def standard_catalog_kept(django_db_setup, django_db_blocker):
    from onething.accounts import services as accounts
    from onething.catalog import services

    with kept_for_the_module(django_db_blocker):
        accounts.regions_load()
        services.catalog_import(path=settings.CATALOG_DIR)
        accounts.departments_ensure()
        yield settings.CATALOG_DIR


@pytest.fixture
def standard_catalog(standard_catalog_kept, db):
    """The standard catalog (data/catalog) with regions and departments, loaded once a module."""
    return standard_catalog_kept


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
def carol(catalog):
    """Carol runs the 江岸区 comprehensive window."""
    return _persona("carol", "window_clerk", kind="data_bureau", display_name="陈卡罗")


@pytest.fixture
def mark(catalog):
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


@pytest.fixture
def wendy(catalog):
    """Wendy runs the window of 武昌区 (another county of Wuhan)."""
    return _persona(
        "wendy", "window_clerk", region="420106", kind="data_bureau", display_name="吴温蒂"
    )


@pytest.fixture
def fred(catalog):
    """Fred reviews for the 江岸区 fire brigade."""
    return _persona("fred", "dept_reviewer", kind="fire", display_name="费德")


@pytest.fixture
def fay(mini_catalog):
    """Fay reviews for the 江岸区 fire brigade too (feedback's tests call her so)."""
    return _persona("fay", "dept_reviewer", kind="fire", display_name="菲")


@pytest.fixture
def dan(mini_catalog):
    """Dan heads the 江岸区 market regulation bureau's office."""
    return _persona("dan", "dept_admin", kind="market", display_name="丹")


@pytest.fixture
def olga(mini_catalog):
    """Olga takes 12345 calls for Wuhan."""
    return _persona("olga", "hotline_operator", region="420100", display_name="奥尔加")


@pytest.fixture
def yichang_supervisor(mini_catalog):
    """Yan supervises 宜昌市, outside Wuhan."""
    return _persona("yan", "supervisor", region="420500", display_name="颜督查")


@pytest.fixture
def province_supervisor(mini_catalog):
    """Pat supervises the whole province."""
    return _persona("pat", "supervisor", region="420000", display_name="潘督查")


QUICK_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def quick_password_hashing(request, settings):
    """Argon2 costs tens of milliseconds a hash on purpose; the suite creates and checks accounts
    by the thousand. Tests marked ``real_password_hashing`` (the password policy's) keep it.
    A public name: the root conftest takes this module's fixtures by ``import *``, which skips
    names that start with an underscore (as this one did, unnoticed, for a day)."""
    if request.node.get_closest_marker("real_password_hashing") is None:
        settings.PASSWORD_HASHERS = QUICK_HASHERS
