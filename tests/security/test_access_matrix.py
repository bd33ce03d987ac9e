"""Every page and API operation × every role (and anonymous) against docs/security.md.

The table between the access-matrix markers in docs/security.md is the contract. This test
fails when an endpoint exists that the table does not list (document it!), when the table lists
one that no longer exists, and when observed behaviour contradicts the documented rule:

- ``public``     anyone, signed in or not;
- ``login``      any signed-in user (object-level checks happen inside);
- ``applicant``  applicant roles only;  ``staff``  every role except applicants;
- ``roles:a,b``  only the listed roles;  ``admin-site``  the Django admin (is_staff + permissions).

Checked live: anonymous is denied everything not ``public``; roles outside a restricted rule are
denied, for endpoints with path parameters too (filled with real objects from ``samples``).
"Denied" means 401/403, a redirect to the login page, or 404 for a path with parameters.
Object-level checks (``login`` rows: another person's case, licence, usage log or grant, another
department's task or warning) are tested by changing the id to one the user does not own.
Set ONETHING_ACCESS_MATRIX_DUMP=1 to print what each role actually gets.
"""

import os
import re
from collections import Counter
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


def request(client, method: str, path: str, samples: dict | None = None):
    def fill(m):
        if samples and m[1] in samples:
            return str(samples[m[1]])
        return "0" if m[1].endswith("id") else "X0"

    url = re.sub(r"\{(\w+)\}", fill, path)
    if method in ("PAGE", "GET", "ANY"):
        response = client.get(url)
        if method == "PAGE" and response.status_code == 405:
            response = client.post(url)  # a POST-only page
        return response
    body = (samples or {}).get("bodies", {}).get((method, path), {})
    return getattr(client, method.lower())(url, data=body, content_type="application/json")


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
    from onething.testing import _persona

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


def test_roles_outside_a_restricted_rule_are_denied(client, users, samples):
    wrong, dump = [], os.environ.get("ONETHING_ACCESS_MATRIX_DUMP") == "1"
    for (method, path), rule in documented().items():
        params = set(re.findall(r"\{(\w+)\}", path))
        if method == "ANY" or rule in ("public", "login") and not dump:
            continue
        if not params <= set(samples):
            continue  # object-level rows: see test_object_level_checks
        for role, user in users.items():
            client.force_login(user)
            response = request(client, method, path, samples)
            if dump:
                print(f"DUMP {method} {path} {role} {response.status_code}")
            if not allowed(rule, role) and not denied(response, path):
                wrong.append(f"{method} {path} {role} → {response.status_code}（规则 {rule}）")
    assert not wrong, "越权访问：\n" + "\n".join(wrong)


def test_every_restricted_row_with_parameters_has_samples(samples):
    """A restricted row whose parameters have no sample would silently go unchecked."""
    unchecked = [
        f"{method} {path}"
        for (method, path), rule in documented().items()
        if rule not in ("public", "login", "admin-site")
        and not set(re.findall(r"\{(\w+)\}", path)) <= set(samples)
    ]
    assert not unchecked, f"为这些受限接口的路径参数提供样例对象：{unchecked}"


# ---- real objects for path parameters and object-level checks ----------------------------------


def _grant_batch(actor):
    from onething.common import jobs
    from onething.policies import demo, services
    from onething.policies.models import Policy

    class Quiet:
        def write(self, text):
            pass

    demo.load(seed=1, stdout=Quiet())
    run = services.run_start(policy=Policy.objects.get(code="HB-P-GLJT"), kind="grant", actor=actor)
    jobs.run_pending()
    run.refresh_from_db()
    assert run.status == "done", run.error
    services.batch_approve(batch=run.batch, actor=actor)
    return run


@pytest.fixture
def world(users):
    """Two citizens with registry records; 王八五 (85) gets an old-age allowance, 刘爱丽 has a
    licence and an overdue case whose tasks belong to the 江岸区 market bureau."""
    from datetime import date, timedelta

    from django.utils import timezone

    from onething.common.validators import make_id_number
    from onething.registry import services as registry
    from onething.supervision import services as supervision
    from onething.supervision.models import Warning
    from onething.supervision.tests import factory
    from onething.testing import _persona

    today = timezone.localdate()
    born = date(today.year - 85, 1, 1)
    elder = registry.person_create(
        id_number=make_id_number("420102", born, 11), name="王八五", household_region_id="420102"
    )
    alice_p = registry.person_create(
        id_number=make_id_number("420102", date(1990, 5, 17), 22),
        name="刘爱丽",
        household_region_id="420102",
        phone="13800000001",
    )
    mark = _persona("mark", "dept_reviewer", kind="market", display_name="马克")
    card = registry.license_issue(
        license_type="id_card", department=mark.department, data={}, person=alice_p
    )
    w = {
        "wang": _persona("wang", "applicant_person", id_number=elder.id_number),
        "alice": _persona("alice", "applicant_person", id_number=alice_p.id_number),
        "bob": users["applicant_person"],
        "mark": mark,  # 江岸区 market bureau
        "fred": _persona("fred", "dept_reviewer", kind="fire", display_name="费德"),
        "yan": _persona("yan", "supervisor", region="420500", display_name="颜督查"),
        "card": card,
    }
    registry.consent_grant(grantee=w["mark"], purpose="办件", person=alice_p, case_number="T-1")
    case = factory.make_case(
        submitted_by=w["alice"], accepted=today - timedelta(days=40), status="processing"
    )
    w["case"], w["task"] = case, case.tasks.first()
    supervision.warnings_evaluate()
    w["warning"] = Warning.objects.filter(department=mark.department).first()
    w["run"] = _grant_batch(users["dept_admin"])
    w["grant"] = w["run"].batch.grants.get(holder_name="王八五")
    return w


