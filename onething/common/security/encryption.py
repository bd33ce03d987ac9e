"""Personal information at rest: PII keys, SM4 encryption and keyed blind indexes."""

import base64
import hashlib
import hmac
import json
import threading
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

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


# ---- encrypted JSON documents ----------------------------------------------------------------


def json_ciphertext(value, *, encoder=None) -> str:
    """The stored form of a JSON document: compact, UTF-8 (fewer bytes to encrypt than \\u escapes)."""
    return encrypt(json.dumps(value, cls=encoder, ensure_ascii=False, separators=(",", ":")))
