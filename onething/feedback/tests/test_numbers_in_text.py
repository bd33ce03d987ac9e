"""ID and mobile numbers people type into a 12345 ticket or a rating comment: masked for staff on
every page and in the API, shown as typed to their author, and in full to staff who may ask
(``?full=1``), each such view leaving one audit row that names the fields, never the values."""

import json
from datetime import date

import pytest

from onething.common.models import AuditRecord, Message
from onething.common.validators import make_id_number
from onething.feedback import services
from onething.feedback.models import Rectification

from .conftest import TICKET
from .test_api import Api

pytestmark = pytest.mark.django_db

ID = make_id_number("420102", date(1988, 6, 1), 35)
ID_MASKED = ID[:4] + "*" * 10 + ID[-4:]
MOBILE, MOBILE_MASKED = "13712345678", "137****5678"
CONTENT = f"我是张三，身份证{ID}，另一个手机{MOBILE}，楼下餐馆夜间噪音扰民，请处理。"
COMMENT = f"窗口让我跑了三次，有问题请打{MOBILE}联系我"


def reads(action: str):
    return AuditRecord.objects.filter(action=action)


def shows_typed(text: str) -> bool:
    return ID in text and MOBILE in text


def shows_masked(text: str) -> bool:
    return ID not in text and MOBILE not in text and ID_MASKED in text and MOBILE_MASKED in text


@pytest.fixture
def ticket(olga):
    return services.ticket_create(actor=olga, source="phone", **{**TICKET, "content": CONTENT})


@pytest.fixture
def own_ticket(alice):
    """Alice wrote this one herself on the portal."""
    return services.ticket_create(actor=alice, source="portal", **{**TICKET, "content": CONTENT})


@pytest.fixture
def dispatched(ticket, olga, mark):
    services.ticket_transition(
        ticket_id=ticket.pk, actor=olga, action="dispatch", department=mark.department.code
    )
    return ticket


@pytest.fixture
def rating(alice, completed_case):
    """A bad rating: it opens a rectification for the market bureau (Mark's department)."""
    return services.rating_submit(
        actor=alice, case_number=completed_case.number, level=1, comment=COMMENT
    )


# ---- tickets ------------------------------------------------------------------------------


def test_the_operator_sees_numbers_in_a_ticket_masked_until_asking(client, olga, ticket):
    client.force_login(olga)
    url = f"/feedback/tickets/{ticket.number}/"
    page = client.get(url).content.decode()
    assert shows_masked(page) and "文字中的证件号码、手机号码" in page
    assert not reads("read.ticket.contact").exists()
    full = client.get(url + "?full=1").content.decode()
    assert shows_typed(full) and "已记入审计日志" in full
    row = reads("read.ticket.contact").get()
    assert row.actor_id == olga.pk and row.object_id == str(ticket.pk)
    assert row.detail == {"fields": ["contact_phone", "content"]}
    assert ID not in json.dumps(row.detail) and MOBILE not in json.dumps(row.detail)


def test_the_department_handling_a_ticket_sees_it_masked_and_may_ask(client, mark, dispatched):
    client.force_login(mark)
    assert shows_masked(client.get(f"/feedback/tickets/{dispatched.number}/").content.decode())
    full = client.get(f"/feedback/tickets/{dispatched.number}/?full=1").content.decode()
    assert shows_typed(full)
    assert list(reads("read.ticket.contact").values_list("actor_id", flat=True)) == [mark.pk]


def test_the_ticket_api_masks_the_content_unless_full_and_audits_one_row(client, olga, ticket):
    api = Api(client, olga)
    shown = api.get(f"/tickets/{ticket.pk}").json()
    assert shows_masked(shown["content"]) and not reads("read.ticket.contact").exists()
    full = api.get(f"/tickets/{ticket.pk}?full=true").json()
    assert shows_typed(full["content"]) and full["contact_phone"] == TICKET["contact_phone"]
    assert reads("read.ticket.contact").get().detail == {"fields": ["contact_phone", "content"]}


def test_the_ticket_list_api_carries_no_typed_text(client, olga, ticket):
    body = Api(client, olga).get("/tickets").content.decode()
    assert ID not in body and MOBILE not in body and "content" not in body


def test_staff_notes_on_a_ticket_are_masked_in_the_page_the_api_and_the_timeline(
    client, olga, mark, dispatched
):
    services.ticket_transition(ticket_id=dispatched.pk, actor=mark, action="sign")
    note = f"已联系诉求人，回电{MOBILE}"
    services.ticket_transition(ticket_id=dispatched.pk, actor=mark, action="handle", note=note)
    client.force_login(olga)
    page = client.get(f"/feedback/tickets/{dispatched.number}/").content.decode()
    assert MOBILE not in page and "回电137****5678" in page
    body = Api(client, olga).get(f"/tickets/{dispatched.pk}").json()
    assert MOBILE not in json.dumps(body, ensure_ascii=False)
    Api(client, olga).get(f"/tickets/{dispatched.pk}?full=true")
    fields = reads("read.ticket.contact").get().detail["fields"]
    assert {"contact_phone", "content", "timeline"} <= set(fields)