@pytest.fixture
def samples(world):
    return {
        "batch_id": world["run"].batch.pk,
        "fmt": "csv",
        "warning_id": world["warning"].pk,
        "action": "acknowledge",
        "run_id": world["run"].pk,
        "key": "overview",
        "code": "matrix-rule",
        "bodies": {
            ("PUT", "/api/supervision/rules/{code}"): RULE,
            ("POST", "/api/holder-codes/scan"): {"code": "not-a-code"},
        },
    }


RULE = {
    "name": "测试规则",
    "target": "task",
    "level": "yellow",
    "condition": {">": [{"var": "task.overdue_days"}, 3]},
}


def _as(client, user):
    client.force_login(user)
    return client


def test_object_level_checks(client, world):
    """Change the id to someone else's: the object is not found, and nothing changes."""
    w = world
    case, task, card, warning, grant = w["case"], w["task"], w["card"], w["warning"], w["grant"]
    lic = card.identifier
    # Another person's case and licence (bob is an applicant without them).
    _as(client, w["bob"])
    for url in (
        f"/api/cases/{case.number}",
        f"/api/cases/{case.number}/timeline",
        f"/cases/{case.number}/",
        f"/api/licenses/{lic}",
        f"/api/licenses/{lic}/signed",
        f"/registry/licenses/{lic}/",
        f"/registry/licenses/{lic}/download.json",
        f"/registry/licenses/{lic}/download.pdf",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get("/api/me/usage-log").json() == []  # alice's usage log is hers alone
    # …which alice does see, with mark's use of her data in it.
    _as(client, w["alice"])
    assert client.get(f"/api/licenses/{lic}").status_code == 200
    assert client.get(f"/api/cases/{case.number}").status_code == 200
    usage = client.get("/api/me/usage-log").json()
    assert any(r["purpose"] == "办件" and "马克" in r["actor"] for r in usage)
    # Another department's task: fred (fire) cannot decide a market task; mark can see it.
    _as(client, w["fred"])
    response = client.post(
        f"/api/tasks/{task.pk}/decision", {"decision": "approve"}, content_type="application/json"
    )
    assert response.status_code == 404
    client.post(f"/cases/tasks/{task.pk}/decide", {"decision": "approve"})
    assert all(t["id"] != task.pk for t in client.get("/api/tasks").json())
    task.refresh_from_db()
    assert task.status == "active" and task.decided_by_id is None
    _as(client, w["mark"])
    assert any(t["id"] == task.pk for t in client.get("/api/tasks").json())
    # Another department's or region's warning.
    for user in (w["fred"], w["yan"], w["bob"]):
        _as(client, user)
        path = f"/api/supervision/warnings/{warning.pk}/acknowledge"
        assert client.post(path, {}, content_type="application/json").status_code in (403, 404)
        client.post(f"/supervision/warnings/{warning.pk}/acknowledge")
    warning.refresh_from_db()
    assert warning.status == "open"
    _as(client, w["mark"])
    path = f"/api/supervision/warnings/{warning.pk}/acknowledge"
    assert client.post(path, {}, content_type="application/json").json()["status"] == "acknowledged"
    # Another person's grant and policy matches: bob cannot decline 王八五's allowance.
    _as(client, w["bob"])
    client.post(f"/policies/grants/{grant.pk}/decline")
    grant.refresh_from_db()
    assert grant.status == "granted"
    assert client.get(f"/api/policy-runs/{w['run'].pk}").status_code == 404
    assert "王八五" not in client.get("/api/me/policies").content.decode()
    _as(client, w["wang"])
    assert "HB-P-GLJT" in client.get("/api/me/policies").content.decode()
    # Another person's licence through a clerk without consent (fred never scanned alice's code).
    _as(client, w["fred"])
    assert client.get(f"/api/licenses/{lic}").status_code == 404


def test_the_rows_that_were_to_be_confirmed_work_for_their_roles(client, world, samples, users):
    """The allowed side of the formerly 待确认 rows (the denied side is checked above)."""
    batch, supervisor = samples["batch_id"], users["supervisor"]
    _as(client, supervisor)
    assert client.get("/api/supervision/panels/overview").status_code == 200
    assert (
        client.put(
            "/api/supervision/rules/matrix-rule", RULE, content_type="application/json"
        ).status_code
        == 200
    )
    assert client.get(f"/policies/batches/{batch}/").status_code == 200
    masked = client.get(f"/policies/batches/{batch}/disbursement.csv").content.decode()
    assert "已脱敏" in masked and world["wang"].id_number not in masked
    assert (
        client.post(f"/policies/batches/{batch}/review", {"decision": "approve"}).status_code == 403
    )
    _as(client, users["catalog_admin"])
    full = client.get(f"/policies/batches/{batch}/disbursement.csv").content.decode()
    assert world["wang"].id_number in full and "完整值" in full.splitlines()[0]
    _as(client, world["mark"])
    assert [r["id"] for r in client.get("/api/supervision/warnings").json()]
    assert client.get("/supervision/warnings/").status_code == 200


# ---- wrong-role and wrong-region probes ------------------------------------------------------
# Every non-public row of the matrix, pages and API alike, is called by people who should get
# nothing of the world's 江岸区 objects. Wrong role: a role the row refuses, or for ``login``
# rows one owning none of the objects (applicants without them, the three system
# administrators, the hotline), rotating over the rows. Wrong region: the 宜昌 twin of every
# role the row admits (for ``login``/``staff`` rows, of the roles that work with cases, tasks,
# warnings, tickets and grants). A probe passes when the answer is a refusal or shows none of
# the world's private markers (case number, names, ID numbers, licence identifier); and after
# all probes no world object has changed. Public rows answer everyone by design: not probed.

NO_BUSINESS = [
    Role.APPLICANT_PERSON,
    Role.APPLICANT_ENTITY,
    Role.SYSADMIN,
    Role.SECADMIN,
    Role.AUDITADMIN,
    Role.HOTLINE_OPERATOR,
]
CASEWORK = [
    Role.WINDOW_CLERK,
    Role.DEPT_REVIEWER,
    Role.DEPT_ADMIN,
    Role.SUPERVISOR,
    Role.HOTLINE_OPERATOR,
]
KINDS = {
    Role.WINDOW_CLERK: "data_bureau",
    Role.DEPT_REVIEWER: "market",
    Role.DEPT_ADMIN: "market",
    Role.CATALOG_ADMIN: "data_bureau",
}
YICHANG = "420500"


@pytest.fixture
def elsewhere(world):
    """Each role's twin in 宜昌市 (and its market bureau where the role has a department)."""
    from onething.testing import _persona

    return {
        role: _persona(f"yc_{role}", role, region=YICHANG, kind=KINDS.get(role))
        for role in Role.values
    }


def _probe_samples(world, samples) -> dict:
    w = world
    return {
        **samples,
        "number": w["case"].number,
        "identifier": w["card"].identifier,
        "task_id": w["task"].pk,
        "grant_id": w["grant"].pk,
        "onething_code": "mini-restaurant",
    }


def _markers(world) -> list[str]:
    w = world
    return [
        w["case"].number,
        w["card"].identifier,
        w["alice"].id_number,
        w["wang"].id_number,
        "刘爱丽",
        "王八五",
    ]


def _state(world) -> tuple:
    from onething.supervision.models import WarningRule

    w = world
    for name in ("case", "task", "warning", "grant"):
        w[name].refresh_from_db()
    rule = WarningRule.objects.get(code="task-red")
    return (
        w["case"].status,
        w["task"].status,
        w["task"].decided_by_id,
        w["warning"].status,
        w["grant"].status,
        rule.condition,
        rule.threshold,
        rule.enabled,
    )


def probes_for(rule: str, n: int) -> list[tuple[str, str]]:
    """(kind, role) of the probes of the n-th row."""
    refused = [r for r in Role.values if not allowed(rule, r)]
    wrong_role = refused or NO_BUSINESS
    admitted = [r for r in Role.values if allowed(rule, r)]
    if rule in ("login", "staff"):
        admitted = [r for r in CASEWORK if allowed(rule, r)] or admitted
    return [("wrong role", wrong_role[n % len(wrong_role)])] + [
        ("wrong region", r) for r in admitted
    ]


def test_every_row_gets_wrong_role_and_wrong_region_probes(
    client, world, samples, users, elsewhere
):
    filled, markers, before = _probe_samples(world, samples), _markers(world), _state(world)
    leaks, kinds = [], Counter()
    rows = [(k, r) for k, r in sorted(documented().items()) if r != "public" and k[0] != "ANY"]
    for n, ((method, path), rule) in enumerate(rows):
        for kind, role in probes_for(rule, n):
            client.force_login(users[role] if kind == "wrong role" else elsewhere[role])
            response = request(client, method, path, filled)
            kinds[kind] += 1
            body = response.content.decode(errors="replace") if response.status_code < 300 else ""
            shown = [m for m in markers if m in body]
            if shown:
                leaks.append(f"{kind} {role}: {method} {path} → {response.status_code} {shown}")
    print(f"\nProbes: {len(rows)} rows, {dict(kinds)}")
    assert kinds["wrong role"] == len(rows) and kinds["wrong region"] >= len(rows)
    assert not leaks, "探针看到了不属于他的数据：\n" + "\n".join(leaks)
    assert _state(world) == before, "探针改动了不属于他的对象"
