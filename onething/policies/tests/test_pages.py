import json

import pytest

pytestmark = pytest.mark.django_db


def test_list_detail_and_mine_pages(client, library, enterprise_user):
    assert "高龄津贴" in client.get("/policies/").content.decode()
    detail = client.get("/policies/HB-P-GLJT/").content.decode()
    assert "年龄（周岁） ≥ 80" in detail and "免申即享" in detail
    client.force_login(enterprise_user)
    mine = client.get("/policies/mine/").content.decode()
    assert "企业专属空间" in mine and "高新技术企业认定奖励" in mine and "未满足" in mine


def test_one_click_apply_page(client, library, enterprise_user):
    client.force_login(enterprise_user)
    page = client.get("/policies/HB-E-XNJY/apply").content.decode()
    assert "从业人数" in page and "12" in page
    response = client.post(
        "/policies/HB-E-XNJY/apply",
        {"confirm": ["新招用人员已签订一年以上劳动合同", "已为新招用人员缴纳社会保险费"]},
    )
    assert response.status_code == 302


def test_rule_builder_validates_live_and_tests_against_a_holder(client, library, firm, dora):
    client.force_login(dora)
    bad = client.post(
        "/policies/rules/check",
        {"subject": "entity", "rule": json.dumps({"==": [{"var": "agee"}, 1]})},
    )
    assert "/==/0/var" in bad.content.decode()
    broken = client.post("/policies/rules/check", {"subject": "entity", "rule": "{"})
    assert "JSON 格式错误" in broken.content.decode()
    rule = {"and": [{">=": [{"var": "employees"}, 10]}, {"var": "is_high_tech"}]}
    out = client.post(
        "/policies/rules/test", {"rule": json.dumps(rule), "number": firm.credit_code}
    ).content.decode()
    assert "从业人数 ≥ 10：满足（实际 12）" in out and "不符合" in out


def test_rule_builder_is_staff_only(client, library, enterprise_user):
    client.force_login(enterprise_user)
    assert client.post("/policies/rules/check", {"rule": "{}"}).status_code == 404


def test_admin_change_form_saves_a_new_version(client, library, dora):
    from onething.policies.models import Policy

    dora.is_staff = dora.is_superuser = True
    dora.save()
    client.force_login(dora)
    policy = Policy.objects.get(code="HB-P-GLJT")
    page = client.get(f"/admin/policies/policy/{policy.pk}/change/")
    assert page.status_code == 200 and "规则校验与试算" in page.content.decode()
