"""HTTP to department systems (standard library only: one request at a time per worker).

Every request onething makes is signed with the system's signing key (Standard Webhooks);
status answers must come back signed with the system's secret, or they are ignored.
"""

import json
import logging
import urllib.error
import urllib.request
import uuid

from . import signing
from .constants import TOLERANCE_SECONDS

log = logging.getLogger("onething.integration")


def post_event(system, event: dict, *, msg_id: str, timeout: float) -> str:
    """POST one CloudEvent; '' when the system answered 2xx, else what went wrong."""
    body = signing.encode(event)
    headers = signing.headers(system.signing_key, msg_id, body)
    if system.token:
        headers["authorization"] = f"Bearer {system.token}"
    req = urllib.request.Request(
        system.base_url.rstrip("/") + "/events", data=body, headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            resp.read()
            return ""
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}: {exc.read()[:200].decode(errors='replace')}"
    except (OSError, ValueError) as exc:  # refused, reset, timed out, DNS
        return f"{type(exc).__name__}: {exc}"


def _signed_get(system, path: str, timeout: float) -> dict | None:
    """GET a JSON document; {} for 404; None when unreachable or not signed by the system."""
    msg_id = uuid.uuid4().hex
    headers = signing.headers(system.signing_key, msg_id, f"GET {path}".encode())
    headers.pop("content-type")
    if system.token:
        headers["authorization"] = f"Bearer {system.token}"
    req = urllib.request.Request(system.base_url.rstrip("/") + path, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body, answer = resp.read(), resp.headers
            signing.verify([system.secret], answer, body, tolerance=TOLERANCE_SECONDS)
            return json.loads(body)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return {}  # reachable, and it does not know the task
        log.warning("status query to %s failed: HTTP %s", system.code, exc.code)
    except signing.SignatureError as exc:
        log.warning("status answer of %s not trusted: %s", system.code, exc.message)
    except (OSError, ValueError) as exc:
        log.warning("status query to %s failed: %s", system.code, exc)
    return None


def get_status(system, ref, *, timeout: float) -> dict | None:
    return _signed_get(system, f"/tasks/{ref}", timeout)


def get_open(system, *, timeout: float) -> dict | None:
    return _signed_get(system, "/tasks?state=open", timeout)
