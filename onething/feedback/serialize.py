"""Plain dicts for the API (and the page's JSON bits); models never leave the app directly."""

from onething.common import audit
from onething.common.security import mask_phone

from . import selectors, services
from .models import Rating, Rectification, Ticket


def rectification_dict(rect: Rectification | None) -> dict | None:
    if rect is None:
        return None
    return {
        "id": rect.pk, "status": rect.status, "status_label": rect.get_status_display(),
        "department": rect.department.name, "deadline": rect.deadline,
        "verification": rect.verification, "measures": rect.measures, "reply": rect.reply,
        "check_note": rect.check_note, "visit_result": rect.visit_result,
        "visit_note": rect.visit_note,
    }  # fmt: skip


def rating_dict(rating: Rating) -> dict:
    rect = Rectification.objects.filter(rating=rating).select_related("department").first()
    return {
        "id": rating.pk, "target": rating.target,
        "case_number": rating.case.number if rating.case_id else None,
        "department": rating.department.name, "level": rating.level,
        "level_label": rating.get_level_display(), "first_level": rating.first_level,
        "tags": rating.tags, "comment": rating.comment, "channel": rating.channel,
        "created_at": rating.created_at, "rerated_at": rating.rerated_at,
        "rectification": rectification_dict(rect),
    }  # fmt: skip


def ticket_brief(t: Ticket) -> dict:
    return {
        "id": t.pk, "number": t.number, "status": t.status, "status_label": t.get_status_display(),
        "category": t.category, "subcategory": t.subcategory, "urgency": t.urgency,
        "region": t.region_id, "department": t.department.name if t.department_id else None,
        "escalations": t.escalations, "created_at": t.created_at, "handle_due": t.handle_due,
    }  # fmt: skip


def contact_phone(t: Ticket, *, full: bool = False) -> str:
    """Masked unless the viewer asked; whoever may see the ticket may ask (``audit_full_view``)."""
    return t.contact_phone if full else mask_phone(t.contact_phone)


def audit_full_view(user, t: Ticket) -> None:
    if t.contact_phone:
        audit.sensitive_read(actor=user, object=t, what="ticket.contact", fields=["contact_phone"])


def ticket_dict(t: Ticket, user, *, full: bool = False) -> dict:
    similar = selectors.similar_tickets(t.content, region=t.region, exclude_id=t.pk)
    return {
        **ticket_brief(t), "source": t.source, "contact_name": t.contact_name,
        "contact_phone": contact_phone(t, full=full), "content": t.content, "location": t.location,
        "related_case": t.related_case,
        "suggested_department": t.suggested_department.name if t.suggested_department_id else None,
        "routed_by": t.routed_by.name if t.routed_by_id else None,
        "sign_due": t.sign_due, "signed_at": t.signed_at, "feedback_due": t.feedback_due,
        "feedback": t.feedback, "result": t.result, "return_reason": t.return_reason,
        "satisfaction": t.satisfaction,
        "merged_into": t.merged_into.number if t.merged_into_id else None,
        "actions": services.ticket_actions(user, t),
        "timeline": selectors.ticket_timeline(t),
        "similar": [{"id": s["ticket"].pk, "number": s["ticket"].number, "score": s["score"],
                     "content": s["ticket"].content[:200]} for s in similar],
    }  # fmt: skip
