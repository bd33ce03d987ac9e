"""NUL (U+0000) in any input is refused with 400 naming the field, never a 500.

PostgreSQL text cannot hold NUL; before onething.common.inputs these requests failed in the
database on PostgreSQL (and were stored on SQLite). Found by the API fuzz test.
"""

import json

import pytest

from onething.accounts import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def bearer(alice):
    return {"HTTP_AUTHORIZATION": f"Bearer {services.token_create(user=alice)}"}


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/cases/%00", "path"),
        ("/api/policies?q=a%00b", "q"),
        ("/api/onethings/mini-restaurant?answers=%00", "answers"),
    ],
)
def test_api_path_and_query(client, bearer, url, field):
    response = client.get(url, **bearer)
    body = response.json()
    assert response.status_code == 400 and body["code"] == "invalid"
    assert body["fields"] == {field: "含有空字符"} and "空字符" in body["message"]


def test_api_json_body_names_the_nested_field(client, bearer):
    data = {"onething": "mini-restaurant", "materials": [{"material": "x", "file_id": "1\x00"}]}
    response = client.post(
        "/api/cases", json.dumps(data), content_type="application/json", **bearer
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"materials.0.file_id": "含有空字符"}


def test_pages_and_forms(client, alice):
    client.force_login(alice)
    page = client.get("/policies/?q=%00")
    assert page.status_code == 400 and "空字符" in page.content.decode()
    form = client.post("/accounts/login/", {"username": "alice\x00", "password": "x"})
    assert form.status_code == 400


def test_ordinary_input_passes(client, bearer):
    assert client.get("/api/policies?q=%E6%94%BF%E7%AD%96", **bearer).status_code == 200
