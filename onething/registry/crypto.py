"""SM2 / SM3 / SM4, wrapped so the rest of the app never touches the libraries.

SM2 and the key wrapping go through gmssl (pure Python). Standalone SM3 digests (every field of a
seal manifest, document digests, the KEK) go through OpenSSL via ``cryptography``, already used for
SM4: gmssl's SM3 costs about 0.7 ms per 64-byte block, which made a manifest cost ~10 ms and a
salted one, whose entries span two blocks, nearly double that.

Two gmssl pitfalls are avoided here on purpose:
- its default signing nonce comes from ``random.choice`` (not a CSPRNG), so we always pass our own
  nonce drawn from ``secrets``; a predictable SM2 nonce reveals the private key;
- ``CryptSM2.__init__`` does ``public_key.lstrip("04")``, which eats leading "0"/"4" hex digits of
  a key whose X coordinate begins with them, so the public key is assigned after construction.
"""

import secrets

from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from gmssl import sm2, sm4

CURVE = sm2.default_ecc_table
N = int(CURVE["n"], 16)


class KeyDecryptionError(Exception):
    """The key-encryption key does not open this private key (it changed since the key was made)."""


def sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def _signer(private_hex: str, public_hex: str) -> sm2.CryptSM2:
    signer = sm2.CryptSM2(private_key=private_hex, public_key="")
    signer.public_key = public_hex
    return signer


def keypair() -> tuple[str, str]:
    """(private, public) as hex; the public key is X||Y without the 04 prefix."""
    d = secrets.randbelow(N - 2) + 1
    private_hex = f"{d:064x}"
    public_hex = _signer(private_hex, "")._kg(d, CURVE["g"])
    return private_hex, public_hex


def public_of(private_hex: str) -> str:
    return _signer(private_hex, "")._kg(int(private_hex, 16), CURVE["g"])


def sign(message: bytes, *, private_hex: str, public_hex: str) -> str:
    """SM2 signature (r||s hex) over SM3(Z_A || message), with the standard default user ID."""
    signer = _signer(private_hex, public_hex)
    while True:  # gmssl returns None for the rare nonces the standard rejects; draw again
        nonce = f"{secrets.randbelow(N - 1) + 1:064x}"
        if signature := signer.sign_with_sm3(message, nonce):
            return signature


def verify(message: bytes, *, signature: str, public_hex: str) -> bool:
    if len(signature) != 128 or len(public_hex) != 128:
        return False
    try:
        return bool(_signer("", public_hex).verify_with_sm3(signature, message))
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
