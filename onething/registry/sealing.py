"""Department seals: key custody, the canonical licence record, signing and verification.

A licence is sealed over a *manifest*: one SM3 digest per field of its canonical record
(``data.<field>`` for each field of the licence face). The manifest, serialised canonically
(sorted keys, no spaces, UTF-8), is what SM2 signs; its SM3 digest is shown as the licence digest.
Verification recomputes the manifest from the record as it is now, so a change is reported by
field ("有效期至在签章后被改动"), and then checks the signature over the signed manifest.

Two manifest formats, both verified:

- plain (licences sealed before salting): ``{name: SM3(canonical(value))}``. An ID number has
  too few possible values for that to hide it: its digest can be brute-forced.
- salted, ``onething.manifest/2`` (every new seal, in the spirit of SD-JWT disclosures):
  ``{"_format": "onething.manifest/2", name: SM3(canonical([salt, name, value]))}`` with a
  random 128-bit salt per field. The salts are kept encrypted with the licence
  (``License.salts``) and travel only inside the signed download (``onething.license/2``),
  which holds the values in full anyway.
"""

import json
import logging
import secrets
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from onething.common.events import record_event
from onething.common.security import mask_numbers_in_text

from . import crypto, identifiers
from .constants import LicenseStatus
from .models import License, SealKey

log = logging.getLogger(__name__)
ALGORITHM = "SM2-SM3"
FORMAT = "onething.license/1"  # signed JSON of a plain-digest seal
SALTED_FORMAT = "onething.license/2"  # signed JSON of a salted seal: carries "salts"
FORMATS = (FORMAT, SALTED_FORMAT)
SALTED_MANIFEST = "onething.manifest/2"
FORMAT_KEY = "_format"  # no record field starts with "_", face fields are all "data.…"
RECORD_LABELS = {
    "identifier": "证照标识",
    "license_type": "证照类型",
    "holder_kind": "持证主体类型",
    "holder_name": "持证主体名称",
    "holder_number": "持证主体证件号码",
    "department": "发证部门",
    "serial": "流水号",
    "version": "版本号",
    "issued_on": "发证日期",
    "valid_until": "有效期至",
    "case_number": "办件编号",
    FORMAT_KEY: "签章格式",
}
_PRIVATE: dict[str, str] = {}  # key_id → private key hex, decrypted once per process


def canonical(value) -> bytes:
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    ).encode()


# ---- keys ------------------------------------------------------------------------------------


def department_key(department) -> SealKey:
    """The department's active key, created on first use (its private half encrypted with SM4)."""
    key = SealKey.objects.filter(department=department, active=True).order_by("-id").first()
    return key or _new_key(department)


def _new_key(department) -> SealKey:
    private_hex, public_hex = crypto.keypair()
    number = SealKey.objects.filter(department=department).count() + 1
    try:
        with transaction.atomic():
            key = SealKey.objects.create(
                key_id=f"{department.code}#{number}",
                department=department,
                public_key=public_hex,
                private_key_encrypted=crypto.wrap(private_hex),
            )
            record_event(actor=None, verb="registry.seal_key_created", obj=key)
    except IntegrityError:  # another process made it first; use theirs
        return SealKey.objects.get(department=department, key_id=f"{department.code}#{number}")
    _PRIVATE[key.key_id] = private_hex
    return key


def _private(key: SealKey) -> str:
    if key.key_id not in _PRIVATE:
        _PRIVATE[key.key_id] = crypto.unwrap(key.private_key_encrypted, public_hex=key.public_key)
    return _PRIVATE[key.key_id]


def signing_key(department) -> tuple[SealKey, str]:
    """(key, private hex). In demo mode a key the current KEK cannot open is retired, not fatal:
    SECRET_KEY is per checkout there, and old signatures still verify with the public half."""
    key = department_key(department)
    try:
        return key, _private(key)
    except crypto.KeyDecryptionError:
        if not settings.DEMO_MODE:
            raise
        log.warning("seal key %s cannot be decrypted with the current KEK; rotating", key.key_id)
        SealKey.objects.filter(pk=key.pk).update(active=False)
        key = _new_key(department)
        return key, _PRIVATE[key.key_id]


