import pytest
from django.db import connections, transaction
from django.test import override_settings

from onething.testing import QUICK_HASHERS

from . import world


@pytest.fixture(scope="module")
def _world(django_db_setup, django_db_blocker):
    """The demo world is loaded once per module inside a transaction rolled back at its end;
    each test runs in a savepoint within it (as Django's TestCase.setUpTestData does), so every
    test starts from the same untouched world without loading the catalog again."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=QUICK_HASHERS):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            world.load_world()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            connections.close_all()


@pytest.fixture
def demo_world(_world, db):
    return None
