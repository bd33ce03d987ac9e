"""Property-based fuzzing of the whole JSON API from its OpenAPI description (schemathesis).

Every operation is fuzzed in process against the WSGI app (CSRF enforced, no test client
shortcuts) on a world with real objects (fuzz_world.py), as anonymous and with an API token of
every role. Every response must not be a server error, must have a documented status
code, content type and schema, and every 4xx must be the API's JSON error {code, message,
fields} with a Chinese message.

Which auth context sends a case: examples-phase cases (real ids in the path, one per operation
at least) go out in every context, so each operation × context is exercised; the many other
cases (coverage and fuzzing phases) go out in one context picked from their content, which
stays the same when Hypothesis replays a case. Request-shape probes (undocumented methods) go
out once. Counts are written to $ONETHING_VAR_DIR/fuzz-summary.json and printed.
"""

import json
import logging
import os
import re
import time
import zlib
from collections import Counter

import pytest
import requests
import schemathesis
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.meta import TestPhase
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    is_unexpected_http_status_case,
    response_schema_conformance,
    status_code_conformance,
)

from onething.accounts.constants import Role

from . import fuzz_world

CONTEXTS = [None, *Role.values]  # None: anonymous; then an API token of every role
# Per operation, fuzzing phase (the examples and coverage phases add more); raise it locally
# to dig deeper, e.g. ONETHING_FUZZ_MAX_EXAMPLES=200.
MAX_EXAMPLES = int(os.environ.get("ONETHING_FUZZ_MAX_EXAMPLES", "8"))
REAL = 0.5  # how often a path parameter or body field known to the world gets a real value
# Strings the generators rarely make but that broke the database before (NUL on PostgreSQL).
HOSTILE = ["\x00", "a\x00b", "'; --", "../../etc/passwd", "%00", "\ud7ff\ufffd", " " * 300]
CONFIG = {
    "suppress-health-check": ["all"],
    "generation": {"dictionaries": {"string": {"dictionary": "hostile", "probability": 0.15}}},
    # Undocumented methods are refused by the router before any app code: two are enough.
    "phases": {
        "examples": {"fill-missing": True},
        "coverage": {"unexpected-methods": ["DELETE", "PATCH"]},
    },
}
# Query parameters that mean something only with real values; the fuzzer tries others too.
QUERY_EXAMPLES = {
    "region": ["420102", "420100"],
    "answers": ['{"big": "no", "own_premises": "no"}'],
    "status": ["submitted", "processing", "completed"],
    "onething": ["mini-restaurant"],
    "from": ["2026-01"],
    "to": ["2026-12"],
}
CJK = re.compile(r"[\u4e00-\u9fff]")
STATS = {
    "cases": 0,
    "requests": 0,
    "unsendable": 0,
    "phases": Counter(),
    "status": Counter(),
    "operations": set(),
}


def error_body(ctx, response, case):
    """A 4xx is the JSON error of the API: {code, message, fields} with a Chinese message."""
    if not 400 <= response.status_code < 500 or is_unexpected_http_status_case(case):
        return None  # a request-shape probe (an undocumented method) is answered by Django
    body = json.loads(response.content)
    assert set(body) == {"code", "message", "fields"}, f"错误响应结构不对：{body}"
    assert isinstance(body["code"], str) and body["code"], body
    assert isinstance(body["message"], str) and CJK.search(body["message"]), body
    assert isinstance(body["fields"], dict), body
    assert all(isinstance(v, str) for v in body["fields"].values()), body
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    error_body,
]


def _with_examples(raw: dict, ids: dict) -> dict:
    """Real ids as examples of the path parameters, so the examples phase reaches real rows
    and not only 404s (the coverage and fuzzing phases still make up their own)."""
    for operations in raw["paths"].values():
        for operation in operations.values():
            for param in operation.get("parameters", []):
                known = ids if param["in"] == "path" else QUERY_EXAMPLES
                if known.get(param["name"]):
                    param["schema"]["examples"] = list(known[param["name"]])
    return raw


