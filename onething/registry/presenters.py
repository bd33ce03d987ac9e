"""Plain dicts for the API, pages and downloads, with ID numbers masked."""

from django.conf import settings
from django.urls import reverse

from . import sealing
from .constants import LicenseStatus
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
        "status": lic.status,
        "status_label": LicenseStatus(lic.status).label,
        "sealed": lic.is_sealed,
        "data": lic.data,
        "case_number": lic.case_number,
    }


def license_detail(lic: License) -> dict:
    return {
        **license_row(lic),
        "seal": sealing.license_seal(lic),
        "verify_url": verify_url(lic.identifier),
    }


def face_rows(lic: License) -> list[tuple[str, str]]:
    names = sealing.face_labels(lic)
    return [(names.get(k, k), v) for k, v in lic.data.items()]


def signed_document(lic: License) -> dict:
    """The downloadable signed JSON: the canonical record and its seal (onething.license/1)."""
    return {
        "format": sealing.FORMAT,
        "license": sealing.record(lic),
        "license_type_name": lic.license_type.name,
        "department_name": lic.department.name,
        "seal": sealing.license_seal(lic),
        "verify_url": verify_url(lic.identifier),
    }


def verdict_row(identifier: str, lic: License | None, verdict) -> dict:
    out = {
        "identifier": identifier,
        "valid": verdict.valid,
        "seal_valid": verdict.seal_valid,
        "reasons": verdict.reasons,
        "status": lic.status if lic else None,
        "status_label": LicenseStatus(lic.status).label if lic else None,
    }
    if lic is not None:
        out.update(
            license_type_name=lic.license_type.name, holder=holder_label(lic), department=lic.department.name,
            issued_on=lic.issued_on, valid_until=lic.valid_until,
        )  # fmt: skip
    return out
