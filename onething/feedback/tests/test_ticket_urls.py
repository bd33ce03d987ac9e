"""Ticket pages are addressed by the 工单编号; old row-id links redirect to it."""

import pytest

from onething.common.models import Message
from onething.feedback import selectors, services
from onething.feedback.models import Ticket

from .conftest import TICKET

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(olga, noise_rule):
    return services.ticket_create(actor=olga, source="phone", **TICKET)


def test_a_call_taken_on_the_console_opens_the_page_of_its_number(client, olga, noise_rule):
    client.force_login(olga)
    form = {**TICKET, "kind": f"{TICKET['category']}/{TICKET['subcategory']}"}
    r = client.post("/feedback/tickets/", form)
    number = Ticket.objects.get().number
    assert r.status_code == 302 and r.url == f"/feedback/tickets/{number}/"
    assert number in client.get(r.url).content.decode()


def test_the_console_links_each_ticket_by_its_number(client, olga, ticket):
    client.force_login(olga)
    console = client.get("/feedback/tickets/").content.decode()
    assert f'href="/feedback/tickets/{ticket.number}/"' in console
    assert f'href="/feedback/tickets/{ticket.pk}/"' not in console


def test_an_old_id_link_redirects_permanently_to_the_number(client, olga, ticket):
    client.force_login(olga)
    r = client.get(f"/feedback/tickets/{ticket.pk}/")
    assert r.status_code == 301 and r["Location"] == f"/feedback/tickets/{ticket.number}/"


def test_an_old_id_link_tells_nobody_the_number_of_a_ticket_they_cannot_see(client, carol, ticket):
    client.force_login(carol)
    old = client.get(f"/feedback/tickets/{ticket.pk}/")
    assert old.status_code == 404 and ticket.number not in old.content.decode()
    assert client.get(f"/feedback/tickets/{ticket.number}/").status_code == 404


def test_an_unknown_number_is_a_chinese_404(client, olga, ticket):
    client.force_login(olga)
    r = client.get("/feedback/tickets/20000101999999/")
    assert r.status_code == 404 and "页面不存在" in r.content.decode()


def test_merging_on_the_page_goes_to_the_number_of_the_ticket_kept(client, olga, ticket):
    dup = services.ticket_create(actor=olga, source="phone", **TICKET)
    client.force_login(olga)
    page = client.get(f"/feedback/tickets/{dup.number}/").content.decode()
    assert f'action="/feedback/tickets/{dup.number}/merge/"' in page
    r = client.post(f"/feedback/tickets/{dup.number}/merge/", {"into": ticket.pk})
    assert r.status_code == 302 and r.url == f"/feedback/tickets/{ticket.number}/"
    dup.refresh_from_db()
    assert dup.merged_into == ticket


def test_notifications_and_supervision_warnings_link_by_number(olga, mark, ticket):
    services.ticket_transition(ticket_id=ticket.pk, actor=olga, action="dispatch")
    assert Message.objects.filter(user=mark).get().link == f"/feedback/tickets/{ticket.number}/"
    subjects = list(selectors.supervision_ticket_subjects(ticket.created_at))
    assert [s["link"] for s in subjects] == [f"/feedback/tickets/{ticket.number}/"]
