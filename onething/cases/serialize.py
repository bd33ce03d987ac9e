"""Cases as plain dicts for the API and the pages, personal numbers masked unless asked for.

Masked are the values the licence pages mask (``gateway.is_personal_number``: any valid 公民身份号码
whatever the field is called, *phone fields), any field named *id_number and any mobile number.
``full=True`` is for a viewer who asked and may (``selectors.may_see_full``); the caller then
records the read with ``audit_full_view`` (field names, never values).

What reviewers type (a task's opinion and result, a return reason, a supplement request, the
event data in the timeline) is shown with ID and mobile numbers masked the same way; ``text_full``
shows it as typed (the case page's audited ``?full=1``, recorded by ``audit_text_view``).
"""

import re

from onething.catalog.blueprint import Blueprint
from onething.common import audit
from onething.common.security import holds_numbers, mask_phone, typed_text
from onething.common.security import masked_timeline as timeline  # noqa: F401 - views and API

from . import gateway, selectors
from .models import Case, Task

MOBILE = re.compile(r"1[3-9]\d{9}")


def _phone_like(code: str, value: str) -> bool:
    return code.endswith("phone") or MOBILE.fullmatch(value) is not None


def is_personal(code: str, value) -> bool:
    if not isinstance(value, str) or not value:
        return False
    return (
        gateway.is_personal_number(code, value)
        or code.endswith("id_number")
        or _phone_like(code, value)
    )


def masked(code: str, value):
    if not is_personal(code, value):
        return value
    return mask_phone(value) if _phone_like(code, value) else gateway.mask_id(value)


def masked_document(data, code: str = ""):
    """The document with its personal values masked, nested dicts and lists included."""
    if isinstance(data, dict):
        return {k: masked_document(v, str(k)) for k, v in data.items()}
    if isinstance(data, list):
        return [masked_document(v, code) for v in data]
    return masked(code, data)


def personal_paths(data, path: str) -> list[str]:
    """Where a document holds personal values ("form.applicant_id_number"): names, not values."""
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in personal_paths(v, f"{path}.{k}")]
    if isinstance(data, list):
        return sorted({p for v in data for p in personal_paths(v, path)})
    return [path] if is_personal(path.rsplit(".", 1)[-1], data) else []


def shown(data, full: bool):
    return data if full else masked_document(data)


def applicant_view(case: Case, *, full: bool = False) -> dict:
    return shown(dict(case.applicant_data), full)


def task_dict(task: Task, *, full: bool = False, text_full: bool | None = None) -> dict:
    text_full = full if text_full is None else text_full
    return {
        "id": task.pk,
        "case": task.case.number,
        "case_title": task.case.title,
        "item": task.item,
        "name": task.name,
        "department": task.department.name,
        "stage": task.stage,
        "requires": task.requires,
        "status": task.status,
        "status_label": task.get_status_display(),
        "data": shown(task.data, full),
        "result": typed_text(task.result, full=text_full),
        "opinion": typed_text(task.opinion, full=text_full),
        "deadline": task.deadline,
        "warning": task.current_warning,
        "flagged": task.flagged,
    }


def decision_dict(task: Task, user) -> dict:
    """The response to a decision: the reviewer who made it reads the opinion and result they
    typed as typed (their own words, unrecorded); the form copy is masked as everywhere."""
    own = user.pk is not None and task.decided_by_id == user.pk
    return task_dict(task, text_full=own)


def case_fields(case: Case) -> list[str]:
    """The personal fields a full view of the case shows (its tasks carry a copy of the form)."""
    tasks = _prefetched(case, "tasks", selectors.tasks_of)
    found = personal_paths(case.applicant_data, "applicant") + personal_paths(case.form, "form")
    found += [p for t in tasks for p in personal_paths(t.data, "task.data")]
    return sorted(set(found + case_text_fields(case)))


def case_text_fields(case: Case) -> list[str]:
    """What ``case_dict`` shows as typed that holds a number (names, never values)."""
    found = [
        f"case.{name}" for name in ("reason", "problems") if holds_numbers(getattr(case, name))
    ]
    return found + task_text_fields(_prefetched(case, "tasks", selectors.tasks_of))


def task_text_fields(tasks) -> list[str]:
    return [
        f"task.{name}"
        for name in ("opinion", "result")
        if any(holds_numbers(getattr(t, name)) for t in tasks)
    ]


