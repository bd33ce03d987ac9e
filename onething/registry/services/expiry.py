"""Expiry and renewal (到期换证): expiring licences, reminding holders, queueing seal jobs."""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from onething.catalog.models import ItemMaterial, OneThing
from onething.common import jobs
from onething.common.events import record_event
from onething.common.notify import notify

from .. import selectors
from ..constants import (
    EXPIRY_WINDOW_DAYS,
    REMINDER_PREFIX,
    LicenseStatus,
)
from ..models import License


def renewal_link(license_type_code: str) -> str:
    """/cases/apply/<one-thing>?renew= for a published one-thing that issues this type, if any.

    Where several issue it (驾驶证初次申领 and 驾驶证到期换证), the renewal is the one that also
    takes the old licence as a material: a holder reminded of expiry must not be sent to apply
    for a first licence."""
    takes_old = ItemMaterial.objects.filter(
        item__onething=OuterRef("pk"), material__license_type_id=license_type_code
    )
    code = (
        OneThing.objects.filter(items__result_id=license_type_code, versions__isnull=False)
        .annotate(renews=Exists(takes_old))
        .order_by("-renews", "code")
        .values_list("code", flat=True)
        .first()
    )
    return f"/cases/apply/{code}" if code else ""


@transaction.atomic
def licenses_expire(*, today: date | None = None) -> int:
    today = today or timezone.localdate()
    due = list(License.objects.filter(status=LicenseStatus.VALID, valid_until__lt=today))
    for lic in due:
        License.objects.filter(pk=lic.pk).update(status=LicenseStatus.EXPIRED)
        record_event(
            actor=None, verb="license.expired", obj=lic, data={"valid_until": str(lic.valid_until)}
        )
    return len(due)


@transaction.atomic
def expiry_reminders(*, today: date | None = None, window_days: int = EXPIRY_WINDOW_DAYS) -> dict:
    """Mark expired licences, then remind holders of those expiring within the window (once per
    licence and window), with a one-click renewal link where the catalog offers one."""
    today = today or timezone.localdate()
    expired = licenses_expire(today=today)
    links: dict[str, str] = {}
    sent = 0
    for lic in selectors.expiring(today=today, until=today + timedelta(days=window_days)):
        if lic.license_type_id not in links:
            links[lic.license_type_id] = renewal_link(lic.license_type_id)
        sent += _remind(lic, links[lic.license_type_id], window_days)
    return {"expired": expired, "reminded": sent}


def _remind(lic: License, link: str, window_days: int) -> int:
    sent = 0
    for user in selectors.users_of(person=lic.person, entity=lic.entity):
        notify(
            user=user,
            title=f"您的{lic.license_type.name}将于{lic.valid_until:%Y年%m月%d日}到期",
            body="可一键申请换证，照面信息和材料将自动带出。"
            if link
            else "请及时到发证部门办理换证。",
            link=f"{link}?renew={lic.identifier}"
            if link
            else f"/registry/licenses/{lic.identifier}/",
            dedup_key=f"{REMINDER_PREFIX}expiry:{lic.identifier}:{lic.valid_until}:{window_days}:{user.pk}",
        )
        sent += 1
    return sent


def seal_jobs_enqueue() -> None:
    """Queue the sealing of unsigned licences (idempotent: one queued job at a time)."""
    if License.objects.filter(signature="").exists():
        jobs.enqueue(
            "registry.seal_pending", dedup_key=f"registry.seal_pending:{timezone.now().timestamp()}"
        )
