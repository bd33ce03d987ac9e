"""Uploads and drafts: what the applicant stores before submitting."""

from django.db import transaction

from onething.catalog import selectors as catalog
from onething.catalog.blueprint import Blueprint
from onething.catalog.compiler import CompileError
from onething.common.events import record_event

from .. import files
from ..models import (
    Case,
    Draft,
    Upload,
)
from .submission import case_submit


def upload_create(*, owner, name: str, chunks) -> Upload:
    """Store first (all-or-nothing on disk), then the row; the file name is only a label."""
    stored = files.store(chunks)
    with transaction.atomic():
        upload = Upload.objects.create(owner=owner, name=(name or "file")[-200:], **stored)
        record_event(
            actor=owner, verb="case.file_uploaded", obj=upload, data={"sha256": upload.sha256}
        )
    return upload


@transaction.atomic
def draft_save(*, user, onething: str, **parts) -> Draft:
    """Merge the parts given (answers, applicant, form, materials, commitments) into the open draft."""
    draft = (
        Draft.objects.select_for_update()
        .filter(user=user, onething=onething, case__isnull=True)
        .first()
    )
    draft = draft or Draft(user=user, onething=onething)
    for name in ("answers", "applicant", "form", "materials", "commitments"):
        if parts.get(name) is not None:
            setattr(draft, name, parts[name])
    draft.save()
    record_event(actor=user, verb="case.draft_saved", obj=draft, data={"onething": onething})
    return draft


@transaction.atomic
def draft_discard(*, user, onething: str) -> bool:
    """Throw away the open draft, so a window's next walk-in starts from a blank form (the last
    person's particulars never show to the next). Uploaded files stay with their uploader."""
    draft = Draft.objects.filter(user=user, onething=onething, case__isnull=True).first()
    if draft is None:
        return False
    record_event(actor=user, verb="case.draft_discarded", obj=draft, data={"onething": onething})
    draft.delete()
    return True


def draft_submit(*, user, draft: Draft, channel: str, accept_region: str | None = None) -> Case:
    """Submitting the same draft twice returns the first case (key = the draft)."""
    if draft.case_id:
        return draft.case
    body = draft_body(draft, channel=channel, accept_region=accept_region)
    case, _ = case_submit(user=user, data=body, idempotency_key=f"draft:{draft.pk}")
    with transaction.atomic():
        if Draft.objects.filter(pk=draft.pk, case__isnull=True).update(case=case):
            record_event(
                actor=user,
                verb="case.draft_submitted",
                obj=draft,
                data={"onething": draft.onething, "case": case.number},
                fields=["case"],
            )
    return case


def draft_body(draft: Draft, *, channel: str, accept_region: str | None) -> dict:
    shown = _shown_materials(draft)
    return {
        "onething": draft.onething,
        "answers": draft.answers,
        "applicant": draft.applicant,
        "form": draft.form,
        "materials": [
            {"material": m, "file_id": f} for m, f in draft.materials.items() if f and m in shown
        ],
        "commitments": [
            {"material": m, "due_date": d} for m, d in draft.commitments.items() if d and m in shown
        ],
        "channel": channel,
        "accept_region": accept_region,
    }


def _shown_materials(draft: Draft) -> set[str]:
    """The materials the page lists for the draft's current answers. A file uploaded under an
    answer changed since (company, then 个体工商户) is neither shown nor removable on the page:
    it stays in the draft but is not part of what the person submits."""
    version = catalog.version_latest(draft.onething)
    try:
        blueprint = catalog.blueprint(version, draft.answers) if version else None
    except CompileError:
        blueprint = None
    if blueprint is None:  # submission refuses the answers with its own message
        return {*draft.materials, *draft.commitments}
    return {m.code for m in Blueprint.of(blueprint).materials}
