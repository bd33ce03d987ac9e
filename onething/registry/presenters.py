"""Plain dicts for the API, pages and downloads, with ID numbers masked.

Licence faces carry personal numbers (公民身份号码, a driving licence's 证号, phones): lists and
pages show them masked; ``full=True`` is for a viewer who asked to see them, and the caller then
records a sensitive read (``audit_full_view``).
"""

from django.conf import settings
from django.urls import reverse

from onething.catalog.models import LicenseType
from onething.common import audit
from onething.common.security import mask_phone
from onething.common.validators import is_personal_number, mask_id

from . import sealing
from .models import License


def verify_url(identifier: str) -> str:
    return settings.ONETHING_PUBLIC_BASE_URL.rstrip("/") + reverse(
        "registry:verify", args=[identifier]
    )


def holder_label(lic: License) -> str:
    return f"{lic.holder_name}（{lic.masked_holder_number}）"


def license_row(lic: License) -> dict:
    return {
        "identifier": lic.identifier,
        "license_type": lic.license_type_id,
        "license_type_name": lic.license_type.name,
        "holder_kind": lic.holder_kind,
        "holder": holder_label(lic),
        "department": lic.department.name,
        "issued_on": lic.issued_on,
        "valid_until": lic.valid_until,
        "status": lic.current_status,
        "status_label": lic.get_status_display(),
        "sealed": lic.is_sealed,
        "data": face_data(lic),
        "case_number": lic.case_number,
    }


def license_detail(lic: License, *, full: bool = False) -> dict:
    return {
        **license_row(lic),
        "data": face_data(lic, full=full),
        "seal": _seal_shown(lic, full=full),
        "verify_url": verify_url(lic.identifier),
    }


def _seal_shown(lic: License, *, full: bool) -> dict:
    # A plain manifest's digest of a masked number gives the number back to a brute force: the
    # masked view leaves it out (a salted manifest hides nothing without the salts).
    seal = sealing.license_seal(lic)
    if not full and lic.manifest and not sealing.is_salted(lic.manifest):
        seal["manifest"] = None
    return seal


def _masked(code: str, value):
    if not is_personal_number(code, value):
        return value
    return mask_phone(value) if code.endswith("phone") else mask_id(value)


def personal_fields(lic: License) -> list[str]:
    return [k for k, v in (lic.data or {}).items() if is_personal_number(k, v)]


def face_data(lic: License, *, full: bool = False) -> dict:
    data = lic.data or {}
    return dict(data) if full else {k: _masked(k, v) for k, v in data.items()}


def face_rows(lic: License, *, full: bool = False, skip=()) -> list[tuple[str, str]]:
    """(label, value) of the face, a stored choice in its words (male → 男); ``skip`` leaves out
    fields the page shows from the record."""
    from onething.catalog import selectors as catalog

    names, face = sealing.face_labels(lic), face_data(lic, full=full)
    words = catalog.option_labels(face)
    return [
        (names.get(k, k), words.get(k, {}).get(v, v) if isinstance(v, str) else v)
        for k, v in face.items()
        if k not in skip
    ]


def audit_full_view(user, lic: License, *, what: str = "license.face") -> None:
    """Record that ``user`` was shown this licence's personal numbers in full."""
    fields = sorted(personal_fields(lic)) + (["holder_number"] if lic.person_id else [])
    if fields:
        audit.sensitive_read(actor=user, object=lic, what=what, fields=fields)


def signed_document(lic: License) -> dict:
    """The downloadable signed JSON: the canonical record and its seal. A salted seal
    (onething.license/2) brings its salts, without which nobody could check the fields; a
    licence still sealed over plain digests is downloaded as before (onething.license/1)."""
    salted = sealing.is_salted(lic.manifest)
    doc = {
        "format": sealing.SALTED_FORMAT if salted else sealing.FORMAT,
        "license": sealing.record(lic),
        "license_type_name": lic.license_type.name,
        "department_name": lic.department.name,
        "seal": sealing.license_seal(lic),
        "verify_url": verify_url(lic.identifier),
    }
    if salted:
        doc["salts"] = lic.salts
    return doc


def verdict_row(identifier: str, lic: License | None, verdict) -> dict:
    out = {
        "identifier": identifier,
        "valid": verdict.valid,
        "seal_valid": verdict.seal_valid,
        "reasons": verdict.reasons,
        "status": lic.current_status if lic else None,
        "status_label": lic.get_status_display() if lic else None,
    }
    if lic is not None:
        out.update(
            license_type_name=lic.license_type.name,
            holder=holder_label(lic),
            department=lic.department.name,
            issued_on=lic.issued_on,
            valid_until=lic.valid_until,
        )
    return out


def usage_rows(records) -> list[dict]:
    """The usage log as a holder reads it: licences by name and number, data items by name (the
    rows keep licence identifiers and field codes or registry paths)."""
    from onething.catalog import selectors as catalog

    from . import services

    records = list(records)
    identifiers = {i for r in records for i in r.licenses or []}
    names = dict(
        License.objects.filter(identifier__in=identifiers).values_list(
            "identifier", "license_type__name"
        )
    )
    paths = {f for r in records for f in r.fields or []}
    elements = catalog.element_names(f for f in paths if "." not in f)
    types = LicenseType.objects.in_bulk(
        {f.split(".")[1] for f in paths if f.startswith("license.")}
    )

    def field(f: str) -> str:
        return services.source_label(f, types) if "." in f else elements.get(f, f)

    return [
        {
            "record": r,
            "licenses": [f"{names.get(i, '电子证照')} {i}" for i in r.licenses or []],
            "fields": [field(f) for f in r.fields or []],
        }
        for r in records
    ]
