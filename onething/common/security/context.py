"""Who is acting and from where: the actor audit rows record, set per request or by a command."""

import contextvars
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    label: str
    ip: str = ""


SYSTEM = Actor(None, "system")
_actor: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("audit_actor", default=None)


def client_ip(request) -> str:
    """REMOTE_ADDR, or the address the Nth trusted proxy saw (ONETHING_TRUSTED_PROXIES=N)."""
    proxies = getattr(settings, "ONETHING_TRUSTED_PROXIES", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def actor_from_request(request) -> Actor:
    user = getattr(request, "user", None)
    ip = client_ip(request)
    if user is not None and getattr(user, "is_authenticated", False):
        return Actor(user.pk, user.get_username(), ip)
    return Actor(None, "anonymous", ip)


def current_actor() -> Actor:
    return _actor.get() or SYSTEM


def set_actor(actor: Actor | None):
    """Returns a token for ``reset_actor``; CLI commands and jobs may set their own actor."""
    return _actor.set(actor)


def reset_actor(token) -> None:
    _actor.reset(token)


class AuditContextMiddleware:
    """Makes the signed-in user and their address available to audit rows written now.

    The user is resolved lazily, so requests that write nothing never touch the session.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _actor.set(_LazyActor(request))
        try:
            return self.get_response(request)
        finally:
            _actor.reset(token)


class _LazyActor:
    def __init__(self, request):
        self._request = request

    def __getattr__(self, name):
        return getattr(actor_from_request(self._request), name)
