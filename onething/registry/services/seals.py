"""Department seals over bytes and licences: signing, verifying, sealing what waits, re-sealing plain manifests."""

import logging

from django.db import transaction

from onething.common.events import record_event

from .. import sealing, selectors
from ..constants import (
    SEAL_BATCH,
)
from ..models import License

log = logging.getLogger(__name__)


def seal(*, department, payload: bytes) -> dict:
    """Seal any document bytes: {"algorithm": "SM2-SM3", "key_id", "digest", "signature"}."""
    return sealing.seal_bytes(department=department, payload=payload)


def seal_verify(*, payload: bytes, seal: dict) -> bool:
    return sealing.seal_bytes_verify(payload=payload, seal=seal or {})


def seal_pending(*, limit: int = SEAL_BATCH) -> int:
    """Seal licences bulk-loaded without a signature (demo data); run by the worker in batches."""
    pending = License.objects.filter(signature="").select_related("department", "license_type")
    sealed = []
    for lic in pending.order_by("id")[:limit]:
        # No transaction around the signing: on SQLite it held the write lock for the whole SM2
        # computation, back to back, and page writes starved past busy_timeout (HTTP 500) while
        # the worker sealed the demo's licences. The seal is written by one UPDATE.
        sealed.append(sealing.seal_license(lic))
    if sealed:  # one event for the batch, an audit row for each licence, in one short write
        with transaction.atomic():
            record_event(
                actor=None,
                verb="licenses.sealed",
                obj=sealed[0],
                objects=sealed[1:],
                fields=["signature"],
                data={"count": len(sealed)},
            )
    return len(sealed)


def reseal_plain(*, limit: int = SEAL_BATCH) -> dict[str, int]:
    """Re-seal licences sealed over plain digests (whose manifest lets anyone with a copy of the
    table brute-force the ID numbers in it) with a salted manifest. Only a seal that still
    verifies is renewed: a licence changed since it was sealed must not get a fresh seal."""
    counts, after = {"resealed": 0, "refused": 0}, 0
    while counts["resealed"] < limit:
        batch = list(selectors.plain_sealed(after=after)[:limit])
        if not batch:
            break
        for lic in batch:
            if counts["resealed"] >= limit:
                break
            counts["resealed" if _reseal(lic) else "refused"] += 1
            after = lic.pk
    return counts


def _reseal(lic: License) -> bool:
    if not sealing.verify_license(lic).seal_valid:
        log.warning("licence %s: plain seal does not verify; not resealed", lic.identifier)
        return False
    with transaction.atomic():
        sealing.seal_license(lic)
        record_event(
            actor=None, verb="license.resealed", obj=lic, data={"format": sealing.SALTED_MANIFEST}
        )
    return True
