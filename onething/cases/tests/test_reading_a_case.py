"""What staff read of a case: the one form and the uploaded files — each department what its own
items use, the window all of it, supervisors none; opening a file is audited; nothing is decided
for them."""

import pytest

from onething.cases import services
from onething.common.models import AuditRecord

from .conftest import body

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(alice, carol, upload):
    files = {m: upload(alice) for m in ("application_form", "lease_contract", "fire_plan")}
    data = body(files, commit=False, answers={"big": "yes", "own_premises": "no"})
    case, _ = services.case_submit(user=alice, data=data)
    services.case_accept(number=case.number, actor=carol, decision="accept")
    return case


def _page(client, user, case) -> str:
    client.force_login(user)
    return client.get(f"/cases/{case.number}/").content.decode()


def test_a_department_reads_the_fields_and_opens_the_files_its_items_use(client, accepted, mark):
    html = _page(client, mark, accepted)
    form = html.split('id="case-form"', 1)[1].split("</table>")[0]
    assert "楚味小馆" in form and "刘爱丽" in form  # business name, applicant's name
    res = client.get(f"/cases/{accepted.number}/materials/application_form")
    assert res.status_code == 200 and b"".join(res.streaming_content).startswith(b"%PDF")
    opened = AuditRecord.objects.get(action="read.case.material", actor_id=mark.pk)
    assert opened.detail["fields"] == ["application_form"]


def test_a_department_does_not_open_what_its_items_do_not_use(client, accepted, fred):
    html = _page(client, fred, accepted)  # fire: the business name and the area, no names
    form = html.split('id="case-form"', 1)[1].split("</table>")[0]
    assert "楚味小馆" in form and "刘爱丽" not in form
    assert f'href="/cases/{accepted.number}/materials/application_form"' not in html
    res = client.get(f"/cases/{accepted.number}/materials/application_form")
    assert res.status_code == 404


def test_the_window_opens_every_file_and_a_supervisor_none(client, accepted, carol, sam):
    html = _page(client, carol, accepted)
    assert f'href="/cases/{accepted.number}/materials/lease_contract"' in html
    client.force_login(sam)
    assert client.get(f"/cases/{accepted.number}/materials/lease_contract").status_code == 404
    assert 'id="case-form"' not in client.get(f"/cases/{accepted.number}/").content.decode()


def test_a_material_without_a_file_offers_no_link(client, accepted, carol):
    # The demo's synthetic history marks materials 已提交 without keeping a file.
    accepted.materials.filter(material="lease_contract").update(upload=None)
    html = _page(client, carol, accepted)
    assert "/materials/lease_contract" not in html and "/materials/application_form" in html


def test_the_api_serves_the_file_to_the_applicant(client, accepted, alice):
    client.force_login(alice)
    res = client.get(f"/api/cases/{accepted.number}/materials/lease_contract")
    assert res.status_code == 200 and res["Content-Type"] == "application/pdf"
    missing = client.get(f"/api/cases/{accepted.number}/materials/no_such_material")
    assert missing.status_code == 404 and "材料不存在" in missing.json()["message"]


def test_no_decision_is_chosen_for_the_reviewer_or_the_window(client, alice, carol, submit, mark):
    case = submit(alice, commit=False)
    html = _page(client, carol, case)
    assert "checked" not in html.split('id="acceptance"', 1)[1].split("</form>")[0]
    res = client.post(f"/cases/{case.number}/accept", {"decision": ""}, follow=True)
    text = res.content.decode()
    assert "请选择受理决定" in text and "不予受理（refuse）" in text
    services.case_accept(number=case.number, actor=carol, decision="accept")
    decide = _page(client, mark, case).split('class="card decide"', 1)[1].split("</form>")[0]
    assert "checked" not in decide and 'value="approve" required' in decide


def test_a_decision_document_is_named_by_what_the_item_is_in_law(accepted, mark, fred):
    registration = accepted.tasks.get(item="mini-registration")  # 行政许可: a licence granted
    services.task_decide(
        task_id=registration.pk, actor=mark, decision="approve", opinion="符合条件"
    )
    fire = accepted.tasks.get(item="mini-fire-check")  # 其他行政权力: told its result
    services.task_decide(task_id=fire.pk, actor=fred, decision="approve", opinion="合格")
    titles = {d.task.item: d.title for d in accepted.documents.filter(kind="approval")}
    assert titles == {"mini-fire-check": "办理结果通知书", "mini-registration": "准予许可决定书"}


def test_the_case_list_pages_and_finds_by_number(client, alice, carol, submit, monkeypatch):
    from onething.cases.views import case_page

    monkeypatch.setattr(case_page, "PER_PAGE", 2)
    numbers = [submit(alice, commit=False).number for _ in range(3)]
    client.force_login(carol)

    def listed(url):
        return client.get(url).content.decode().split('id="case-search"', 1)[1]

    first = listed("/cases/")
    assert "第 1 / 2 页" in first and numbers[0] not in first and numbers[2] in first
    assert "办件（共 3 件）" in client.get("/cases/").content.decode()
    assert numbers[0] in listed("/cases/?page=2")
    found = client.get(f"/cases/?q={numbers[0][-6:]}").content.decode()
    assert "办件（共 1 件" in found and numbers[0] in found
