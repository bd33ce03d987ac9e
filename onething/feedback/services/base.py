"""What every write of feedback shares: the clock, the staff to tell, the ticket's timeline event and link."""

from datetime import date

from django.contrib.auth import get_user_model
from django.utils import timezone

from onething.accounts.constants import Role
from onething.common.events import record_event
from onething.common.notify import notify

from ..models import Ticket

DEPT_ROLES = {Role.DEPT_ADMIN, Role.DEPT_REVIEWER}


def _now():
    return timezone.now()


def _today() -> date:
    return timezone.localdate()


def _staff_of(department):
    return get_user_model().objects.filter(
        department=department, role__in=DEPT_ROLES, is_active=True
    )


def _overseers_of(region, role: str):
    """Supervisors (or operators) whose region covers ``region``, and province-wide ones."""
    users = get_user_model().objects.filter(role=role, is_active=True).select_related("region")
    return [u for u in users if u.region is None or region.code.startswith(u.region.prefix)]


def _tell_all(users, *, title: str, link: str, key: str, body: str = "") -> None:
    for user in users:
        notify(user=user, title=title, body=body, link=link, dedup_key=f"{key}:{user.pk}")


def _region_ok(actor, region) -> bool:
    return actor.region is None or region.code.startswith(actor.region.prefix)


def _event(ticket: Ticket, actor, verb: str, *, objects=(), **data) -> None:
    """The ticket's timeline event and the audit rows of the write: the ticket and ``objects``
    (the visit or alert rows the same write added)."""
    record_event(actor=actor, verb=verb, obj=ticket, data=data, objects=objects)


def _ticket_link(ticket: Ticket) -> str:
    return ticket.page_url
