import pytest

from onething.assistant import selectors


@pytest.fixture(autouse=True)
def fresh_index():
    """Each test sees an index built from its own database, never a previous test's."""
    selectors._state.update(fingerprint=None, index=None)
    yield
    selectors._state.update(fingerprint=None, index=None)
