"""Security plumbing shared by every app, one module a capability; callers keep
``from onething.common.security import …``.

- ``headers``: ``SecurityHeadersMiddleware``: Content Security Policy with a per-request nonce
  (``request.csp_nonce``), Permissions-Policy, COOP/CORP and ``no-store`` for signed-in pages.
- ``context``: ``AuditContextMiddleware``: who and from where, for audit rows written during the
  request; ``client_ip``: the caller's address, trusting only the configured number of proxies.
- ``masking``: ``mask_id_number`` / ``mask_phone``: what screens and logs show instead of the full
  value; ``mask_numbers_in_text`` does the same for ID and mobile numbers typed into free text.
- ``encryption``: ``encrypt`` / ``decrypt`` / ``blind_index``: personal information at rest (SM4,
  keyed by ONETHING_PII_KEY).
- ``fields``: ``EncryptedCharField``, ``EncryptedJSONField`` and ``HashField``, the model fields
  built on them. See docs/security.md for how apps adopt them.
"""

from .context import (
    SYSTEM,
    Actor,
    AuditContextMiddleware,
    actor_from_request,
    client_ip,
    current_actor,
    reset_actor,
    set_actor,
)
from .encryption import (
    PREFIX,
    PIIDecryptionError,
    _sm4_ctr,  # noqa: F401 - tests check it against the library's CTR mode
    blind_index,
    decrypt,
    encrypt,
    is_ciphertext,
    json_ciphertext,
    keyed_digest,
    keys,
)
from .fields import (
    ALLOWED_LOOKUPS,
    Ciphertext,
    EncryptedCharField,
    EncryptedJSONField,
    HashField,
)
from .headers import PERMISSIONS_POLICY, SecurityHeadersMiddleware, csp_header
from .masking import (
    ID_IN_TEXT,
    MOBILE_IN_TEXT,
    holds_numbers,
    mask_email,
    mask_id_number,
    mask_name,
    mask_numbers_in_data,
    mask_numbers_in_text,
    mask_phone,
    masked_timeline,
    typed_text,
)

__all__ = [
    "ALLOWED_LOOKUPS",
    "ID_IN_TEXT",
    "MOBILE_IN_TEXT",
    "PERMISSIONS_POLICY",
    "PREFIX",
    "SYSTEM",
    "Actor",
    "AuditContextMiddleware",
    "Ciphertext",
    "EncryptedCharField",
    "EncryptedJSONField",
    "HashField",
    "PIIDecryptionError",
    "SecurityHeadersMiddleware",
    "actor_from_request",
    "blind_index",
    "client_ip",
    "csp_header",
    "current_actor",
    "decrypt",
    "encrypt",
    "holds_numbers",
    "is_ciphertext",
    "json_ciphertext",
    "keyed_digest",
    "keys",
    "mask_email",
    "mask_id_number",
    "mask_name",
    "mask_numbers_in_data",
    "mask_numbers_in_text",
    "mask_phone",
    "masked_timeline",
    "reset_actor",
    "set_actor",
    "typed_text",
]
