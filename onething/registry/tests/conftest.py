import pytest

from . import factories


@pytest.fixture
def alice_person(alice):
    """The registry record behind the ``alice`` account (linked by her ID number)."""
    person = factories.person(name="刘爱丽", phone="13800000001")
    alice.id_number = person.id_number
    alice.save(update_fields=["id_number"])
    return person


@pytest.fixture
def shop(alice_person):
    return factories.entity(legal_rep=alice_person)


@pytest.fixture
def market(mini_catalog):
    return factories.department("market")
