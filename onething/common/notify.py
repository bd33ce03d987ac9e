"""Notifications: an in-app message plus SMS/e-mail through a pluggable sender.

Call ``notify`` inside the write's transaction: the rows commit with the change
(the outbox pattern) and the worker's ``common.send_outbox`` job delivers them.
The de-duplication key makes a retried service call or job harmless.
"""

import logging

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Message, Outbox
from .security import mask_email, mask_phone

log = logging.getLogger("onething.notify")


def notify(
    *,
    user,
    title: str,
    body: str = "",
    link: str = "",
    dedup_key: str,
    sms_to: str = "",
    email_to: str = "",
) -> None:
    # One INSERT … ON CONFLICT DO NOTHING per row: a replayed call is a no-op without the
    # SELECT and savepoint that get_or_create costs (notify sits on every hot write path).
    Message.objects.bulk_create(
        [new_message(user=user, title=title, body=body, link=link, dedup_key=dedup_key)],
        ignore_conflicts=True,
    )
    outbox = []
    if sms_to:
        outbox.append(
            Outbox(
                dedup_key=f"{dedup_key}:sms",
                channel="sms",
                to=sms_to,
                body=f"【一件事】{title}。{body}",
            )
        )
    if email_to:
        outbox.append(
            Outbox(
                dedup_key=f"{dedup_key}:email",
                channel="email",
                to=email_to,
                subject=title,
                body=body,
            )
        )
    if outbox:
        Outbox.objects.bulk_create(outbox, ignore_conflicts=True)


def new_message(*, user, title: str, body: str = "", link: str = "", dedup_key: str) -> Message:
    """The in-app message ``notify`` inserts, unsaved (the submission inserts it by hand, with
    the same ``ON CONFLICT DO NOTHING`` on its de-duplication key)."""
    return Message(user=user, title=title, body=body, link=link, dedup_key=dedup_key)


class ConsoleSender:
    """The default sender: writes to the log. Production plugs in an SMS gateway."""

    def send(self, *, channel: str, to: str, subject: str, body: str) -> None:
        # Logs are read by more people than the data: the phone number or address stays masked.
        shown = mask_phone(to) if channel == "sms" else mask_email(to)
        log.warning("[%s → %s] %s %s", channel, shown, subject, body)


def sender():
    return import_string(
        getattr(settings, "ONETHING_SENDER", "onething.common.notify.ConsoleSender")
    )()


def send_outbox(limit: int = 200) -> int:
    sent = 0
    for row in Outbox.objects.filter(sent_at__isnull=True).order_by("id")[:limit]:
        sender().send(channel=row.channel, to=row.to, subject=row.subject, body=row.body)
        Outbox.objects.filter(pk=row.pk, sent_at__isnull=True).update(sent_at=timezone.now())
        sent += 1
    return sent


def unread_count(user) -> int:
    return (
        Message.objects.filter(user=user, read_at__isnull=True).count()
        if user.is_authenticated
        else 0
    )
