"""Known small data for supervision: cases made directly through the cases models."""

from datetime import timedelta

import pytest
from django.utils import timezone


@pytest.fixture
def wuhan_base():
    """A working day about six weeks back, so every date falls within the default 12 months."""
    from onething.common import workdays

    day = timezone.localdate() - timedelta(days=45)
    while not workdays.is_workday(day):
        day += timedelta(days=1)
    return day


@pytest.fixture
def make_case(mini_catalog):
    from onething.supervision.tests import factory

    return factory.make_case
