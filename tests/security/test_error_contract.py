"""Issue 16, finding 6: the API always answers JSON {code, message, fields}; pages answer with
the site's own Chinese error pages. Before: a body over 2.5 MB got Django's English HTML
"Bad Request (400)", an unknown /api/ path an HTML 404, a CSRF failure Django's English page.
Checked with DEBUG off (production) and, for the API, with DEBUG on too.
"""

import json

import pytest
from django.test import Client

from onething.accounts import services as accounts

pytestmark = pytest.mark.django_db

ENGLISH = ("Bad Request", "Not Found", "Forbidden", "Server Error", "CSRF verification failed")
BIG = 3 * 1024 * 1024  # over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB)


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {accounts.token_create(user=user)}"}


def assert_api_error(response, status: int, code: str):
    assert response.status_code == status, response.content[:200]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "fields"} and body["code"] == code
    assert body["message"] and not any(word in body["message"] for word in ENGLISH)
    return body


def assert_chinese_page(response, status: int, heading: str):
    assert response.status_code == status
    html = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert f"{heading}（{status}）" in html and 'lang="zh-CN"' in html
    assert not any(word in html for word in ENGLISH), html[:300]


@pytest.mark.parametrize(
    ("path", "field"),
    [("/api/cases", "onething"), ("/api/assistant/chat", "message"), ("/api/tickets", "content")],
)
def test_a_body_too_large_is_413_json(client, olga, path, field):
    body = json.dumps({field: "字" * (BIG // 3)})
    response = client.post(path, body, content_type="application/json", **bearer(olga))
    body = assert_api_error(response, 413, "too_large")
    assert "2.5 MB" in body["message"] and body["fields"] == {"body": "过大"}


@pytest.mark.parametrize("debug", [False, True])
def test_an_unknown_api_path_is_404_json(client, settings, debug):
    settings.DEBUG = debug
    for method in ("get", "post", "delete"):
        response = getattr(client, method)("/api/no-such-thing/42")
        body = assert_api_error(response, 404, "not_found")
        assert "/api/no-such-thing/42" in body["message"]


def test_a_wrong_method_on_the_api_is_405_json(client, olga):
    response = client.delete("/api/tickets", **bearer(olga))
    assert_api_error(response, 405, "method_not_allowed")
    assert "POST" in response["Allow"] or "GET" in response["Allow"]


def test_pages_use_the_site_chinese_templates(client, alice, olga):
    assert_chinese_page(client.get("/no-such-page/"), 404, "页面不存在")
    client.force_login(alice)
    assert_chinese_page(client.get("/cases/420102-20990101-000009/"), 404, "页面不存在")
    # The 12345 ticket form with a text over the limit: the site's page, with 413.
    client.force_login(olga)
    big = client.post("/feedback/tickets/", {"content": "字" * (BIG // 3)})
    assert_chinese_page(big, 413, "提交的内容过大")


def test_a_page_that_raises_a_domain_error_shows_its_message(client, alice):
    client.force_login(alice)
    response = client.get("/feedback/rate/420102-20990101-000009/")
    assert_chinese_page(response, 404, "页面不存在")
    assert "办件不存在" in response.content.decode()


def test_a_csrf_failure_is_chinese(mini_catalog, alice):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    assert_chinese_page(strict.post("/prefs/large-font", {}), 403, "无权访问")


def test_a_server_error_is_the_chinese_page_or_json(client, settings, monkeypatch, mini_catalog):
    """A bug (here: the catalog failing) answers with the site's 500 page, JSON under /api/."""
    from onething.catalog import selectors

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "summaries", broken)
    quiet = Client(raise_request_exception=False)
    response = quiet.get("/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "系统繁忙（500）" in html and not any(w in html for w in ENGLISH)
    assert_api_error(quiet.get("/api/onethings"), 500, "server_error")


def test_no_english_default_template_is_reachable():
    """Django falls back to its English pages when a template is missing: they all exist."""
    from django.conf import settings
    from django.template.loader import get_template

    for name in ("400.html", "403.html", "404.html", "500.html"):
        assert get_template(name).origin.name.startswith(str(settings.BASE_DIR / "onething"))
    assert settings.CSRF_FAILURE_VIEW == "onething.common.views.csrf_failure"


@pytest.mark.parametrize(
    ("given", "lands"),
    [
        ("'; --", "/"),
        ("https://evil.example/", "/"),
        ("//evil.example/x", "/"),
        ("/policies/", "/policies/"),
    ],
)
def test_a_next_that_is_not_a_page_of_this_site_goes_home(client, db, given, lands):
    """Found by the page-form fuzz: a next without a slash was a 500 (NoReverseMatch)."""
    response = client.post("/prefs/large-font", {"next": given})
    assert response.status_code == 302 and response["Location"] == lands
