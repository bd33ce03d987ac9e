import pytest


@pytest.fixture
def require_2fa(settings):
    """Production behaviour: staff need a second factor (demo mode skips it by default)."""
    settings.ONETHING_REQUIRE_2FA = True


@pytest.fixture
def ip():
    return {"REMOTE_ADDR": "10.1.2.3"}
