"""Pages: the draft survives a closed browser, the queues show the right rows."""

import json
from datetime import date, timedelta

import pytest

from onething.cases import selectors, services
from onething.cases.models import Draft

pytestmark = pytest.mark.django_db
DUE = (date.today() + timedelta(days=30)).isoformat()


def test_apply_page_prefills_read_only_and_shows_exemptions(client, alice):
    client.force_login(alice)
    answers = json.dumps({"big": "yes", "own_premises": "no"})
    html = client.get(f"/cases/apply/mini-restaurant?answers={answers}").content.decode()
    assert 'name="f_applicant_name" value="刘爱丽" readonly' in html
    assert "免交：前序事项办结后自动获取" in html and 'name="file_fire_plan"' in html
    assert Draft.objects.get(user=alice).answers == {"big": "yes", "own_premises": "no"}


def test_autosave_keeps_the_draft_for_a_new_session(client, alice):
    client.force_login(alice)
    res = client.post(
        "/cases/apply/mini-restaurant/draft", {"f_business_name": "楚味小馆", "f_area": "66"}
    )
    assert res.status_code == 200 and "自动保存" in res.content.decode()
    client.logout()
    client.force_login(alice)
    html = client.get("/cases/apply/mini-restaurant").content.decode()
    assert 'value="楚味小馆"' in html and 'value="66"' in html


def test_the_same_draft_submitted_twice_makes_one_case(alice, upload):
    draft = services.draft_save(
        user=alice,
        onething="mini-restaurant",
        answers={"big": "no", "own_premises": "yes"},
        form={"business_name": "楚味小馆", "area": 60},
        materials={"application_form": str(upload(alice).pk)},
    )
    first = services.draft_submit(user=alice, draft=draft, channel="portal")
    draft.refresh_from_db()
    again = services.draft_submit(user=alice, draft=draft, channel="portal")
    assert first.pk == again.pk and selectors.cases_list(alice).count() == 1


def test_a_file_uploaded_before_the_situation_changed_is_not_submitted(alice, upload):
    """The lease contract was asked while renting; after 自有场所 the page no longer lists it,
    so the person can neither see nor remove it: it must not make the submission fail."""
    draft = services.draft_save(
        user=alice,
        onething="mini-restaurant",
        answers={"big": "no", "own_premises": "no"},
        form={"business_name": "楚味小馆", "area": 60},
        materials={
            "application_form": str(upload(alice).pk),
            "lease_contract": str(upload(alice).pk),
        },
    )
    draft = services.draft_save(
        user=alice, onething="mini-restaurant", answers={"big": "no", "own_premises": "yes"}
    )
    case = services.draft_submit(user=alice, draft=draft, channel="portal")
    assert {m.material for m in case.materials.all()} >= {"application_form"}
    assert "lease_contract" not in {m.material for m in case.materials.all()}


def test_queues_and_detail_pages(client, alice, carol, mark, submit):
    case = submit(alice)
    client.force_login(carol)
    assert case.number in client.get("/cases/").content.decode()
    res = client.post(f"/cases/{case.number}/accept", {"decision": "accept_with_tolerance"})
    assert res.status_code == 302
    client.force_login(mark)
    html = client.get("/cases/").content.decode()
    assert "企业设立登记" in html
    assert 'data-task="mini-registration"' in client.get(f"/cases/{case.number}/").content.decode()
    client.force_login(alice)
    assert client.get(f"/cases/{case.number}/").status_code == 200


def test_strangers_get_404(client, bob, alice, submit):
    case = submit(alice)
    client.force_login(bob)
    assert client.get(f"/cases/{case.number}/").status_code == 404


def test_the_reviewer_reads_names_and_labels_not_codes_or_dicts(client, alice, carol, mark, submit):
    from onething.common.validators import make_credit_code

    case = submit(alice)
    services.case_accept(number=case.number, actor=carol, decision="accept_with_tolerance")
    reg, food = selectors.tasks_of(case)
    code = make_credit_code("420102", "12345678")
    services.task_decide(
        task_id=reg.pk,
        actor=mark,
        decision="approve",
        opinion="同意",
        result={"credit_code": code, "name": "楚味小馆"},
    )
    client.force_login(mark)
    html = client.get(f"/cases/{case.number}/").content.decode()
    shown = html.split('id="earlier-results">', 1)[1].split("</p>", 1)[0]
    assert (
        "企业设立登记（" in shown and f"统一社会信用代码 {code}" in shown and "电子证照 " in shown
    )
    assert "名称 楚味小馆" in shown and "{" not in shown and "mini-registration" not in shown
    # The result column names what was issued and links to its public check, not a raw identifier.
    assert '已签发电子证照（<a href="/registry/verify/business_license.' in html
    assert '<span class="code">business_license.' not in html
    timeline = html.split('id="timeline">', 1)[1].split("</ol>", 1)[0]
    assert "（企业设立登记）" in timeline and "mini-registration" not in timeline


