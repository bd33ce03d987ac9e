"""Login lockout: too many failures for one username, or from one address, lock it for a while.

Counted in the database (LoginAttempt rows), so it holds across processes without a cache.
A lock refuses even the right password until it ends; failures while locked are not counted,
so an attacker cannot extend a victim's lock indefinitely by hammering it.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from onething.common import audit

from .models import LoginAttempt, LoginLockout


def _user_key(username: str) -> str:
    return f"user:{(username or '').strip().lower()}"


def _keys(username: str, ip: str) -> list[str]:
    return [_user_key(username)] + ([f"ip:{ip}"] if ip else [])


def locked_until(*, username: str, ip: str = ""):
    """When the lock on this username or address ends, or None when there is none."""
    now = timezone.now()
    active = LoginLockout.objects.filter(key__in=_keys(username, ip), until__gt=now)
    return active.aggregate(until=Max("until"))["until"]


def refused(*, username: str) -> None:
    audit.security_event(
        "login.refused_locked", result=audit.Result.DENIED, detail={"username": username[:150]}
    )


def _since(key: str, username: str | None):
    now = timezone.now()
    floor = [now - timedelta(seconds=settings.ONETHING_LOCKOUT_WINDOW)]
    last_lock = LoginLockout.objects.filter(key=key).aggregate(m=Max("until"))["m"]
    if last_lock:
        floor.append(last_lock)
    if username is not None:
        ok = LoginAttempt.objects.filter(username__iexact=username, succeeded=True)
        if last_ok := ok.aggregate(m=Max("created_at"))["m"]:
            floor.append(last_ok)
    return max(floor)


def register_failure(*, username: str, ip: str = "") -> bool:
    """Count a failed password; returns True when this failure locked something."""
    username = (username or "")[:150]
    LoginAttempt.objects.create(username=username, ip=ip, succeeded=False)
    checks = [(_user_key(username), settings.ONETHING_LOCKOUT_FAILURES, username)]
    if ip:
        checks.append((f"ip:{ip}", settings.ONETHING_LOCKOUT_IP_FAILURES, None))
    locked = False
    for key, threshold, name in checks:
        failures = LoginAttempt.objects.filter(succeeded=False, created_at__gt=_since(key, name))
        failures = failures.filter(username__iexact=name) if name is not None else failures
        count = failures.filter(ip=ip).count() if name is None else failures.count()
        if count >= threshold:
            _lock(key, count)
            locked = True
    return locked


def _lock(key: str, failures: int) -> None:
    until = timezone.now() + timedelta(seconds=settings.ONETHING_LOCKOUT_SECONDS)
    LoginLockout.objects.create(key=key, until=until, failures=failures)
    audit.security_event(
        "login.lockout",
        result=audit.Result.DENIED,
        detail={"key": key, "failures": failures, "until": until.isoformat()},
    )


def register_success(*, username: str, ip: str = "") -> None:
    LoginAttempt.objects.create(username=username[:150], ip=ip, succeeded=True)


def unlock(*, key: str, actor=None) -> int:
    """End a lock early (security administrator)."""
    now = timezone.now()
    locks = list(LoginLockout.objects.filter(key=key, until__gt=now))
    for lock in locks:
        lock.until = now
        lock.save(update_fields=["until"])
    audit.security_event("login.unlocked", actor=actor, detail={"key": key})
    return len(locks)
