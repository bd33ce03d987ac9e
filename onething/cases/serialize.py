"""Cases as plain dicts for the API and the pages (personal data masked for other readers)."""

from . import gateway, selectors
from .models import Case, Task


def applicant_view(case: Case, viewer) -> dict:
    data = dict(case.applicant_data)
    if viewer is None or viewer.pk != case.applicant_id:
        for key in ("id_number",):
            if data.get(key):
                data[key] = gateway.mask_id(data[key])
    return data


def task_dict(task: Task) -> dict:
    return {
        "id": task.pk, "case": task.case.number, "case_title": task.case.title, "item": task.item,
        "name": task.name, "department": task.department.name, "stage": task.stage,
        "requires": task.requires, "status": task.status, "status_label": task.get_status_display(),
        "data": task.data, "result": task.result, "opinion": task.opinion, "deadline": task.deadline,
        "warning": task.warning, "flagged": task.flagged,
    }  # fmt: skip


def case_dict(case: Case, viewer=None) -> dict:
    return {
        "number": case.number, "status": case.status, "status_label": case.get_status_display(),
        "onething": case.onething, "title": case.title, "version": case.blueprint["onething"].get("version") or 0,
        "channel": case.channel, "accept_region": case.accept_region_id, "process_region": case.process_region_id,
        "applicant": applicant_view(case, viewer), "form": case.form, "answers": case.answers,
        "problems": case.problems, "tolerance": case.tolerance, "flagged": case.flagged, "reason": case.reason,
        "deadline": case.deadline, "submitted_at": case.submitted_at, "accepted_at": case.accepted_at,
        "finished_at": case.finished_at,
        "materials": [
            {"material": m.material, "name": m.name, "state": m.state,
             "file_id": str(m.upload_id) if m.upload_id else None, "exemption": m.exemption}
            for m in case.materials.all()
        ],
        "commitments": [
            {"id": c.pk, "material": c.material, "name": c.name, "due_date": c.due_date, "status": c.status}
            for c in case.commitments.all()
        ],
        "tasks": [task_dict(t) for t in _prefetched(case, "tasks", selectors.tasks_of)],
        "documents": [
            document_dict(case, d) for d in _prefetched(case, "documents", selectors.documents_of)
        ],
    }  # fmt: skip


def _prefetched(case: Case, name: str, read):
    # A just-submitted case carries its rows (services._remember): no need to read them back.
    cache = getattr(case, "_prefetched_objects_cache", {})
    return cache[name] if name in cache else read(case)


def document_dict(case: Case, doc) -> dict:
    return {
        "id": doc.pk, "kind": doc.kind, "title": doc.title,
        "department": doc.department.name if doc.department else None, "sha256": doc.sha256,
        "sealed": bool(doc.seal), "url": f"/api/cases/{case.number}/documents/{doc.pk}.pdf",
    }  # fmt: skip


def brief(case: Case) -> dict:
    return {
        "number": case.number, "status": case.status, "status_label": case.get_status_display(),
        "title": case.title, "accept_region": case.accept_region_id, "process_region": case.process_region_id,
        "submitted_at": case.submitted_at, "deadline": case.deadline,
    }  # fmt: skip
