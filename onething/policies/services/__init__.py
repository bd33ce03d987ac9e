"""Every write of policies, one module a capability; callers keep ``from onething.policies import services``.

- ``library``: policies and their versions
- ``matching``: matching over the registry
- ``runs``: runs
- ``grants``: grant batches, opt-outs and applications
- ``base``: roles
"""

from ..constants import EDITORS
from .base import HEADER, REVIEWERS, require_role
from .grants import (
    batch_approve,
    batch_reject,
    grant_batch_build,
    grant_decline,
    opt_in,
    opt_out,
    policy_apply,
)
from .library import policies_import, policy_save
from .matching import refresh_matches
from .runs import period_of, run_execute, run_start, scheduled_grants

__all__ = [
    "EDITORS",
    "HEADER",
    "REVIEWERS",
    "batch_approve",
    "batch_reject",
    "grant_batch_build",
    "grant_decline",
    "opt_in",
    "opt_out",
    "period_of",
    "policies_import",
    "policy_apply",
    "policy_save",
    "refresh_matches",
    "require_role",
    "run_execute",
    "run_start",
    "scheduled_grants",
]
