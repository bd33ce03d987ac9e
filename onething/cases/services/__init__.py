"""Every write of cases, one module a capability; callers keep ``from onething.cases import services``.

Each public function runs in one transaction, appends events to the case's timeline and
queues notifications in the same transaction (they leave through the outbox after commit).

- ``drafts``: uploads and drafts
- ``preparation``: reading what a submission needs (no writes)
- ``submission``: the idempotent submission that creates the case
- ``acceptance``: the window's decision
- ``tasks``: the departments' parallel tasks and completing the case
- ``licences``: the licence an approval issues, and the registration an existing enterprise skips
- ``supplements``: the applicant's supplement that resumes paused tasks
- ``commitments``: 告知承诺 fulfilment, reminders and breaches
- ``deadlines``: deadline warnings
- ``base``: the timeline event, notices and today's date they all share
"""

from .acceptance import case_accept, case_consent_scope, has_breach
from .base import REVIEWER_ROLES
from .commitments import commitment_fulfil, commitments_breach, commitments_remind
from .deadlines import deadline_warnings, warning_level
from .drafts import draft_body, draft_discard, draft_save, draft_submit, upload_create
from .submission import IDEMPOTENCY_KEY_MAX, case_submit, request_hash, summary
from .supplements import case_supplement
from .tasks import department_for_item, task_decide, task_decide_by_system, task_note_by_system

__all__ = [
    "IDEMPOTENCY_KEY_MAX",
    "REVIEWER_ROLES",
    "case_accept",
    "case_consent_scope",
    "case_submit",
    "case_supplement",
    "commitment_fulfil",
    "commitments_breach",
    "commitments_remind",
    "deadline_warnings",
    "department_for_item",
    "draft_body",
    "draft_discard",
    "draft_save",
    "draft_submit",
    "has_breach",
    "request_hash",
    "summary",
    "task_decide",
    "task_decide_by_system",
    "task_note_by_system",
    "upload_create",
    "warning_level",
]
