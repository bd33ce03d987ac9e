"""Writes for the registries and the licence library; the calls other apps make (用证、用数).

One module a capability; callers keep ``from onething.registry import services``.

- ``subjects``: person and entity records
- ``seals``: department seals
- ``licences``: issuing and revoking licences
- ``usage``: prefill, exemptions and the usage log
- ``consent``: holder codes and consents
- ``expiry``: expiry, reminders and seal jobs
"""

from .consent import HOLDER_CODE_SALT, consent_grant, holder_code, holder_from_code
from .expiry import expiry_reminders, licenses_expire, renewal_link, seal_jobs_enqueue
from .licences import (
    by_type,
    exemptions,
    exemptions_from,
    license_issue,
    license_revoke,
    next_serial,
    prefill,
    prefill_from,
    source_label,
    usage_record,
    valid_until,
)
from .seals import log, reseal_plain, seal, seal_pending, seal_verify
from .subjects import entity_create, person_create
from .usage import SPOUSE_PREFIX

__all__ = [
    "HOLDER_CODE_SALT",
    "SPOUSE_PREFIX",
    "by_type",
    "consent_grant",
    "entity_create",
    "exemptions",
    "exemptions_from",
    "expiry_reminders",
    "holder_code",
    "holder_from_code",
    "license_issue",
    "license_revoke",
    "licenses_expire",
    "log",
    "next_serial",
    "person_create",
    "prefill",
    "prefill_from",
    "renewal_link",
    "reseal_plain",
    "seal",
    "seal_jobs_enqueue",
    "seal_pending",
    "seal_verify",
    "source_label",
    "usage_record",
    "valid_until",
]
