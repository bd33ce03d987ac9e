"""SM2 / SM3 / SM4, wrapped so the rest of the app never touches the libraries.

Verification and the key wrapping go through gmssl (pure Python). Every SM3 digest goes through
OpenSSL via ``cryptography``, already used for SM4: gmssl's SM3 costs about 0.7 ms per 64-byte
block, which made a manifest cost ~10 ms.

Signing (and key generation) computes k·G here, with a fixed-base table of G's multiples
(64 windows × 15 points, built once per process): 64 mixed Jacobian additions and one inversion
instead of gmssl's double-and-add over hex strings, about 0.4 ms instead of 7 ms, which is what
makes sealing the demo's 20,918 licences a matter of seconds. It is checked against the
GM/T 0003.5 example, against gmssl's ``sign_with_sm3`` for the same nonce, and every signature
verifies with gmssl's independent code. Like gmssl it is not constant-time (nor is Python).

Two gmssl pitfalls are avoided here on purpose:
- its default signing nonce comes from ``random.choice`` (not a CSPRNG), so we always pass our own
  nonce drawn from ``secrets``; a predictable SM2 nonce reveals the private key;
- ``CryptSM2.__init__`` does ``public_key.lstrip("04")``, which eats leading "0"/"4" hex digits of
  a key whose X coordinate begins with them, so the public key is assigned after construction.
"""

import functools
import secrets

from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from gmssl import sm2, sm4

CURVE = sm2.default_ecc_table
N = int(CURVE["n"], 16)
P = int(CURVE["p"], 16)
G = (int(CURVE["g"][:64], 16), int(CURVE["g"][64:], 16))
WINDOW = 4  # bits per table window
DEFAULT_ID = b"1234567812345678"  # GM/T 0009's default signer ID, as gmssl uses
_Z_PREFIX = (
    len(DEFAULT_ID * 8).to_bytes(2, "big")
    + DEFAULT_ID
    + bytes.fromhex(CURVE["a"] + CURVE["b"] + CURVE["g"])
)


class KeyDecryptionError(Exception):
    """The key-encryption key does not open this private key (it changed since the key was made)."""


def sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


@functools.lru_cache(maxsize=4096)
def _z(public_hex: str) -> bytes:
    """Z_A = SM3(ENTL || ID || a || b || xG || yG || xA || yA), one per key."""
    return bytes.fromhex(sm3_hex(_Z_PREFIX + bytes.fromhex(public_hex)))


def digest_to_sign(message: bytes, public_hex: str) -> bytes:
    """e = SM3(Z_A || M), what SM2 signs (GB/T 32918.2, 6.1)."""
    return bytes.fromhex(sm3_hex(_z(public_hex) + message))


def _signer(private_hex: str, public_hex: str) -> sm2.CryptSM2:
    signer = sm2.CryptSM2(private_key=private_hex, public_key="")
    signer.public_key = public_hex
    return signer


# ---- k·G with a fixed-base table -------------------------------------------------------------


def _affine_add(p1, p2):
    if p1 is None:
        return p2
    (x1, y1), (x2, y2) = p1, p2
    if x1 == x2:
        if (y1 + y2) % P == 0:
            return None
        slope = (3 * x1 * x1 + int(CURVE["a"], 16)) * pow(2 * y1, -1, P) % P
    else:
        slope = (y2 - y1) * pow(x2 - x1, -1, P) % P
    x3 = (slope * slope - x1 - x2) % P
    return x3, (slope * (x1 - x3) - y1) % P