def seal_bytes(*, department, payload: bytes) -> dict:
    key, private_hex = signing_key(department)
    return {
        "algorithm": ALGORITHM,
        "key_id": key.key_id,
        "digest": crypto.sm3_hex(payload),
        "signature": crypto.sign(payload, private_hex=private_hex, public_hex=key.public_key),
    }


def seal_bytes_verify(*, payload: bytes, seal: dict) -> bool:
    key = SealKey.objects.filter(key_id=seal.get("key_id", "")).first()
    if (
        key is None
        or seal.get("algorithm") != ALGORITHM
        or seal.get("digest") != crypto.sm3_hex(payload)
    ):
        return False
    return crypto.verify(payload, signature=seal.get("signature", ""), public_hex=key.public_key)


# ---- licences --------------------------------------------------------------------------------


def record(lic: License) -> dict:
    """The canonical licence record: what the seal covers (status changes over time, so not it)."""
    return {
        "identifier": lic.identifier,
        "license_type": lic.license_type_id,
        "holder_kind": lic.holder_kind,
        "holder_name": lic.holder_name,
        "holder_number": lic.holder_number,
        "department": lic.department.code,
        "serial": lic.serial,
        "version": lic.version,
        "issued_on": _iso(lic.issued_on),
        "valid_until": _iso(lic.valid_until),
        "case_number": lic.case_number,
        "data": lic.data,
    }


def _iso(value) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


def entries(rec: dict) -> dict:
    """Manifest name → value: the record's fields, and ``data.<field>`` for each face field."""
    out = {k: v for k, v in rec.items() if k != "data"}
    out.update({f"data.{k}": v for k, v in (rec.get("data") or {}).items()})
    return out


def manifest(rec: dict, salts: dict | None = None) -> dict[str, str]:
    """The plain manifest without ``salts``; the salted one (onething.manifest/2) with them."""
    if salts is None:
        return {k: crypto.sm3_hex(canonical(v)) for k, v in entries(rec).items()}
    # A field without a salt gets "", which no signed digest equals: it is reported as changed.
    digests = {
        k: salted_digest(salts[k], k, v) if k in salts else "" for k, v in entries(rec).items()
    }
    return {FORMAT_KEY: SALTED_MANIFEST, **digests}


def salted_digest(salt, name: str, value) -> str:
    # A JSON array keeps salt, name and value apart: no two triples serialise alike.
    return crypto.sm3_hex(canonical([salt, name, value]))


def new_salts(rec: dict) -> dict[str, str]:
    return {name: secrets.token_urlsafe(16) for name in entries(rec)}


def is_salted(signed) -> bool:
    return isinstance(signed, dict) and signed.get(FORMAT_KEY) == SALTED_MANIFEST


def seal_license(lic: License) -> License:
    """Sign one licence over a salted manifest, fresh salts each time (about 15 ms of SM2/SM3)."""
    key, private_hex = signing_key(lic.department)
    rec = record(lic)
    lic.salts = new_salts(rec)
    signed = manifest(rec, lic.salts)
    payload = canonical(signed)
    lic.seal_key, lic.manifest, lic.digest = key, signed, crypto.sm3_hex(payload)
    lic.signature = crypto.sign(payload, private_hex=private_hex, public_hex=key.public_key)
    lic.signed_at = timezone.now()
    lic.save(update_fields=["seal_key", "manifest", "salts", "digest", "signature", "signed_at"])
    return lic


@dataclass
class Verdict:
    seal_valid: bool = True
    status_valid: bool = True
    reasons: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.seal_valid and self.status_valid

    def seal_fails(self, reason: str) -> "Verdict":
        self.seal_valid = False
        self.reasons.append(reason)
        return self


def check_seal(
    rec: dict,
    seal: dict | None,
    key: SealKey | None,
    *,
    labels: dict[str, str],
    salts: dict | None = None,
) -> Verdict:
    """Does ``seal`` (manifest, digest, signature) cover ``rec`` exactly, under ``key``?
    ``salts`` are needed for a salted manifest and ignored for a plain one."""
    verdict = Verdict()
    if (problem := identifiers.problem(rec.get("identifier", ""))) is not None:
        verdict.seal_fails(problem)
    if not seal or not seal.get("signature"):
        return verdict.seal_fails("证照尚未加盖电子印章（签章排队中），暂不能核验")
    if key is None:
        return verdict.seal_fails("签章密钥未在本平台登记，无法确认发证部门")
    if not key.key_id.startswith(f"{rec.get('department')}#"):
        verdict.seal_fails("签章密钥不属于发证部门")
    signed = seal.get("manifest") or {}
    _compare_fields(verdict, rec, signed, salts, labels)
    payload = canonical(signed)
    if seal.get("digest") != crypto.sm3_hex(payload):
        verdict.seal_fails("签章摘要与签章字段不符：签章信息被改动")
    if not crypto.verify(payload, signature=seal["signature"], public_hex=key.public_key):
        verdict.seal_fails("SM2签名验证失败：签章被伪造或改动")
    return verdict


