import io

import pytest
from django.core.management import call_command

from onething.accounts import selectors, services
from onething.accounts.models import Region


def test_hubei_has_17_city_level_divisions_under_the_province(regions):
    cities = Region.objects.filter(parent_id="420000")
    assert cities.count() == 17
    assert {"420100", "429004", "429021", "422800"} <= set(cities.values_list("code", flat=True))
    assert Region.objects.get(code="420102").full_name == "湖北省武汉市江岸区"


def test_a_county_department_is_found_by_kind_and_climbs_to_the_parent(mini_catalog):
    dept = selectors.department_for(kind_code="market", region=Region.objects.get(code="420102"))
    assert dept.name == "武汉市江岸区市场监督管理局"


def test_a_bearer_token_authenticates_until_revoked(client, alice):
    key = services.token_create(user=alice)
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {key}").json()["username"] == "alice"
    token = alice.tokens.get()
    assert token.key_hash != key and len(token.key_hash) == 64  # only the digest is stored
    services.token_revoke(token=token)
    response = client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"


def test_token_create_prints_a_usable_token(client, alice):
    out = io.StringIO()
    call_command("token", "create", "alice", stdout=out)
    assert (
        client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {out.getvalue().strip()}").status_code
        == 200
    )


@pytest.mark.parametrize("role", ["applicant_person", "window_clerk"])
def test_navigation_depends_on_the_role(alice, role):
    alice.role = role
    labels = [n["label"] for n in selectors.navigation_for(alice)]
    assert "一件事目录" in labels and "目录管理" not in labels


def test_login_page_logs_a_user_in_and_shows_the_role(client, alice):
    from onething.testing import PASSWORD

    response = client.post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD}, follow=True
    )
    assert "申请人（个人）" in response.content.decode()


def test_a_directly_administered_city_covers_only_itself(regions):
    xiantao = Region.objects.get(code="429004")
    assert xiantao.prefix == "429004"
    assert not Region.objects.get(code="429005").code.startswith(xiantao.prefix)
