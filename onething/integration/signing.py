"""Standard Webhooks signatures (HMAC-SHA256) over CloudEvents 1.0 structured JSON.

Signed content is ``{webhook-id}.{webhook-timestamp}.{body}``; the signature header is a
space-separated list of ``v1,<base64>`` so that a key can be rotated without downtime.
Secrets are ``whsec_`` + base64 of the key bytes (the prefix may be left off, as the
specification's libraries allow).
The module has no Django imports: the reference department system uses it too.
"""

import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid
from datetime import UTC, datetime

CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"
PREFIX = "whsec_"


class SignatureError(ValueError):
    """The message is not signed by the expected key, or not within the time window."""

    def __init__(self, message: str, field: str = "webhook-signature"):
        super().__init__(message)
        self.message, self.field = message, field


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(PREFIX))


def signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: str, msg_id: str, body: bytes, timestamp: int | None = None) -> dict:
    ts = int(time.time()) if timestamp is None else timestamp
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(ts),
        "webhook-signature": signature(secret, msg_id, ts, body),
        "content-type": CONTENT_TYPE,
    }


def verify(
    secrets_: list[str], hdrs, body: bytes, *, tolerance: int, now: float | None = None
) -> str:
    """Return the webhook-id when one of the signatures matches one of the secrets."""
    get = hdrs.get
    msg_id, ts, sigs = get("webhook-id"), get("webhook-timestamp"), get("webhook-signature")
    if not (msg_id and ts and sigs):
        raise SignatureError("缺少签名请求头 webhook-id、webhook-timestamp 或 webhook-signature")
    try:
        stamp = int(ts)
    except ValueError:
        raise SignatureError("webhook-timestamp 应为秒级时间戳", "webhook-timestamp") from None
    if abs((time.time() if now is None else now) - stamp) > tolerance:
        raise SignatureError("签名时间超出允许范围（可能是重放）", "webhook-timestamp")
    given = {s.split(",", 1)[1] for s in sigs.split() if s.startswith("v1,")}
    for secret in secrets_:
        expected = signature(secret, msg_id, stamp, body).split(",", 1)[1]
        if any(hmac.compare_digest(expected, g) for g in given):
            return msg_id
    raise SignatureError("签名验证失败")


def cloudevent(*, type_: str, source: str, subject: str, data: dict, id_: str = "") -> dict:
    return {
        "specversion": "1.0",
        "id": id_ or str(uuid.uuid4()),
        "source": source,
        "type": type_,
        "subject": subject,
        "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "datacontenttype": "application/json",
        "data": data,
    }


def encode(event: dict) -> bytes:
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
