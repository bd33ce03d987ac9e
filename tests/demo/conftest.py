import pytest

from . import world


@pytest.fixture
def demo_world(db):
    world.load_world()
