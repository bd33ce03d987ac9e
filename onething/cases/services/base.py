"""What every write of cases shares: the timeline event, the applicant's and the department's notices, today's date, issued documents.

The other modules call ``base._today()`` through the module so that tests can freeze the date in one place.
"""

import hashlib
from datetime import date

from django.utils import timezone

from onething.accounts.constants import Role
from onething.common.events import record_event
from onething.common.notify import notify

from .. import documents, gateway
from ..constants import (
    DocumentKind,
)
from ..models import (
    Case,
    Commitment,
    Document,
    Supplement,
    Task,
)

REVIEWER_ROLES = {Role.DEPT_REVIEWER, Role.DEPT_ADMIN}


# The rows a case event may name in its data, audited with the case under the same verb.
NAMED_ROWS = {
    "task": Task,
    "document": Document,
    "supplement": Supplement,
    "commitment": Commitment,
}


def _event(case: Case, actor, verb: str, *, objects=(), **data) -> None:
    """The case's timeline event and the audit rows of the write: the case, the task, document,
    supplement or commitment the data names, and ``objects`` (rows written in bulk)."""
    named = [(model, data[key]) for key, model in NAMED_ROWS.items() if data.get(key)]
    record_event(actor=actor, verb=verb, obj=case, data=data, objects=[*named, *objects])


def _tell_applicant(case: Case, title: str, key: str, body: str = "") -> None:
    if case.applicant_id:
        link = f"/cases/{case.number}/"
        notify(
            user=case.applicant,
            title=title,
            body=body,
            link=link,
            dedup_key=f"case:{case.pk}:{key}",
        )


def _tell_department(task: Task, title: str, key: str) -> None:
    from onething.accounts.models import User

    for user in User.objects.filter(
        department=task.department, role__in=REVIEWER_ROLES, is_active=True
    ):
        notify(
            user=user,
            title=title,
            link=f"/cases/{task.case.number}/",
            dedup_key=f"task:{task.pk}:{key}:{user.pk}",
        )


def _today() -> date:
    return timezone.localdate()


def _issue(
    case: Case,
    kind: str,
    department,
    lines: list[str],
    items=(),
    task: Task | None = None,
    title: str = "",
) -> Document:
    title = title or DocumentKind(kind).label
    body = documents.render(
        kind=kind, title=title, case=case, department=department, lines=lines, items=list(items)
    )
    seal = gateway.seal(department=department, payload=body) if department else {}
    doc = Document.objects.create(
        case=case,
        task=task,
        kind=kind,
        title=title,
        department=department,
        pdf=body,
        sha256=hashlib.sha256(body).hexdigest(),
        seal=seal,
    )
    _event(
        case,
        None,
        "case.document_issued",
        document=doc.pk,
        kind=kind,
        title=doc.title,
        sealed=bool(seal),
    )
    return doc


def choice_hint(choices) -> str:
    """The choices as the page names them, with the codes the API takes: 受理（accept）、…"""
    named = [f"{label}（{value}）" for value, label in choices.choices]
    return "、".join(named[:-1]) + "或" + named[-1]
