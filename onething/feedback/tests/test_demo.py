import io

import pytest

from onething.accounts import demo as accounts_demo
from onething.feedback import demo
from onething.feedback.models import Ticket, TicketRoutingRule

pytestmark = pytest.mark.django_db


def test_demo_load_creates_rules_and_tickets_in_several_states(mini_catalog):
    accounts_demo.users_load(stdout=io.StringIO())
    out = io.StringIO()
    demo.load(seed=2026, stdout=out)
    assert TicketRoutingRule.objects.count() >= 2
    states = set(Ticket.objects.values_list("status", flat=True))
    assert {"rated", "received"} <= states and Ticket.objects.filter(escalations__gt=0).exists()
    demo.load(seed=2026, stdout=out)  # a second load changes nothing
    assert Ticket.objects.count() == 6


def test_no_demo_ticket_is_dispatched_before_it_was_received(mini_catalog):
    accounts_demo.users_load(stdout=io.StringIO())
    demo.load(seed=2026, stdout=io.StringIO())
    late = Ticket.objects.filter(escalations__gt=0).exclude(dispatched_at=None)
    assert late.exists()
    for t in Ticket.objects.exclude(dispatched_at=None):
        assert t.created_at <= t.dispatched_at, t.number
