"""12345 tickets and ratings, read from the feedback app (written by another engineer).

Preferred: functions in ``onething.feedback.selectors`` (contract in docs/supervision.md):

- ``supervision_ticket_subjects(now)`` → dicts {id, title, link, region, department,
  attributes: {status, emergency, minutes_open, minutes_unsigned, minutes_unhandled,
  hours_without_feedback, region}};
- ``supervision_hotline(*, region_codes, date_from, date_to)`` → {total, signed_on_time,
  handled_on_time, overdue, satisfied, rated};
- ``supervision_ratings(*, region_codes, date_from, date_to)`` → {total, good, neutral, bad,
  average}.

Until those exist, the models are read defensively: a field is used only if a model has
one of the expected names, and a panel with nothing to read says so instead of showing 0.
"""

import importlib
from datetime import datetime

from django.apps import apps
from django.db.models import Avg, Count, F, Q

UNAVAILABLE = "12345/好差评模块尚未提供该数据"


def _selectors():
    try:
        return importlib.import_module("onething.feedback.selectors")
    except ModuleNotFoundError:
        return None


def _model(*names):
    for name in names:
        try:
            return apps.get_model("feedback", name)
        except LookupError:
            continue
    return None


def _field(model, *names) -> str | None:
    have = {f.name for f in model._meta.get_fields()}
    return next((n for n in names if n in have), None)


def _region_filter(model, region_codes: list[str] | None) -> Q:
    if not region_codes:
        return Q()
    name = _field(model, "region", "process_region", "region_code")
    if name is None:
        return Q()
    is_fk = model._meta.get_field(name).is_relation
    return Q(**{f"{name}_id__in" if is_fk else f"{name}__in": region_codes})


def _minutes(since, until) -> int:
    return max(int((until - since).total_seconds() // 60), 0) if since and until else 0


def ticket_subjects(now: datetime):
    sel = _selectors()
    if sel is not None and hasattr(sel, "supervision_ticket_subjects"):
        yield from sel.supervision_ticket_subjects(now)
        return
    model = _model("Ticket", "HotlineTicket")
    if model is None:
        return
    created = _field(model, "created_at", "registered_at")
    signed = _field(model, "signed_at", "claimed_at")
    handled = _field(model, "handled_at", "finished_at", "closed_at", "resolved_at")
    feedback = _field(model, "feedback_at", "replied_at", "responded_at")
    emergency = _field(model, "emergency", "is_emergency", "urgent")
    if created is None:
        return
    open_rows = model.objects.filter(**({f"{handled}__isnull": True} if handled else {}))
    for t in open_rows.order_by("pk")[:5000]:
        yield _ticket_row(t, now, created, signed, handled, feedback, emergency)


def _ticket_row(t, now, created, signed, handled, feedback, emergency) -> dict:
    opened = getattr(t, created)
    region = getattr(t, "region_id", None) or getattr(t, "region_code", "") or ""
    return {
        "id": t.pk,
        "title": f"12345工单 {getattr(t, 'number', t.pk)}",
        "link": f"/feedback/tickets/{t.pk}/",
        "region": region,
        "department": getattr(t, "department", None),
        "attributes": {
            "status": getattr(t, "status", ""),
            "emergency": bool(getattr(t, emergency)) if emergency else False,
            "minutes_open": _minutes(opened, now),
            "minutes_unsigned": 0 if signed and getattr(t, signed) else _minutes(opened, now),
            "minutes_unhandled": 0 if handled and getattr(t, handled) else _minutes(opened, now),
            "hours_without_feedback": 0
            if feedback and getattr(t, feedback)
            else _minutes(opened, now) // 60,
            "region": region,
        },
    }


def hotline(*, region_codes, date_from, date_to) -> dict | None:
    sel = _selectors()
    if sel is not None and hasattr(sel, "supervision_hotline"):
        return sel.supervision_hotline(
            region_codes=region_codes, date_from=date_from, date_to=date_to
        )
    model = _model("Ticket", "HotlineTicket")
    created = model and _field(model, "created_at", "registered_at")
    if not created:
        return None
    qs = model.objects.filter(
        _region_filter(model, region_codes),
        **{f"{created}__date__gte": date_from, f"{created}__date__lte": date_to},
    )
    due = _field(model, "due_at", "deadline")
    handled = _field(model, "handled_at", "finished_at", "closed_at", "resolved_at")
    satisfied = _field(model, "satisfied", "satisfaction")
    out = {"total": qs.count(), "handled_on_time": None, "overdue": None, "satisfied": None}
    if due and handled:
        out["handled_on_time"] = qs.filter(**{f"{handled}__lte": F(due)}).count()
        out["overdue"] = qs.filter(**{f"{handled}__gt": F(due)}).count()
    if satisfied:
        out["rated"] = qs.filter(**{f"{satisfied}__isnull": False}).count()
        out["satisfied"] = qs.filter(**{satisfied: True}).count()
    return out


def ratings(*, region_codes, date_from, date_to) -> dict | None:
    sel = _selectors()
    if sel is not None and hasattr(sel, "supervision_ratings"):
        return sel.supervision_ratings(
            region_codes=region_codes, date_from=date_from, date_to=date_to
        )
    model = _model("Rating", "Evaluation")
    score = model and _field(model, "score", "stars")
    created = model and _field(model, "created_at")
    if not (score and created):
        return None
    qs = model.objects.filter(
        _region_filter(model, region_codes),
        **{f"{created}__date__gte": date_from, f"{created}__date__lte": date_to},
    )
    agg = qs.aggregate(
        total=Count("pk"),
        good=Count("pk", filter=Q(**{f"{score}__gte": 4})),
        neutral=Count("pk", filter=Q(**{score: 3})),
        bad=Count("pk", filter=Q(**{f"{score}__lte": 2})),
        average=Avg(score),
    )
    agg["average"] = round(agg["average"], 2) if agg["average"] is not None else None
    return agg
