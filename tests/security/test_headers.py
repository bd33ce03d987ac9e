"""CSP and the other security headers are on pages, the API and errors alike."""

import re
from pathlib import Path

import pytest
from django.conf import settings

PATHS = ["/", "/accounts/login/", "/api/openapi.json", "/api/me", "/no-such-page/"]


@pytest.mark.parametrize("path", PATHS)
def test_security_headers_are_present(client, db, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "object-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp and "base-uri 'self'" in csp
    assert re.search(r"script-src 'self' 'nonce-[\w-]{16,}'", csp)
    script_src = csp.split("script-src")[1].split(";")[0]
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "geolocation=()" in response.headers["Permissions-Policy"]


def test_each_response_gets_a_fresh_nonce_exposed_to_templates(client, db):
    from django.template import Context, Template
    from django.test import RequestFactory

    from onething.common.security import SecurityHeadersMiddleware

    seen = {}

    def view(request):
        from django.http import HttpResponse

        seen["html"] = Template('<script nonce="{{ request.csp_nonce }}"></script>').render(
            Context({"request": request})
        )
        return HttpResponse(seen["html"])

    first = SecurityHeadersMiddleware(view)(RequestFactory().get("/"))
    nonce = re.search(r"'nonce-([^']+)'", first.headers["Content-Security-Policy"])[1]
    assert f'nonce="{nonce}"' in seen["html"]
    second = SecurityHeadersMiddleware(view)(RequestFactory().get("/"))
    assert nonce not in second.headers["Content-Security-Policy"]


def test_signed_in_pages_are_not_cached(client, alice):
    client.force_login(alice)
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_cookies_are_http_only_and_same_site(client, alice):
    from onething.testing import PASSWORD

    client.get("/accounts/login/")
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    session = response.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
    assert client.cookies["csrftoken"]["httponly"]


def test_report_only_mode(client, db, settings):
    settings.ONETHING_CSP_REPORT_ONLY = True
    response = client.get("/accounts/login/")
    assert "Content-Security-Policy-Report-Only" in response.headers
    assert "Content-Security-Policy" not in response.headers


# What a CSP without 'unsafe-inline'/'unsafe-eval' (and htmx with allowEval=false) would block.
BLOCKED = {
    "hx-on attribute (htmx compiles it with Function())": re.compile(r"\shx-on[:\-]"),
    'hx-vals/hx-vars "js:" expression': re.compile(r"hx-(?:vals|vars)=['\"]\s*(?:js|javascript):"),
    "htmx trigger filter [expression]": re.compile(r"hx-trigger=['\"][^'\"]*\["),
    "inline event handler (onclick=…)": re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "javascript: URL": re.compile(r"(?:href|src|action)=['\"]\s*javascript:", re.IGNORECASE),
    "inline <script> without the request nonce": re.compile(
        r"<script(?![^>]*\bsrc=)(?![^>]*nonce=\"\{\{ request\.csp_nonce \}\}\")[^>]*>"
    ),
}
# Django's {# … #} comments end at the line; only {% comment %} spans lines.
COMMENT = re.compile(r"\{#[^\n]*?#\}|\{% comment %\}(?s:.*?)\{% endcomment %\}")


def test_no_template_needs_inline_script_or_eval():
    root = Path(settings.BASE_DIR) / "onething"
    found = []
    for path in sorted(root.rglob("*.html")):
        text = COMMENT.sub(lambda m: "\n" * m[0].count("\n"), path.read_text(encoding="utf-8"))
        for what, pattern in BLOCKED.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(root)}:{line}: {what}")
    assert not found, (
        "CSP 会拦截这些写法，请改为 static/onething/site.js 中的事件监听：\n" + "\n".join(found)
    )


def test_pages_configure_htmx_without_eval(client, db):
    html = client.get("/").content.decode()
    assert re.search(r'<meta name="htmx-config" content=\'\{"allowEval": false', html)
    assert "/static/onething/site.js" in html and "{#" not in html and "{%" not in html
