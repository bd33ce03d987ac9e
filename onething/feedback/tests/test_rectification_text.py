"""ID and mobile numbers typed into a rectification (核实情况, 整改措施, 答复, 审核意见, 回访记录):
masked on the pages and in the API for everyone but the text's writer, shown in full to staff who
may ask (``?full=1``, ``full=true``), each such response leaving one ``read.rectification.text``
row that names the fields, never the values."""

import pytest

from onething.common.models import AuditRecord, Message
from onething.feedback import services
from onething.feedback.models import Rectification
from onething.testing import _persona

from .conftest import make_completed_case
from .test_api import Api
from .test_numbers_in_text import COMMENT, ID, ID_MASKED, MOBILE, reads

pytestmark = pytest.mark.django_db

OTHER, OTHER_MASKED = "15812345678", "158****5678"
KIN, KIN_MASKED = "18612345678", "186****5678"
NEW, NEW_MASKED = "17712345678", "177****5678"
VERIFICATION = f"经核实情况属实，代办人身份证{ID}"
MEASURES = "增设导办员，一次性告知所需材料"
REPLY = f"已整改，如有疑问请致电经办人{OTHER}"
CHECK = f"同意。已电话联系评价人家属{KIN}核实"
VISIT = f"回访时评价人留了新号码{NEW}"


def rect_read():
    return reads("read.rectification.text")


def reply_section(page: str) -> str:
    start = page.index('id="the-reply"')
    return page[start : page.index("</section>", start)]


@pytest.fixture
def rating(alice, completed_case):
    """A bad rating for the market bureau (Mark's and Dan's department), a number in it."""
    return services.rating_submit(
        actor=alice, case_number=completed_case.number, level=1, comment=COMMENT
    )


@pytest.fixture
def rect(rating):
    return Rectification.objects.get(rating=rating)


@pytest.fixture
def replied(rect, mark):
    return services.rectification_reply(
        rectification_id=rect.pk,
        actor=mark,
        verification=VERIFICATION,
        measures=MEASURES,
        reply=REPLY,
    )


@pytest.fixture
def approved(replied, sam):
    return services.rectification_check(
        rectification_id=replied.pk, actor=sam, approve=True, note=CHECK
    )


def test_the_supervisor_sees_the_departments_reply_masked_on_the_page_until_asking(
    client, sam, replied
):
    client.force_login(sam)
    url = f"/feedback/rectifications/{replied.pk}/"
    page = client.get(url).content.decode()
    section = reply_section(page)
    assert ID not in section and ID_MASKED in section and MEASURES in section
    assert OTHER not in section and OTHER_MASKED in section
    assert 'id="show-full"' in page and "整改答复" in page and not rect_read().exists()
    full = client.get(url + "?full=1").content.decode()
    assert VERIFICATION in full and REPLY in full and "已记入审计日志" in full
    row = rect_read().get()
    assert row.actor_id == sam.pk and row.object_id == str(replied.pk)
    assert row.detail == {"fields": ["rating.comment", "verification", "reply"]}


def test_the_department_reads_its_own_reply_as_typed_without_an_audit_row(client, mark, replied):
    client.force_login(mark)
    section = reply_section(client.get(f"/feedback/rectifications/{replied.pk}/").content.decode())
    assert VERIFICATION in section and REPLY in section
    body = Api(client, mark).get(f"/rectifications/{replied.pk}").json()
    assert body["verification"] == VERIFICATION and body["reply"] == REPLY
    assert not AuditRecord.objects.filter(category="read").exists()


def test_a_colleague_in_the_same_department_sees_the_reply_masked(client, dan, replied):
    [shown] = Api(client, dan).get("/rectifications").json()
    assert shown["verification"] == VERIFICATION.replace(ID, ID_MASKED)
    assert shown["reply"] == REPLY.replace(OTHER, OTHER_MASKED)


def test_the_rectification_api_masks_the_texts_until_full_and_writes_one_row_per_response(
    client, sam, replied
):
    api = Api(client, sam)
    [listed] = api.get("/rectifications").json()
    detail = api.get(f"/rectifications/{replied.pk}").json()
    for body in (listed, detail):
        assert body["verification"] == VERIFICATION.replace(ID, ID_MASKED)
        assert body["reply"] == REPLY.replace(OTHER, OTHER_MASKED)
        assert body["measures"] == MEASURES
    assert not rect_read().exists()
    [full] = api.get("/rectifications?full=true").json()
    assert full["verification"] == VERIFICATION and full["reply"] == REPLY
    assert api.get(f"/rectifications/{replied.pk}?full=true").json()["reply"] == REPLY
    rows = list(rect_read().order_by("id"))
    assert len(rows) == 2 and {r.object_id for r in rows} == {str(replied.pk)}
    assert rows[0].detail == rows[1].detail == {"fields": ["verification", "reply"]}


