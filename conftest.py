"""Root conftest: shared fixtures for every app's tests and the browser tests."""

from onething.testing import *  # noqa: F401,F403
