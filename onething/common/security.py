"""Security plumbing shared by every app.

- ``SecurityHeadersMiddleware``: Content Security Policy with a per-request nonce
  (``request.csp_nonce``), Permissions-Policy, COOP/CORP and ``no-store`` for signed-in pages.
- ``AuditContextMiddleware``: who and from where, for audit rows written during the request.
- ``client_ip``: the caller's address, trusting only the configured number of proxies.
- ``mask_id_number`` / ``mask_phone``: what screens and logs show instead of the full value;
  ``mask_numbers_in_text`` does the same for ID and mobile numbers typed into free text.
- ``encrypt`` / ``decrypt`` / ``blind_index`` and ``EncryptedCharField``: personal information
  at rest (SM4, keyed by ONETHING_PII_KEY). See docs/security.md for how apps adopt them.
"""

import base64
import contextvars
import hashlib
import hmac
import json
import re
import secrets
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured, ValidationError
from django.db import models

# ---- request context ------------------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    label: str
    ip: str = ""


SYSTEM = Actor(None, "system")
_actor: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("audit_actor", default=None)


def client_ip(request) -> str:
    """REMOTE_ADDR, or the address the Nth trusted proxy saw (ONETHING_TRUSTED_PROXIES=N)."""
    proxies = getattr(settings, "ONETHING_TRUSTED_PROXIES", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def actor_from_request(request) -> Actor:
    user = getattr(request, "user", None)
    ip = client_ip(request)
    if user is not None and getattr(user, "is_authenticated", False):
        return Actor(user.pk, user.get_username(), ip)
    return Actor(None, "anonymous", ip)


def current_actor() -> Actor:
    return _actor.get() or SYSTEM


def set_actor(actor: Actor | None):
    """Returns a token for ``reset_actor``; CLI commands and jobs may set their own actor."""
    return _actor.set(actor)


def reset_actor(token) -> None:
    _actor.reset(token)


class AuditContextMiddleware:
    """Makes the signed-in user and their address available to audit rows written now.

    The user is resolved lazily, so requests that write nothing never touch the session.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _actor.set(_LazyActor(request))
        try:
            return self.get_response(request)
        finally:
            _actor.reset(token)


class _LazyActor:
    def __init__(self, request):
        self._request = request

    def __getattr__(self, name):
        return getattr(actor_from_request(self._request), name)


# ---- headers --------------------------------------------------------------------------------


def csp_header(nonce: str) -> str:
    directives = {
        "default-src": ["'self'"],
        # No 'unsafe-inline', no 'unsafe-eval': handlers live in static files (onething/site.js).
        "script-src": ["'self'", f"'nonce-{nonce}'"],
        # Inline style attributes are common in templates; style injection cannot run code.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'", *getattr(settings, "ONETHING_CSP_FORM_ACTION", [])],
        "frame-ancestors": ["'none'"],
    }
    if getattr(settings, "SECURE_SSL_REDIRECT", False):
        directives["upgrade-insecure-requests"] = []
    return "; ".join(" ".join([k, *v]) for k, v in directives.items())


PERMISSIONS_POLICY = (
    "camera=(self), microphone=(), geolocation=(), payment=(), usb=(), "
    "interest-cohort=(), browsing-topics=()"
)


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set. Sits right after it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        header = (
            "Content-Security-Policy-Report-Only"
            if getattr(settings, "ONETHING_CSP_REPORT_ONLY", False)
            else "Content-Security-Policy"
        )
        response.headers.setdefault(header, csp_header(request.csp_nonce))
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if _signed_in(request) and "Cache-Control" not in response.headers:
            # Personal data must not linger in the cache of a shared office or library computer.
            response.headers["Cache-Control"] = "no-store"
        return response


def _signed_in(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and getattr(user, "is_authenticated", False))


# ---- masking --------------------------------------------------------------------------------


def mask_id_number(value: str | None) -> str:
    """420102199001011234 → 4201**********1234: region and last four, as on receipts."""
    value = (value or "").strip()
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str:
    """13812345678 → 138****5678."""
    value = (value or "").strip()
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str | None) -> str:
    """张晓明 → 张**; a single character stays (it identifies no one)."""
    value = (value or "").strip()
    return value[:1] + "*" * (len(value) - 1) if len(value) > 1 else value


# People type numbers in full-width digits too (Chinese input methods); both count. A number
# glued to other letters or digits, or to a decimal point, belongs to something else: a 统一社会
# 信用代码, a licence or case number, an amount.
_ALNUM = "0-9A-Za-z０-９Ａ-Ｚａ-ｚ"
_DIGIT = "[0-9０-９]"
_SEP = "[ \\-－]?"
_ALONE_BEFORE = rf"(?<![{_ALNUM}])(?<![0-9０-９][.．])"
_ALONE_AFTER = rf"(?![{_ALNUM}])(?![.．][0-9０-９])"
ID_IN_TEXT = re.compile(rf"{_ALONE_BEFORE}{_DIGIT}{{17}}[0-9０-９XxＸｘ]{_ALONE_AFTER}")
MOBILE_IN_TEXT = re.compile(
    rf"{_ALONE_BEFORE}(?P<prefix>[+＋]?[8８][6６]{_SEP})?"
    rf"(?P<number>[1１][3-9３-９]{_DIGIT}{_SEP}{_DIGIT}{{4}}{_SEP}{_DIGIT}{{4}}){_ALONE_AFTER}"
)


def _ascii_digits(value: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", value) if c.isalnum()).upper()


def _masked_id(match: re.Match) -> str:
    # An 18-digit run is only an ID number when its check digit says so (not an order number).
    # Imported here: common is the base layer, and the GB 11643 check lives with the registry.
    from onething.common.validators import id_number_error

    number = _ascii_digits(match.group())
    return mask_id_number(number) if id_number_error(number) is None else match.group()


def _masked_mobile(match: re.Match) -> str:
    return (match["prefix"] or "") + mask_phone(_ascii_digits(match["number"]))


def mask_numbers_in_text(text: str) -> str:
    """ID numbers (valid check digit) and mainland mobile numbers inside free text, masked as
    elsewhere: "请致电13812345678" → "请致电138****5678". The stored text is never changed."""
    if not text:
        return text
    return MOBILE_IN_TEXT.sub(_masked_mobile, ID_IN_TEXT.sub(_masked_id, text))


def mask_numbers_in_data(value):
    """The same inside a JSON document (event data, a task's result): every string, any depth."""
    if isinstance(value, str):
        return mask_numbers_in_text(value)
    if isinstance(value, dict):
        return {k: mask_numbers_in_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_numbers_in_data(v) for v in value]
    return value


def holds_numbers(value) -> bool:
    """Whether masking changes the value: a full view of it is then a sensitive read."""
    return mask_numbers_in_data(value) != value


def typed_text(value, *, full: bool):
    """What someone typed: as typed for a full view, with its numbers masked otherwise."""
    return value if full else mask_numbers_in_data(value)


def masked_timeline(events: list[dict], *, full: bool = False) -> list[dict]:
    """A timeline's events (``{"verb", "data", …}``) with the numbers in their data masked."""
    return events if full else [{**e, "data": mask_numbers_in_data(e["data"])} for e in events]


# ---- keys -----------------------------------------------------------------------------------


class PIIDecryptionError(Exception):
    """The value does not open with the configured key (ONETHING_PII_KEY changed, or tampering)."""


@lru_cache(maxsize=4)
def _keys(master: str) -> dict[str, bytes]:
    root = hashlib.sha256(master.encode()).digest()

    def sub(label: str, size: int) -> bytes:
        return hmac.new(root, label.encode(), hashlib.sha256).digest()[:size]

    return {"enc": sub("pii-enc-sm4", 16), "mac": sub("pii-siv-mac", 32), "idx": sub("pii-idx", 32)}


def _master_key() -> str:
    configured = getattr(settings, "ONETHING_PII_KEY", "")
    if configured:
        return configured
    if not settings.DEMO_MODE:
        raise ImproperlyConfigured("生产环境必须设置 ONETHING_PII_KEY（个人信息加密密钥）")
    return "onething-demo-pii:" + settings.SECRET_KEY


def keys() -> dict[str, bytes]:
    return _keys(_master_key())


# ---- encryption -----------------------------------------------------------------------------

PREFIX = "sm4s1$"


_ecb = threading.local()  # one SM4 block-cipher context per thread and key


def _sm4_blocks(key: bytes):
    cached = getattr(_ecb, "ctx", None)
    if cached is None or cached[0] != key:
        cached = _ecb.ctx = (key, Cipher(algorithms.SM4(key), modes.ECB()).encryptor())
    return cached[1]


def _sm4_ctr(key: bytes, iv: bytes, data: bytes) -> bytes:
    """SM4-CTR (128-bit big-endian counter, as ``modes.CTR``) over a reused block context:
    building a cipher context per value would dominate bulk loads of millions of rows."""
    start = int.from_bytes(iv, "big")
    counters = b"".join(
        ((start + i) & _MASK128).to_bytes(16, "big") for i in range((len(data) + 15) // 16)
    )
    stream = _sm4_blocks(key).update(counters)[: len(data)]
    mixed = int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")
    return mixed.to_bytes(len(data), "big")


_MASK128 = (1 << 128) - 1


def _mac(key: bytes, data: bytes) -> bytes:
    return hmac.digest(key, data, "sha256")


def encrypt(plain: str) -> str:
    """Deterministic authenticated encryption (SIV construction with SM4-CTR).

    The IV is HMAC-SHA256(plaintext), so equal values give equal ciphertexts: exact-match
    lookups and ``QuerySet.update`` work on the column itself, and the IV doubles as the MAC
    checked on decryption. Only equality leaks, the same as a keyed-hash lookup column.
    """
    k = keys()
    data = plain.encode()
    iv = _mac(k["mac"], data)[:16]
    return PREFIX + base64.urlsafe_b64encode(iv + _sm4_ctr(k["enc"], iv, data)).decode()


def decrypt(token: str) -> str:
    if not is_ciphertext(token):
        raise PIIDecryptionError("不是加密值")
    k = keys()
    try:
        raw = base64.urlsafe_b64decode(token[len(PREFIX) :].encode())
    except (ValueError, TypeError) as exc:
        raise PIIDecryptionError("加密值已损坏") from exc
    iv, body = raw[:16], raw[16:]
    data = _sm4_ctr(k["enc"], iv, body)
    if len(iv) != 16 or not hmac.compare_digest(iv, _mac(k["mac"], data)[:16]):
        raise PIIDecryptionError("个人信息解密失败：密钥可能已变更，或数据被篡改")
    return data.decode()


def is_ciphertext(value) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def blind_index(value: str, *, purpose: str = "") -> str:
    """HMAC-SHA256 hex of a normalised value, for a ``*_hash`` lookup column or an audit row.

    ``purpose`` separates namespaces so the same ID number hashes differently per use.
    """
    normalised = (value or "").strip().upper()
    return _mac(keys()["idx"], f"{purpose}\x00{normalised}".encode()).hex()


def keyed_digest(data: bytes, *, purpose: str) -> str:
    """HMAC-SHA256 hex of exact bytes (no normalising, unlike ``blind_index``): for comparing
    whole documents that hold personal data without keeping a digest anyone could recompute."""
    return _mac(keys()["idx"], purpose.encode() + b"\x00" + data).hex()


class Ciphertext(str):
    """A value already encrypted (read from a backup); stored as-is, never encrypted twice."""


class EncryptedCharField(models.CharField):
    """A CharField whose column holds SM4 ciphertext; Python code sees the plain text.

    ``max_length`` limits the plain text (forms, full_clean); the column is ``text``.
    Exact and ``__in`` lookups work (deterministic encryption); ordering, ranges and
    ``contains`` do not — they would compare ciphertexts. Serialised dumps carry the
    ciphertext, so backups hold no clear personal data.
    """

    description = "Encrypted text"

    def __init__(self, *args, lookup_via: str = "", **kwargs):
        # With a blind index (``lookup_via="id_number_hash"``) every lookup goes through it: an
        # exact match on the unindexed ciphertext column would scan the whole table.
        self.lookup_via = lookup_via
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.lookup_via:
            kwargs["lookup_via"] = self.lookup_via
        return name, path, args, kwargs

    def db_type(self, connection):
        return "text"

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value)

    def to_python(self, value):
        if is_ciphertext(value):
            return Ciphertext(value)
        return super().to_python(value)

    def validate(self, value, model_instance):
        if isinstance(value, Ciphertext):
            raise ValidationError("格式不正确", code="invalid")
        super().validate(value, model_instance)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, "") or isinstance(value, Ciphertext):
            return value
        return encrypt(str(value))

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))

    def get_lookup(self, lookup_name):
        # Other lookups would compare ciphertexts and silently match nothing.
        if lookup_name not in ALLOWED_LOOKUPS:
            raise FieldError(f"加密字段不支持 {lookup_name} 查询，只能精确匹配")
        if self.lookup_via and lookup_name != "isnull":
            raise FieldError(
                f"加密字段 {self.name} 不能直接查询，请改用 {self.lookup_via} 查询（如盲索引）"
            )
        return super().get_lookup(lookup_name)