def test_a_prefilled_enum_reads_as_its_label_and_submits_its_code():
    from types import SimpleNamespace

    from onething.cases.views import _field_rows

    field = {
        "field": "enterprise_type",
        "label": "主体类型",
        "type": "enum",
        "options": [{"value": "llc", "label": "有限责任公司"}],
    }
    bp = {"form": {"layout": [field], "schema": {"properties": {"enterprise_type": {}}}}}
    prefill = {"enterprise_type": {"value": "llc", "source_label": "经营主体信息"}}
    row = _field_rows(bp, SimpleNamespace(form={}), prefill, full=True)[0]
    assert (row["value"], row["value_label"]) == ("llc", "有限责任公司")


def test_an_applicant_chooses_another_window_and_a_clerk_sees_its_own(
    client, alice, carol, wendy, upload
):
    services.draft_save(
        user=alice,
        onething="mini-restaurant",
        answers={"big": "no", "own_premises": "no"},
        form={"business_name": "楚味小馆", "area": 60},
        materials={"application_form": str(upload(alice).pk)},
        commitments={"lease_contract": DUE},
    )
    client.force_login(alice)
    preview = client.post("/cases/apply/mini-restaurant", {"action": "preview"}).content.decode()
    select = preview.split('id="accept-region">', 1)[1].split("</select>", 1)[0]
    assert '<option value="420102" selected>武汉市江岸区（本地）</option>' in select
    assert '<option value="420106" >武汉市武昌区</option>' in select
    posted = {
        "action": "submit",
        "consent": "1",
        "accept_region": "420106",
        "a_big": "no",
        "a_own_premises": "no",
        "f_business_name": "楚味小馆",
        "f_area": "60",
        "commit_lease_contract": "1",
        "due_lease_contract": DUE,
    }
    res = client.post("/cases/apply/mini-restaurant", posted)
    assert res.status_code == 302, res.content.decode()
    case = selectors.cases_list(alice).get()
    assert (case.accept_region_id, case.process_region_id) == ("420106", "420102")
    client.force_login(wendy)
    assert (
        "武昌区 · 办理地：江岸区（跨域通办）"
        in client.get(f"/cases/{case.number}/").content.decode()
    )
    client.force_login(carol)
    page = client.post("/cases/apply/mini-restaurant", {"action": "preview"}).content.decode()
    assert 'id="accept-region"' not in page and "受理地区：本窗口（江岸区）" in page


def test_an_optional_material_not_given_is_not_called_missing(client, alice, submit):
    case = submit(alice)
    row = case.materials.get(material="application_form")
    row.state = "missing"
    row.save(update_fields=["state"])
    for m in case.blueprint["materials"]:
        m["required"] = m["code"] != "application_form"
    case.save(update_fields=["blueprint"])
    client.force_login(alice)
    html = client.get(f"/cases/{case.number}/").content.decode()
    shown = html.split('data-material="application_form">', 1)[1].split("</tr>", 1)[0]
    assert "非必要，未提交" in shown and "缺少" not in shown


def test_a_licence_material_says_why_it_is_asked_for_when_the_licence_is_not_held(client, catalog):
    from .conftest import person_user

    dan = person_user("dan", "邓丹", seq=6, id_card=False)
    client.force_login(dan)
    catalog_page = client.get("/onethings/mini-restaurant/").content.decode()
    assert "持有有效电子证照（居民身份证）的免交，未持有的需提交" in catalog_page
    html = client.get("/cases/apply/mini-restaurant").content.decode()
    row = html.split('data-material="id_card">', 1)[1].split("</tr>", 1)[0]
    assert (
        "您的电子证照夹中没有有效的居民身份证，请提交本材料" in row and 'name="file_id_card"' in row
    )


def test_a_clerk_clears_the_last_walk_ins_draft_before_serving_the_next(client, carol, alice):
    client.force_login(carol)
    client.post(
        "/cases/apply/mini-restaurant/draft",
        {"applicant_name": "张三丰", "f_business_name": "张记面馆"},
    )
    services.draft_save(user=alice, onething="mini-restaurant", form={"business_name": "楚味小馆"})
    html = client.get("/cases/apply/mini-restaurant").content.decode()
    assert "尚未提交的草稿（申请人 张三丰）" in html and "清空草稿，接待新申请人" in html
    res = client.post("/cases/apply/mini-restaurant/discard", follow=True)
    html = res.content.decode()
    assert "草稿已清空，可以为下一位申请人办理" in html
    assert "张三丰" not in html and "张记面馆" not in html and 'id="draft-notice"' not in html
    assert Draft.objects.get(user=alice).form == {"business_name": "楚味小馆"}  # only her own
    from onething.common.models import Event

    assert Event.objects.filter(verb="case.draft_discarded", actor=carol).count() == 1


def test_an_applicant_returning_to_a_draft_is_told_and_may_start_over(client, alice):
    client.force_login(alice)
    assert 'id="draft-notice"' not in client.get("/cases/apply/mini-restaurant").content.decode()
    client.post("/cases/apply/mini-restaurant/draft", {"f_business_name": "楚味小馆"})
    html = client.get("/cases/apply/mini-restaurant").content.decode()
    assert "已为您恢复" in html and "清空草稿，重新填写" in html
    client.post("/cases/apply/mini-restaurant/discard")
    assert 'value="楚味小馆"' not in client.get("/cases/apply/mini-restaurant").content.decode()