def _compare_fields(verdict: Verdict, rec: dict, signed: dict, salts, labels) -> None:
    if not is_salted(signed):
        now = manifest(rec)
    elif isinstance(salts, dict):
        now = manifest(rec, salts)
    else:
        verdict.seal_fails("缺少签章字段盐值（salts），无法逐项核验照面信息")
        return
    for name in _changed(now, signed):
        verdict.seal_fails(f"{_label(name, labels)}在签章后被改动")


def _changed(now: dict, signed: dict) -> list[str]:
    return sorted(k for k in now.keys() | signed.keys() if now.get(k) != signed.get(k))


def _label(name: str, labels: dict[str, str]) -> str:
    if name.startswith("data."):
        return f"照面字段“{labels.get(name[5:], name[5:])}”"
    return f"“{RECORD_LABELS.get(name, name)}”"


def face_labels(lic: License) -> dict[str, str]:
    return {f["code"]: f["name"] for f in lic.license_type.fields or []}


def license_seal(lic: License) -> dict:
    return {
        "algorithm": ALGORITHM,
        "key_id": lic.seal_key.key_id if lic.seal_key else "",
        "public_key": lic.seal_key.public_key if lic.seal_key else "",
        "manifest": lic.manifest,
        "digest": lic.digest,
        "signature": lic.signature,
        "signed_at": lic.signed_at.isoformat() if lic.signed_at else None,
    }


def verify_license(lic: License, *, today: date | None = None) -> Verdict:
    verdict = check_seal(
        record(lic), license_seal(lic), lic.seal_key, labels=face_labels(lic), salts=lic.salts
    )
    if (reason := status_problem(lic, today or timezone.localdate())) is not None:
        verdict.status_valid = False
        verdict.reasons.append(reason)
    return verdict


def status_problem(lic: License, today: date) -> str | None:
    if lic.status == LicenseStatus.REVOKED:
        # Shown to anyone holding the licence file or its code: a number typed into the reason
        # (whose ever it is) must not be readable there.
        return f"证照已注销：{mask_numbers_in_text(lic.revoke_reason) or '发证部门已注销'}"
    if lic.status == LicenseStatus.SUPERSEDED:
        newer = lic.superseded_by.identifier if lic.superseded_by else ""
        return f"证照已被新版本替代{('：' + newer) if newer else ''}"
    if lic.status == LicenseStatus.EXPIRED or (lic.valid_until and lic.valid_until < today):
        return f"证照已过期（有效期至{lic.valid_until}）"
    return None


def verify_document(doc: dict) -> Verdict:
    """Verify a downloaded signed-JSON licence (either format) against the registered key."""
    if not isinstance(doc, dict) or doc.get("format") not in FORMATS:
        expected = " 或 ".join(FORMATS)
        return Verdict().seal_fails(f"不是本平台的电子证照文件（format 应为 {expected}）")
    rec, seal = doc.get("license") or {}, doc.get("seal") or {}
    key = SealKey.objects.filter(key_id=seal.get("key_id", "")).first()
    stored = (
        License.objects.select_related("license_type", "superseded_by")
        .filter(identifier=rec.get("identifier", ""))
        .first()
    )
    labels = face_labels(stored) if stored else {}
    salts = doc.get("salts") if doc["format"] == SALTED_FORMAT else None
    verdict = check_seal(rec, seal, key, labels=labels, salts=salts)
    if key is not None and seal.get("public_key") and seal["public_key"] != key.public_key:
        verdict.seal_fails("文件中的公钥与登记的部门公钥不一致")
    if stored is None:
        verdict.status_valid = False
        verdict.reasons.append("证照库中没有该证照")
    elif (reason := status_problem(stored, timezone.localdate())) is not None:
        verdict.status_valid = False
        verdict.reasons.append(reason)
    return verdict