def text_fields(case: Case, *, supplements: bool) -> list[str]:
    """The case page's: ``case_dict``'s, and the open supplement requests if it lists them."""
    requests = [s.request for s in case.supplements.filter(supplied_at__isnull=True)]
    found = supplements and holds_numbers(requests)
    return case_text_fields(case) + (["supplement.request"] if found else [])


def timeline_fields(events: list[dict]) -> list[str]:
    return sorted(
        {
            f"timeline.{e['verb']}.{k}"
            for e in events
            for k, v in e["data"].items()
            if holds_numbers(v)
        }
    )


def audit_text_view(user, case: Case, fields: list[str]) -> None:
    """Record that ``user`` was shown what reviewers typed about this case in full."""
    if fields:
        audit.sensitive_read(actor=user, object=case, what="case.text", fields=fields)


def audit_material_view(user, case: Case, material: str) -> None:
    """Record that ``user`` opened an uploaded material (ID card copies, contracts…)."""
    audit.sensitive_read(actor=user, object=case, what="case.material", fields=[material])


def audit_full_view(user, case: Case) -> None:
    """Record that ``user`` was shown this case's personal numbers in full."""
    if fields := case_fields(case):
        audit.sensitive_read(actor=user, object=case, what="case.form", fields=fields)


def draft_fields(draft) -> list[str]:
    return personal_paths(draft.applicant, "applicant") + personal_paths(draft.form, "form")


def audit_draft_view(user, draft) -> None:
    """A clerk filing for an applicant asked to see the draft's numbers in full: record it."""
    if fields := draft_fields(draft):
        audit.sensitive_read(actor=user, object=draft, what="case.draft", fields=fields)


def case_dict(case: Case, *, full: bool = False, text_full: bool | None = None) -> dict:
    text_full = full if text_full is None else text_full
    return {
        "number": case.number,
        "status": case.status,
        "status_label": case.get_status_display(),
        "onething": case.onething,
        "title": case.title,
        "version": Blueprint.of(case.blueprint).version,
        "channel": case.channel,
        "accept_region": case.accept_region_id,
        "process_region": case.process_region_id,
        "applicant": applicant_view(case, full=full),
        "form": shown(case.form, full),
        "answers": case.answers,
        "problems": typed_text(case.problems, full=text_full),
        "tolerance": case.tolerance,
        "flagged": case.flagged,
        "reason": typed_text(case.reason, full=text_full),
        "deadline": case.deadline,
        "submitted_at": case.submitted_at,
        "accepted_at": case.accepted_at,
        "finished_at": case.finished_at,
        "materials": [
            {
                "material": m.material,
                "name": m.name,
                "state": m.state,
                "file_id": str(m.upload_id) if m.upload_id else None,
                "exemption": m.exemption,
            }
            for m in case.materials.all()
        ],
        "commitments": [
            {
                "id": c.pk,
                "material": c.material,
                "name": c.name,
                "due_date": c.due_date,
                "status": c.status,
            }
            for c in case.commitments.all()
        ],
        "tasks": [
            task_dict(t, full=full, text_full=text_full)
            for t in _prefetched(case, "tasks", selectors.tasks_of)
        ],
        "documents": [
            document_dict(case, d) for d in _prefetched(case, "documents", selectors.documents_of)
        ],
    }


def _prefetched(case: Case, name: str, read):
    # A just-submitted case carries its rows (services.submission._remember): no need to read them back.
    cache = getattr(case, "_prefetched_objects_cache", {})
    return cache[name] if name in cache else read(case)


def document_dict(case: Case, doc) -> dict:
    return {
        "id": doc.pk,
        "kind": doc.kind,
        "title": doc.title,
        "department": doc.department.name if doc.department else None,
        "sha256": doc.sha256,
        "sealed": bool(doc.seal),
        "url": f"/api/cases/{case.number}/documents/{doc.pk}.pdf",
    }


def brief(case: Case) -> dict:
    return {
        "number": case.number,
        "status": case.status,
        "status_label": case.get_status_display(),
        "title": case.title,
        "accept_region": case.accept_region_id,
        "process_region": case.process_region_id,
        "submitted_at": case.submitted_at,
        "deadline": case.deadline,
    }
