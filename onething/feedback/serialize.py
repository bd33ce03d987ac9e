"""Plain dicts for the API (and the page's JSON bits); models never leave the app directly.

What people typed (a ticket's content, a rating's comment, a rectification's texts, notes in the
timelines) may hold ID and mobile numbers: masked unless ``full`` — the author reading their own
text, or a viewer who asked and may (``selectors.may_see_full``), whose read the caller records
(field names only).
"""

from onething.common import audit
from onething.common.security import (
    holds_numbers,
    mask_numbers_in_data,
    mask_numbers_in_text,
    mask_phone,
    typed_text,
)
from onething.common.security import masked_timeline as timeline

from . import selectors, services
from .models import Rating, Rectification, Ticket

# What a ticket's page and API show as typed: the call record and the department's replies.
TICKET_TEXT = ("content", "feedback", "result", "return_reason", "satisfaction_note")
RECT_TEXT = tuple(selectors.RECTIFICATION_TEXT)


def rectification_typed(user, rect: Rectification, *, full: bool = False) -> dict[str, bool]:
    """Which of the rectification's texts this viewer sees as typed: all of them in a full view,
    otherwise the ones they wrote (``{{ rect.reply|mask_numbers:typed.reply }}``)."""
    own = selectors.own_texts(user, rect)
    return {name: full or name in own for name in RECT_TEXT}


def rectification_text_fields(user, rect: Rectification) -> list[str]:
    """The texts a full view shows beyond the viewer's own that hold a number (names only)."""
    typed = rectification_typed(user, rect)
    return [n for n in RECT_TEXT if not typed[n] and holds_numbers(getattr(rect, n))]


def rectification_dict(rect: Rectification | None, user=None, *, full: bool = False) -> dict | None:
    if rect is None:
        return None
    typed = rectification_typed(user, rect, full=full)
    return {
        "id": rect.pk,
        "status": rect.status,
        "status_label": rect.get_status_display(),
        "department": rect.department.name,
        "deadline": rect.deadline,
        **{n: typed_text(getattr(rect, n), full=typed[n]) for n in RECT_TEXT},
        "visit_result": rect.visit_result,
    }


def audit_rectifications_view(user, rects) -> None:
    """Rectification texts in full over the API: one row per response naming the fields — the
    rectification, or for a list how many were shown with a number in them."""
    shown = [(r, found) for r in rects if (found := rectification_text_fields(user, r))]
    if shown:
        one = len(shown) == 1
        fields = [n for n in RECT_TEXT if any(n in names for _, names in shown)]
        audit.sensitive_read(
            actor=user,
            object=shown[0][0] if one else None,
            what="rectification.text",
            fields=fields,
            rows=None if one else len(shown),
        )


def timeline_for(user, events: list[dict], *, full: bool = False) -> list[dict]:
    """A rectification's timeline, its notes (a check note) masked unless full or the viewer
    wrote them."""
    if full:
        return events
    return [
        e if selectors.wrote_event(user, e) else {**e, "data": mask_numbers_in_data(e["data"])}
        for e in events
    ]


def others_notes(user, events: list[dict]) -> list:
    """The event data a full view of the timeline shows beyond the viewer's own."""
    return [e["data"] for e in events if not selectors.wrote_event(user, e)]


def rating_comment_fields(rating: Rating) -> list[str]:
    return ["comment"] if holds_numbers(rating.comment) else []


def audit_ratings_view(user, ratings) -> None:
    """Comments shown in full to staff: one row per response, the rating or how many raters."""
    shown = [r for r in ratings if not selectors.is_author(user, r) and rating_comment_fields(r)]
    if shown:
        one = len(shown) == 1
        audit.sensitive_read(
            actor=user,
            object=shown[0] if one else None,
            what="rating.comment",
            fields=["comment"],
            rows=None if one else len(shown),
        )


def rectification_page_fields(user, rect: Rectification, events: list[dict]) -> list[str]:
    """What the rectification page shows in full beyond the viewer's own words: the quoted
    comment, the rectification's texts, the notes in its timeline (names, never values)."""
    rating = rect.rating
    quoted = holds_numbers(rating.comment) and not selectors.is_author(user, rating)
    fields = ["rating.comment"] if quoted else []
    fields += rectification_text_fields(user, rect)
    return fields + (["timeline"] if holds_numbers(others_notes(user, events)) else [])


