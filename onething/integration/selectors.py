"""Reads of the integration."""

from .constants import DeliveryStatus
from .models import Delivery, Link, System


def decided_externally(*, task) -> bool:
    """True while a connected system holds the task (not handed back to onething's pages)."""
    return Link.objects.filter(task_id=task.pk, handed_back=False).exists()


def task_flags(task_ids) -> dict[int, dict]:
    """For supervision's task records: external, unreachable system, reconciliation mismatch."""
    rows = Link.objects.filter(task_id__in=list(task_ids)).values(
        "task_id", "system__code", "system__unreachable_since", "mismatch", "handed_back"
    )
    return {
        r["task_id"]: {
            "external": not r["handed_back"],
            "system": r["system__code"],
            "system_unreachable": bool(r["system__unreachable_since"]) and not r["handed_back"],
            "reconcile_mismatch": bool(r["mismatch"]),
        }
        for r in rows
    }


def link_of(task_id: int) -> Link | None:
    return Link.objects.select_related("system").filter(task_id=task_id).first()


def deliveries(*, status: str | None = None, system: str | None = None):
    qs = Delivery.objects.select_related("link__system")
    if status:
        qs = qs.filter(status=status)
    if system:
        qs = qs.filter(link__system__code=system)
    return qs.order_by("-created_at")


def delivery_counts() -> dict[str, int]:
    return {s: Delivery.objects.filter(status=s).count() for s in DeliveryStatus.values}


def systems():
    return System.objects.select_related("department_kind", "region").order_by("code")
