"""Configuration of connected systems."""

from django.db import transaction

from onething.common.errors import Unprocessable
from onething.common.events import record_event

from ..constants import EVENT_PREFIX, IN_TYPES
from ..models import System


@transaction.atomic
def system_save(*, actor, system: System, changed: list[str]) -> System:
    """The admin's save: audited by the model signal; secrets are never written to events."""
    if not system.secret or not system.signing_key:
        raise Unprocessable("请填写回调验签密钥和推送签名密钥", fields={"secret": "必填"})
    system.save()
    record_event(
        actor=actor,
        verb="integration.system_saved",
        obj=system,
        data={"changed": [c for c in changed if c not in ("secret", "signing_key", "token")]},
    )
    return system


def unknown_type(event_type: str) -> bool:
    return not event_type.startswith(EVENT_PREFIX) or event_type not in IN_TYPES