def _config(world) -> SchemathesisConfig:
    """Fuzz dictionaries: the fuzzing phase mixes real ids and values into path parameters and
    body fields, so generated requests get past "not found" into the handlers' own checks."""
    known = {f"path.{k}": v for k, v in world["ids"].items() if v}
    known |= {f"body.{k}": v for k, v in world["body"].items()}
    dictionaries = {key: {"values": list(values)} for key, values in known.items()}
    dictionaries["hostile"] = {"values": HOSTILE}
    parameters = {key: {"dictionary": key, "probability": REAL} for key in known}
    return SchemathesisConfig.from_dict(
        {**CONFIG, "dictionaries": dictionaries, "parameters": parameters}
    )


def contexts_for(case) -> list:
    if is_unexpected_http_status_case(case):
        return [None]
    if case.meta is not None and case.meta.phase.name == TestPhase.EXAMPLES:
        return CONTEXTS
    content = repr((case.path_parameters, case.query, case.body, case.headers)).encode()
    return [CONTEXTS[zlib.crc32(content) % len(CONTEXTS)]]


@pytest.fixture
def world(mini_catalog, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return fuzz_world.build()


@pytest.fixture
def tokens(world):
    from onething.accounts import services

    return {role: services.token_create(user=user) for role, user in world["people"].items()}


@pytest.fixture
def api_schema(request, world, tokens):
    # schemathesis 4.32.5's lazy loader renames subtests through Node._nodeid, which pytest 9.2
    # no longer has (it keeps the id in Node._id); give it the attribute it reads.
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid
    raw = _with_examples(Client().get("/api/openapi.json").json(), world["ids"])
    schema = schemathesis.openapi.from_dict(raw, config=_config(world))
    schema.app = WSGIHandler()
    # As django.test.Client does: keep the test transaction's connection open across requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    # Every 4xx is logged as a warning; keep the server errors only.
    loggers = [logging.getLogger(name) for name in ("django.request", "django.security.csrf")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    started, cpu = time.monotonic(), time.process_time()
    yield schema
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    _summary(request.config, time.monotonic() - started, time.process_time() - cpu)


def _summary(config, seconds: float, cpu: float) -> None:
    out = {
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "operations": len(STATS["operations"]),
        "auth_contexts": len(CONTEXTS),
        "cases": STATS["cases"],
        "requests": STATS["requests"],
        "unsendable": STATS["unsendable"],
        "server_errors": sum(n for code, n in STATS["status"].items() if code >= 500),
        "phases": dict(STATS["phases"]),
        "status": {str(k): v for k, v in sorted(STATS["status"].items())},
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu, 1),  # about the wall time on an idle machine
    }
    # One file for both runs of the suite (SQLite, then PostgreSQL), keyed by database.
    path = settings.VAR_DIR / "fuzz-summary.json"
    runs = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    runs[out["database"]] = out
    path.write_text(json.dumps(runs, ensure_ascii=False, indent=2), encoding="utf-8")
    capture = config.pluginmanager.get_plugin("capturemanager")
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if capture is not None and reporter is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\nAPI fuzz: {json.dumps(out, ensure_ascii=False)}")


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.django_db
@schema.parametrize()
@hypothesis_settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors_and_responses_match_the_schema(case, tokens):
    STATS["cases"] += 1
    STATS["operations"].add(case.operation.label)
    STATS["phases"][case.meta.phase.name.value if case.meta else "other"] += 1
    for role in contexts_for(case):
        if role is None:
            (case.headers or {}).pop("Authorization", None)
        headers = {"Authorization": f"Bearer {tokens[role]}"} if role else {}
        try:
            response = case.call(headers=headers)
        except requests.exceptions.InvalidHeader:
            # A header value no HTTP client sends (leading blanks, CR/LF): it never reaches us.
            STATS["unsendable"] += 1
            continue
        STATS["requests"] += 1
        STATS["status"][response.status_code] += 1
        case.validate_response(response, checks=CHECKS)


def test_api_schema_names_are_unique(db):
    """Two schemas with one name share one OpenAPI component: one operation is then described
    with the other's fields (as cases' and registry's VerifyOut once were)."""
    from ninja import Schema

    import onething.api  # noqa: F401  (mounts every router, importing every schema)

    modules: dict[str, set[str]] = {}
    stack = [Schema]
    while stack:
        for cls in stack.pop().__subclasses__():
            stack.append(cls)
            if cls.__module__.startswith("onething."):
                modules.setdefault(cls.__name__, set()).add(cls.__module__)
    assert {name: found for name, found in modules.items() if len(found) > 1} == {}