@functools.cache
def _table() -> list[list]:
    """_table()[i][j] = j · 2^(4i) · G (affine; None for j = 0)."""
    rows, base = [], G
    for _ in range(256 // WINDOW):
        row = [None]
        for _ in range((1 << WINDOW) - 1):
            row.append(_affine_add(row[-1], base))
        rows.append(row)
        base = _affine_add(row[-1], base)  # 16 · base
    return rows


def _madd(acc, point):
    """Jacobian acc + affine point (add-2007-bl, Z2 = 1)."""
    if acc is None:
        return (point[0], point[1], 1)
    x1, y1, z1 = acc
    x2, y2 = point
    zz = z1 * z1 % P
    h = (x2 * zz - x1) % P
    r = (y2 * z1 * zz - y1) % P
    if h == 0:  # the same x: only with k ≥ n or a degenerate nonce, which callers never pass
        raise ValueError("degenerate scalar")
    hh = h * h % P
    hhh = h * hh % P
    v = x1 * hh % P
    x3 = (r * r - hhh - 2 * v) % P
    return x3, (r * (v - x3) - y1 * hhh) % P, z1 * h % P


def base_multiply(k: int) -> tuple[int, int]:
    """k·G for 0 < k < n, affine."""
    acc, mask = None, (1 << WINDOW) - 1
    for i, row in enumerate(_table()):
        if digit := (k >> (WINDOW * i)) & mask:
            acc = _madd(acc, row[digit])
    x, y, z = acc
    zi = pow(z, -1, P)
    zi2 = zi * zi % P
    return x * zi2 % P, y * zi2 * zi % P


def _public_hex(d: int) -> str:
    x, y = base_multiply(d)
    return f"{x:064x}{y:064x}"


def keypair() -> tuple[str, str]:
    """(private, public) as hex; the public key is X||Y without the 04 prefix."""
    d = secrets.randbelow(N - 2) + 1
    return f"{d:064x}", _public_hex(d)


def public_of(private_hex: str) -> str:
    return _public_hex(int(private_hex, 16))


def sign_digest(e: bytes, *, private_hex: str, nonce: int) -> str | None:
    """GB/T 32918.2 6.1 steps A3–A7 for a given nonce; None when the standard rejects it."""
    d, k = int(private_hex, 16), nonce
    r = (int.from_bytes(e, "big") + base_multiply(k)[0]) % N
    if r == 0 or r + k == N:
        return None
    s = pow(1 + d, -1, N) * (k - r * d) % N
    return None if s == 0 else f"{r:064x}{s:064x}"


def sign(message: bytes, *, private_hex: str, public_hex: str) -> str:
    """SM2 signature (r||s hex) over SM3(Z_A || message), with the standard default user ID."""
    e = digest_to_sign(message, public_hex)
    while True:  # the rare nonces the standard rejects: draw again
        nonce = secrets.randbelow(N - 1) + 1
        if signature := sign_digest(e, private_hex=private_hex, nonce=nonce):
            return signature


def verify(message: bytes, *, signature: str, public_hex: str) -> bool:
    if len(signature) != 128 or len(public_hex) != 128:
        return False
    try:
        return bool(_signer("", public_hex).verify(signature, digest_to_sign(message, public_hex)))
    except (ValueError, TypeError):
        return False


# ---- private keys at rest ------------------------------------------------------------------


def key_encryption_key() -> bytes:
    """16 bytes for SM4: from ONETHING_KEY_ENCRYPTION_KEY, or (demo mode only) from SECRET_KEY."""
    configured = settings.ONETHING_KEY_ENCRYPTION_KEY
    if not configured:
        if not settings.DEMO_MODE:
            raise ImproperlyConfigured(
                "生产环境必须设置 ONETHING_KEY_ENCRYPTION_KEY（部门印章私钥加密密钥）"
            )
        configured = "onething-demo-kek:" + settings.SECRET_KEY
    return bytes.fromhex(sm3_hex(configured.encode()))[:16]


def wrap(private_hex: str) -> str:
    """SM4-CBC with a fresh IV; stored as iv||ciphertext hex, never the clear key."""
    iv = secrets.token_bytes(16)
    cipher = sm4.CryptSM4()
    cipher.set_key(key_encryption_key(), sm4.SM4_ENCRYPT)
    return (iv + cipher.crypt_cbc(iv, bytes.fromhex(private_hex))).hex()


def unwrap(blob_hex: str, *, public_hex: str) -> str:
    """Decrypt and prove the result is the private half of ``public_hex`` (CBC has no MAC)."""
    blob = bytes.fromhex(blob_hex)
    cipher = sm4.CryptSM4()
    cipher.set_key(key_encryption_key(), sm4.SM4_DECRYPT)
    try:
        private_hex = cipher.crypt_cbc(blob[:16], blob[16:]).hex()
    except (IndexError, ValueError) as exc:
        raise KeyDecryptionError("私钥无法解密") from exc
    if len(private_hex) != 64 or public_of(private_hex) != public_hex:
        raise KeyDecryptionError("私钥与公钥不匹配：密钥加密密钥可能已变更")
    return private_hex