def test_similar_tickets_stay_masked_even_in_a_full_view(client, olga, ticket):
    other = services.ticket_create(actor=olga, source="phone", **{**TICKET, "content": CONTENT})
    client.force_login(olga)
    page = client.get(f"/feedback/tickets/{other.number}/?full=1").content.decode()
    similar = page[page.index('id="similar"') :]
    assert ticket.number in similar and ID not in similar and MOBILE not in similar
    body = Api(client, olga).get(f"/tickets/{other.pk}?full=true").json()
    assert body["similar"] and all(ID not in s["content"] for s in body["similar"])


def test_the_caller_reads_their_own_ticket_as_typed_without_an_audit_row(client, alice, own_ticket):
    client.force_login(alice)
    assert shows_typed(client.get(f"/feedback/tickets/{own_ticket.number}/").content.decode())
    assert shows_typed(Api(client, alice).get(f"/tickets/{own_ticket.pk}").json()["content"])
    assert not AuditRecord.objects.filter(category="read").exists()


def test_roles_that_cannot_see_the_ticket_get_nothing_even_with_full(client, carol, ticket):
    assert Api(client, carol).get(f"/tickets/{ticket.pk}?full=true").status_code == 404
    client.force_login(carol)
    assert client.get(f"/feedback/tickets/{ticket.number}/?full=1").status_code == 404
    assert not reads("read.ticket.contact").exists()


# ---- ratings ------------------------------------------------------------------------------


def test_the_department_sees_a_quoted_comment_masked_until_asking(client, mark, rating):
    rect = Rectification.objects.get(rating=rating)
    client.force_login(mark)
    listing = client.get("/feedback/rectifications/").content.decode()
    assert MOBILE not in listing and MOBILE_MASKED in listing
    page = client.get(f"/feedback/rectifications/{rect.pk}/").content.decode()
    assert MOBILE not in page and MOBILE_MASKED in page and 'id="show-full"' in page
    assert not reads("read.rectification.text").exists()
    full = client.get(f"/feedback/rectifications/{rect.pk}/?full=1").content.decode()
    assert MOBILE in full and "已记入审计日志" in full
    row = reads("read.rectification.text").get()
    assert row.actor_id == mark.pk and row.object_id == str(rect.pk)
    assert row.detail == {"fields": ["rating.comment"]}


def test_the_supervisor_sees_the_comment_masked_by_default(client, sam, rating):
    rect = Rectification.objects.get(rating=rating)
    client.force_login(sam)
    page = client.get(f"/feedback/rectifications/{rect.pk}/").content.decode()
    assert MOBILE not in page and MOBILE_MASKED in page
    assert MOBILE not in json.dumps(Api(client, sam).get("/ratings").json())


def test_the_ratings_api_masks_comments_for_staff_and_full_writes_one_row(client, mark, rating):
    api = Api(client, mark)
    [shown] = api.get("/ratings").json()
    assert shown["comment"] == COMMENT.replace(MOBILE, MOBILE_MASKED)
    assert not reads("read.rating.comment").exists()
    [full] = api.get("/ratings?full=true").json()
    assert full["comment"] == COMMENT
    row = reads("read.rating.comment").get()
    assert row.actor_id == mark.pk and row.detail == {"fields": ["comment"]}


def test_a_window_clerk_gets_comments_masked_even_with_full(client, carol, rating):
    [shown] = Api(client, carol).get("/ratings?full=true").json()
    assert MOBILE not in shown["comment"] and MOBILE_MASKED in shown["comment"]
    assert not reads("read.rating.comment").exists()


def test_the_rater_reads_their_own_comment_as_typed(client, alice, completed_case):
    me = Api(client, alice)
    created = me.post(
        "/ratings", {"case_number": completed_case.number, "level": 1, "comment": COMMENT}
    )
    assert created.json()["comment"] == COMMENT
    assert me.get("/ratings").json()[0]["comment"] == COMMENT
    client.force_login(alice)
    assert MOBILE in client.get(f"/feedback/rate/{completed_case.number}/").content.decode()
    assert not AuditRecord.objects.filter(category="read").exists()


def test_the_department_is_told_of_a_bad_rating_without_the_number(mark, rating):
    body = Message.objects.get(user=mark, title__startswith="收到差评").body
    assert MOBILE not in body and MOBILE_MASKED in body


def test_the_stored_text_is_unchanged(ticket, rating):
    ticket.refresh_from_db(), rating.refresh_from_db()
    assert ticket.content == CONTENT and rating.comment == COMMENT
