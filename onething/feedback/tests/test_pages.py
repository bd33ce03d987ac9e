"""Pages: rating a case, the rectification desk, the 12345 console; text is always escaped."""

import pytest

from onething.feedback import services
from onething.feedback.models import Rating, Ticket

from .conftest import TICKET

pytestmark = pytest.mark.django_db
XSS = '<script>alert("x")</script>'


def form(**over):
    data = {**TICKET, "kind": f"{TICKET['category']}/{TICKET['subcategory']}", **over}
    return {k: v for k, v in data.items() if k not in ("category", "subcategory")}


def test_an_applicant_rates_from_the_page_and_the_comment_is_escaped(client, alice, completed_case):
    client.force_login(alice)
    index = client.get("/feedback/")
    assert completed_case.number in index.content.decode()
    url = f"/feedback/rate/{completed_case.number}/"
    r = client.post(url, {"level": "1", "tags": ["多次跑动"], "comment": XSS})
    assert r.status_code == 302
    page = client.get(url).content.decode()
    assert XSS not in page and "&lt;script&gt;" in page and "待整改" in page
    again = client.post(url, {"level": "5"})
    assert again.status_code == 409 and Rating.objects.get().level == 1


def test_bad_page_input_shows_the_message(client, alice, completed_case):
    client.force_login(alice)
    r = client.post(f"/feedback/rate/{completed_case.number}/", {"level": "7"})
    assert r.status_code == 422 and "评价等级应为" in r.content.decode()
    unchosen = client.post(f"/feedback/rate/{completed_case.number}/", {"comment": "好"})
    assert unchosen.status_code == 422 and "请选择评价等级" in unchosen.content.decode()
    assert not Rating.objects.exists()


def test_others_cannot_open_someone_elses_rating_page(client, mark, completed_case):
    client.force_login(mark)
    assert client.get(f"/feedback/rate/{completed_case.number}/").status_code == 404


def test_the_sms_link_works_without_login(client, completed_case):
    token = services.rating_invite(case=completed_case).token
    assert client.get(f"/feedback/r/{token}/").status_code == 200
    assert client.post(f"/feedback/r/{token}/", {"level": "5"}).status_code == 302
    assert Rating.objects.get().channel == "sms"
    assert client.get("/feedback/r/wrong/").status_code == 404


def test_the_department_replies_and_the_supervisor_checks(client, alice, mark, sam, completed_case):
    rect = services.rating_submit(
        actor=alice, case_number=completed_case.number, level=2, comment=XSS
    ).rectification
    client.force_login(mark)
    assert f'data-rect="{rect.pk}"' in client.get("/feedback/rectifications/").content.decode()
    url = f"/feedback/rectifications/{rect.pk}/"
    page = client.get(url).content.decode()
    assert "reply-form" in page and XSS not in page
    empty = client.post(url, {"action": "reply", "verification": "x", "measures": "y", "reply": ""})
    assert empty.status_code == 400 and "请填写答复内容" in empty.content.decode()
    client.post(url, {"action": "reply", "verification": "属实", "measures": "改", "reply": "抱歉"})
    client.force_login(sam)
    assert "check-form" in client.get(url).content.decode()
    assert client.post(url, {"action": "approve"}).status_code == 302
    rect.refresh_from_db()
    assert rect.status == "approved"


def test_the_operator_console_suggests_routes_and_takes_a_call(client, olga, mark, noise_rule):
    client.force_login(olga)
    assert client.get("/feedback/").status_code == 302
    assert "受理来电" in client.get("/feedback/tickets/").content.decode()
    hint = client.post("/feedback/tickets/suggest/", form(), HTTP_HX_REQUEST="true")
    assert mark.department.name in hint.content.decode()
    r = client.post("/feedback/tickets/", form(content=XSS + " 噪音"))
    assert r.status_code == 302
    ticket = Ticket.objects.get()
    page = client.get(r.url).content.decode()
    assert XSS not in page and "&lt;script&gt;" in page and 'data-action="dispatch"' in page
    bad = client.post("/feedback/tickets/", form(content="长" * 2001))
    assert bad.status_code == 400 and "2000" in bad.content.decode()
    assert (
        '<option value="" selected>请选择</option>'
        in client.get("/feedback/tickets/").content.decode()
    )
    unsorted = client.post("/feedback/tickets/", {**form(), "kind": ""})
    assert unsorted.status_code == 400 and "请选择诉求分类" in unsorted.content.decode()
    dup = client.post("/feedback/tickets/suggest/", form(content=XSS + " 噪音"))
    assert ticket.number in dup.content.decode()


def test_an_out_of_order_action_on_the_page_is_a_409(client, olga, mark, noise_rule):
    t = services.ticket_create(actor=olga, **TICKET)
    services.ticket_transition(ticket_id=t.pk, actor=olga, action="dispatch")
    client.force_login(mark)
    r = client.post(f"/feedback/tickets/{t.number}/", {"action": "close", "note": "x"})
    assert r.status_code == 409 and "须先由承办部门签收" in r.content.decode()
    assert client.post(f"/feedback/tickets/{t.number}/", {"action": "sign"}).status_code == 302
    assert "data-ticket" in client.get("/feedback/tickets/").content.decode()


def test_metrics_page(client, sam):
    client.force_login(sam)
    page = client.get("/feedback/metrics/?days=7").content.decode()
    assert "好评率" in page and "满意率（目标 95%）" in page
