"""Every page and API operation × every role (and anonymous) against docs/security.md.

The table between the access-matrix markers in docs/security.md is the contract. This test
fails when an endpoint exists that the table does not list (document it!), when the table lists
one that no longer exists, and when observed behaviour contradicts the documented rule:

- ``public``     anyone, signed in or not;
- ``login``      any signed-in user (object-level checks happen inside);
- ``applicant``  applicant roles only;  ``staff``  every role except applicants;
- ``roles:a,b``  only the listed roles;  ``admin-site``  the Django admin (is_staff + permissions).

Checked live: anonymous is denied everything not ``public``; for endpoints without path
parameters, roles outside a restricted rule are denied. "Denied" means 401/403, a redirect to
the login page, or 404 for a path with parameters. Set ONETHING_ACCESS_MATRIX_DUMP=1 to print
what each role actually gets, as a starting point for new rows.
"""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings

from onething.accounts.constants import APPLICANT_ROLES, Role

DOC = Path(settings.BASE_DIR) / "docs" / "security.md"
RULES = {"public", "login", "applicant", "staff", "admin-site"}
ROLES = [None, *Role.values]


def documented() -> dict[tuple[str, str], str]:
    text = DOC.read_text(encoding="utf-8")
    block = text.split("<!-- access-matrix:start -->")[1].split("<!-- access-matrix:end -->")[0]
    rows = {}
    for line in block.splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0] in {"PAGE", "GET", "POST", "PUT", "PATCH", "DELETE", "ANY"}:
            rows[(cells[0], cells[1])] = cells[2]
    return rows


def _pages(patterns, prefix=""):
    from django.urls import URLResolver

    for p in patterns:
        if isinstance(p, URLResolver):
            sub = prefix + str(p.pattern)
            if sub in ("admin/", "api/"):
                continue
            yield from _pages(p.url_patterns, sub)
        else:
            yield "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", prefix + str(p.pattern))


def endpoints() -> list[tuple[str, str]]:
    from django.urls import get_resolver

    from onething.api import api

    found = [("PAGE", path) for path in _pages(get_resolver().url_patterns)]
    found.append(("ANY", "/admin/"))
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        found += [(method.upper(), path) for method in operations]
    return sorted(set(found))


def allowed(rule: str, role: str | None) -> bool:
    if rule == "public":
        return True
    if role is None:
        return False
    if rule == "login":
        return True
    if rule == "applicant":
        return role in APPLICANT_ROLES
    if rule == "staff":
        return role not in APPLICANT_ROLES
    if rule.startswith("roles:"):
        return role in rule[6:].split(",")
    return False


def valid_rule(rule: str) -> bool:
    if rule in RULES:
        return True
    return rule.startswith("roles:") and set(rule[6:].split(",")) <= set(Role.values)


def request(client, method: str, path: str):
    url = re.sub(r"\{(\w+)\}", lambda m: "0" if m[1].endswith("id") else "X0", path)
    if method in ("PAGE", "GET", "ANY"):
        response = client.get(url)
        if method == "PAGE" and response.status_code == 405:
            response = client.post(url)  # a POST-only page
        return response
    return getattr(client, method.lower())(url, data="{}", content_type="application/json")


def denied(response, path: str) -> bool:
    """401/403, a redirect to the login page, or 404 (an object or page hidden from this user)."""
    if response.status_code in (401, 403, 404):
        return True
    location = response.get("Location", "")
    return response.status_code in (301, 302, 303) and settings.LOGIN_URL in location


def test_every_endpoint_is_documented_and_every_row_exists():
    table, live = documented(), set(endpoints())
    missing = sorted(live - set(table))
    stale = sorted(set(table) - live)
    assert not missing, "在 docs/security.md 的访问矩阵中补充这些接口：\n" + "\n".join(
        f"| {m} | `{p}` | ? | |" for m, p in missing
    )
    assert not stale, f"访问矩阵中这些行已不存在：{stale}"
    bad = {k: v for k, v in table.items() if not valid_rule(v)}
    assert not bad, f"无法识别的访问规则：{bad}"


@pytest.fixture
def users(mini_catalog):
    from onething.common.testing import _persona

    return {role: _persona(f"matrix_{role}", role) for role in Role.values}


def test_anonymous_is_denied_everything_not_public(client, mini_catalog):
    wrong = []
    for (method, path), rule in documented().items():
        if rule == "public" or method == "ANY" or (method, path) not in set(endpoints()):
            continue
        response = request(client, method, path)
        if not denied(response, path):
            wrong.append(f"{method} {path} → {response.status_code}（规则 {rule}）")
    assert not wrong, "匿名用户可以访问：\n" + "\n".join(wrong)


def test_roles_outside_a_restricted_rule_are_denied(client, users):
    wrong, dump = [], os.environ.get("ONETHING_ACCESS_MATRIX_DUMP") == "1"
    for (method, path), rule in documented().items():
        if "{" in path or method == "ANY" or rule in ("public", "login") and not dump:
            continue
        for role, user in users.items():
            client.force_login(user)
            response = request(client, method, path)
            if dump:
                print(f"DUMP {method} {path} {role} {response.status_code}")
            if not allowed(rule, role) and not denied(response, path):
                wrong.append(f"{method} {path} {role} → {response.status_code}（规则 {rule}）")
    assert not wrong, "越权访问：\n" + "\n".join(wrong)