def test_a_list_shown_in_full_counts_the_rectifications_in_its_one_row(
    client, alice, mark, sam, replied
):
    case = make_completed_case(alice, number="420102-20260105-000002")
    second = services.rating_submit(actor=alice, case_number=case.number, level=2, comment="慢")
    services.rectification_reply(
        rectification_id=second.rectification.pk,
        actor=mark,
        verification="属实",
        measures=MEASURES,
        reply=REPLY,
    )
    rows = Api(client, sam).get("/rectifications?full=true").json()
    assert len(rows) == 2 and all(r["reply"] == REPLY for r in rows)
    row = rect_read().get()
    assert row.detail == {"fields": ["verification", "reply"], "rows": 2}


def test_the_rater_gets_the_reply_masked_wherever_it_is_shown(
    client, alice, completed_case, approved
):
    me = Api(client, alice)
    masked = REPLY.replace(OTHER, OTHER_MASKED)
    assert me.get(f"/rectifications/{approved.pk}?full=true").json()["reply"] == masked
    assert me.get("/ratings?full=true").json()[0]["rectification"]["reply"] == masked
    client.force_login(alice)
    rate_page = client.get(f"/feedback/rate/{completed_case.number}/").content.decode()
    assert OTHER not in rate_page and OTHER_MASKED in rate_page
    page = client.get(f"/feedback/rectifications/{approved.pk}/?full=1").content.decode()
    assert OTHER not in page and KIN not in page and 'id="show-full"' not in page
    assert MOBILE in page  # her own comment, as she typed it
    message = Message.objects.get(user=alice, title__contains="答复").body
    assert OTHER not in message and OTHER_MASKED in message
    assert not AuditRecord.objects.filter(category="read").exists()


def test_the_supervisor_reads_their_own_check_note_as_typed_and_the_department_masked(
    client, sam, mark, approved
):
    url = f"/feedback/rectifications/{approved.pk}/"
    client.force_login(sam)
    assert client.get(url).content.decode().count(CHECK) == 2  # 审核意见 and the timeline's note
    client.force_login(mark)
    page = client.get(url).content.decode()
    assert KIN not in page and page.count(CHECK.replace(KIN, KIN_MASKED)) == 2
    assert Api(client, mark).get(f"/rectifications/{approved.pk}").json()["check_note"] == (
        CHECK.replace(KIN, KIN_MASKED)
    )
    assert not AuditRecord.objects.filter(category="read").exists()


def test_each_writer_gets_their_own_text_back_as_typed_from_the_api(client, mark, sam, olga, rect):
    reply = {"verification": VERIFICATION, "measures": MEASURES, "reply": REPLY}
    replied = Api(client, mark).post(f"/rectifications/{rect.pk}/reply", reply).json()
    assert replied["verification"] == VERIFICATION and replied["reply"] == REPLY
    check = {"approve": True, "note": CHECK}
    checked = Api(client, sam).post(f"/rectifications/{rect.pk}/check", check).json()
    assert checked["check_note"] == CHECK and checked["reply"] == REPLY.replace(OTHER, OTHER_MASKED)
    visit = {"result": "satisfied", "note": VISIT}
    visited = Api(client, olga).post(f"/rectifications/{rect.pk}/visit", visit).json()
    assert visited["visit_note"] == VISIT and visited["check_note"] == CHECK.replace(
        KIN, KIN_MASKED
    )
    [listed] = Api(client, sam).get("/rectifications").json()
    assert listed["visit_note"] == VISIT.replace(NEW, NEW_MASKED)
    assert not AuditRecord.objects.filter(category="read").exists()


def test_roles_that_cannot_see_a_rectification_get_nothing_even_with_full(client, carol, replied):
    api = Api(client, carol)
    assert api.get("/rectifications?full=true").json() == []
    assert api.get(f"/rectifications/{replied.pk}?full=true").status_code == 404
    assert not rect_read().exists()


def test_the_rectification_full_parameter_is_documented(client):
    spec = client.get("/api/openapi.json").json()
    for path in ("/api/rectifications", "/api/rectifications/{rect_id}"):
        full = next(p for p in spec["paths"][path]["get"]["parameters"] if p["name"] == "full")
        assert full["in"] == "query" and "审计" in full["description"]


def test_opening_a_rectification_in_the_admin_is_recorded(client, replied):
    root = _persona("root", "sysadmin")
    root.is_superuser = root.is_staff = True
    root.save()
    client.force_login(root)
    assert client.get(f"/admin/feedback/rectification/{replied.pk}/change/").status_code == 200
    row = rect_read().get()
    assert row.actor_id == root.pk and row.detail == {"fields": ["verification", "reply"]}


def test_the_rectification_texts_are_stored_as_typed(approved):
    approved.refresh_from_db()
    assert (approved.verification, approved.reply, approved.check_note) == (
        VERIFICATION,
        REPLY,
        CHECK,
    )