ALLOWED_LOOKUPS = {"exact", "in", "isnull"}


class HashField(models.CharField):
    """A ``*_hash`` companion: the blind index of another field, filled on every save.

    For a value stored elsewhere (or not at all) that must still be found by exact match::

        id_number_hash = HashField(source="id_number", purpose="person.id")
        Person.objects.filter(id_number_hash=blind_index(x, purpose="person.id"))

    ``QuerySet.update`` and ``bulk_update`` do not call ``pre_save``: set the hash yourself there.
    """

    def __init__(self, *args, source: str = "", purpose: str = "", **kwargs):
        self.source, self.purpose = source, purpose
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, purpose=self.purpose)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        plain = getattr(model_instance, self.source)
        value = blind_index(plain, purpose=self.purpose) if plain else ""
        setattr(model_instance, self.attname, value)
        return value


# ---- encrypted JSON documents ----------------------------------------------------------------


def json_ciphertext(value, *, encoder=None) -> str:
    """The stored form of a JSON document: compact, UTF-8 (fewer bytes to encrypt than \\u escapes)."""
    return encrypt(json.dumps(value, cls=encoder, ensure_ascii=False, separators=(",", ":")))


class EncryptedJSONField(models.JSONField):
    """A JSONField whose column (``text``) holds the whole document as one SM4 ciphertext.

    For documents that carry personal numbers among other values (an application form, the
    applicant's particulars). Python code sees the dict. Nothing can be queried inside the
    document — key transforms and containment would read ciphertext — only ``isnull``: a value
    that must be filtered on needs a column of its own or a blind index. Dumps carry the
    ciphertext, as with ``EncryptedCharField``.
    """

    description = "Encrypted JSON"

    def db_type(self, connection):
        return "text"

    def get_internal_type(self):
        # Not "JSONField": SQLite would add a JSON_VALID check that a ciphertext cannot pass.
        return "TextField"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return json.loads(decrypt(value), cls=self.decoder)

    def to_python(self, value):
        if is_ciphertext(value):
            return Ciphertext(value)
        return super().to_python(value)

    def validate(self, value, model_instance):
        if isinstance(value, Ciphertext):
            raise ValidationError("格式不正确", code="invalid")
        super().validate(value, model_instance)

    def get_db_prep_value(self, value, connection, prepared=False):
        if not prepared:
            value = self.get_prep_value(value)
        if value is None or isinstance(value, Ciphertext) or hasattr(value, "as_sql"):
            return value
        return json_ciphertext(value, encoder=self.encoder)

    def value_to_string(self, obj):
        return self.get_db_prep_value(self.value_from_object(obj), connection=None)

    def get_transform(self, name):
        return None  # no key lookups inside a ciphertext; get_lookup explains the refusal

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            raise FieldError(
                f"加密字段 {self.name} 不能按内容查询（{lookup_name}），需要查询的值请另设列或盲索引"
            )
        return super().get_lookup(lookup_name)


def mask_email(value: str | None) -> str:
    """zhang.san@example.com → z*******@example.com: the domain stays (it routes, not identifies)."""
    local, at, domain = (value or "").strip().partition("@")
    if not at:
        return mask_phone(local)
    return local[:1] + "*" * max(len(local) - 1, 1) + "@" + domain
