"""The hotline scenario of the issue: a call is routed, signed late, and the escalation shows."""

from datetime import timedelta

import pytest

from onething.feedback import services as feedback
from onething.feedback.models import TicketRoutingRule
from onething.feedback.tests.conftest import TICKET
from onething.supervision import selectors, services
from onething.supervision.models import Warning

pytestmark = pytest.mark.django_db


@pytest.fixture
def noise_rule(mini_catalog):
    return TicketRoutingRule.objects.create(
        position=10,
        name="噪声扰民转市场监管",
        department_kind_id="market",
        rule={"in": ["噪音", {"var": "content"}]},
    )


def test_a_late_signature_warns_escalates_and_shows_on_the_dashboard(olga, mark, sam, noise_rule):
    ticket = feedback.ticket_create(actor=olga, source="phone", **TICKET)
    assert ticket.suggested_department == mark.department  # the routing rule chose it
    feedback.ticket_transition(ticket_id=ticket.pk, actor=olga, action="dispatch")
    ticket.refresh_from_db()
    late = ticket.dispatched_at + timedelta(minutes=31)
    feedback.sla_watch(now=late)  # the worker's SLA job: 督办

    services.warnings_evaluate(now=late)
    assert Warning.objects.filter(rule__code="ticket-unsigned").exists()

    panel = selectors.panel(selectors.filters_parse(sam, {}), "hotline")
    assert panel["summary"]["工单总数"] == 1 and panel["summary"]["督办工单"] == 1