def audit_rectification_view(user, rect: Rectification, events: list[dict]) -> None:
    """The rectification page in full: one row naming everything it showed as typed."""
    if fields := rectification_page_fields(user, rect, events):
        audit.sensitive_read(actor=user, object=rect, what="rectification.text", fields=fields)


def rating_dict(rating: Rating, user=None, *, full: bool = False) -> dict:
    rect = Rectification.objects.filter(rating=rating).select_related("department").first()
    full = full or selectors.is_author(user, rating)
    return {
        "id": rating.pk,
        "target": rating.target,
        "case_number": rating.case.number if rating.case_id else None,
        "department": rating.department.name,
        "level": rating.level,
        "level_label": rating.get_level_display(),
        "first_level": rating.first_level,
        "tags": rating.tags,
        "comment": typed_text(rating.comment, full=full),
        "channel": rating.channel,
        "created_at": rating.created_at,
        "rerated_at": rating.rerated_at,
        "rectification": rectification_dict(rect, user),
    }


def ticket_brief(t: Ticket) -> dict:
    return {
        "id": t.pk,
        "number": t.number,
        "status": t.status,
        "status_label": t.get_status_display(),
        "category": t.category,
        "subcategory": t.subcategory,
        "urgency": t.urgency,
        "region": t.region_id,
        "department": t.department.name if t.department_id else None,
        "escalations": t.escalations,
        "created_at": t.created_at,
        "handle_due": t.handle_due,
    }


def contact_phone(t: Ticket, *, full: bool = False) -> str:
    """Masked unless the viewer asked; whoever may see the ticket may ask (``audit_full_view``)."""
    return t.contact_phone if full else mask_phone(t.contact_phone)


def ticket_text_fields(t: Ticket) -> list[str]:
    """Which of the ticket's typed texts hold a number a full view would show (names only)."""
    found = [name for name in TICKET_TEXT if holds_numbers(getattr(t, name))]
    if any(holds_numbers(v.note) for v in t.visits.all()):
        found.append("visits.note")
    if any(holds_numbers(e["data"]) for e in selectors.ticket_timeline(t)):
        found.append("timeline")
    return found


def audit_full_view(user, t: Ticket) -> None:
    """One row per full view: the phone, and the typed texts unless the viewer wrote them."""
    fields = ["contact_phone"] if t.contact_phone else []
    if not selectors.is_author(user, t):
        fields += ticket_text_fields(t)
    if fields:
        audit.sensitive_read(actor=user, object=t, what="ticket.contact", fields=fields)


def similar_dict(found: dict) -> dict:
    # Other callers' tickets: never in full here (the full view is of this ticket only).
    t = found["ticket"]
    return {
        "id": t.pk,
        "number": t.number,
        "score": found["score"],
        "content": mask_numbers_in_text(t.content)[:200],
    }


def ticket_dict(t: Ticket, user, *, full: bool = False) -> dict:
    similar = selectors.similar_tickets(t.content, region=t.region, exclude_id=t.pk)
    own = full or selectors.is_author(user, t)
    return {
        **ticket_brief(t),
        "source": t.source,
        "contact_name": t.contact_name,
        "contact_phone": contact_phone(t, full=full),
        "content": typed_text(t.content, full=own),
        "location": t.location,
        "related_case": t.related_case,
        "suggested_department": t.suggested_department.name if t.suggested_department_id else None,
        "routed_by": t.routed_by.name if t.routed_by_id else None,
        "sign_due": t.sign_due,
        "signed_at": t.signed_at,
        "feedback_due": t.feedback_due,
        "feedback": typed_text(t.feedback, full=own),
        "result": typed_text(t.result, full=own),
        "return_reason": typed_text(t.return_reason, full=own),
        "satisfaction": t.satisfaction,
        "merged_into": t.merged_into.number if t.merged_into_id else None,
        "actions": services.ticket_actions(user, t),
        "timeline": timeline(selectors.ticket_timeline(t), full=own),
        "similar": [similar_dict(s) for s in similar],
    }
