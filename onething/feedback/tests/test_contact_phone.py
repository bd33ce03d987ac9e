"""A 12345 caller's phone number: encrypted at rest, masked on the ticket page and in the API,
shown in full only when asked for, and every full display audited."""

import pytest
from django.db import connection

from onething.common.models import AuditRecord
from onething.common.security import decrypt, is_ciphertext
from onething.feedback import services
from onething.feedback.models import Ticket

from .conftest import TICKET
from .test_api import Api

pytestmark = pytest.mark.django_db
PHONE, MASKED = TICKET["contact_phone"], "139****0000"


@pytest.fixture
def ticket(olga):
    return services.ticket_create(actor=olga, source="phone", **TICKET)


def reads():
    return AuditRecord.objects.filter(action="read.ticket.contact")


def test_the_phone_is_ciphertext_in_the_database_and_plain_in_python(ticket):
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_phone FROM feedback_ticket WHERE id = %s", [ticket.pk])
        stored = cursor.fetchone()[0]
    assert is_ciphertext(stored) and PHONE not in stored and decrypt(stored) == PHONE
    assert Ticket.objects.get(pk=ticket.pk).contact_phone == PHONE


def test_the_ticket_page_masks_the_phone_until_asked_and_audits_the_full_view(client, olga, ticket):
    client.force_login(olga)
    url = f"/feedback/tickets/{ticket.number}/"
    page = client.get(url).content.decode()
    assert PHONE not in page and MASKED in page and 'id="show-full"' in page
    assert not reads().exists()
    full = client.get(url + "?full=1").content.decode()
    assert PHONE in full and "已记入审计日志" in full
    row = reads().get()
    assert row.actor_id == olga.pk and row.object_id == str(ticket.pk)
    assert row.detail == {"fields": ["contact_phone"]}


def test_the_department_handling_a_ticket_may_see_the_phone_too(client, olga, mark, ticket):
    services.ticket_transition(
        ticket_id=ticket.pk, actor=olga, action="dispatch", department=mark.department.code
    )
    client.force_login(mark)
    assert MASKED in client.get(f"/feedback/tickets/{ticket.number}/").content.decode()
    assert PHONE in client.get(f"/feedback/tickets/{ticket.number}/?full=1").content.decode()
    assert list(reads().values_list("actor_id", flat=True)) == [mark.pk]


def test_the_api_masks_the_phone_unless_full_and_audits_it(client, olga, alice, ticket):
    api = Api(client, olga)
    assert api.get(f"/tickets/{ticket.pk}").json()["contact_phone"] == MASKED
    assert not reads().exists()
    assert api.get(f"/tickets/{ticket.pk}?full=true").json()["contact_phone"] == PHONE
    assert reads().get().actor_id == olga.pk
    created = Api(client, alice).post("/tickets", {**TICKET, "source": "portal"})
    assert created.status_code == 201 and created.json()["contact_phone"] == MASKED
    other = Api(client, alice).get(f"/tickets/{ticket.pk}?full=true")
    assert other.status_code == 404 and reads().count() == 1  # not hers: no read to record


def test_the_full_phone_parameter_is_documented(client):
    spec = client.get("/api/openapi.json").json()
    params = spec["paths"]["/api/tickets/{ticket_id}"]["get"]["parameters"]
    full = next(p for p in params if p["name"] == "full")
    assert full["in"] == "query" and "审计" in full["description"]
