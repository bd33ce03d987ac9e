import pytest

from onething.testing import kept_for_the_module

from . import world


@pytest.fixture(scope="module")
def _world(django_db_setup, django_db_blocker):
    """The demo world is loaded once per module (see ``kept_for_the_module``): every test starts
    from the same untouched world without loading the catalog again."""
    with kept_for_the_module(django_db_blocker):
        world.load_world()
        yield


@pytest.fixture
def demo_world(_world, db):
    return None
