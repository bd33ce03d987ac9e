"""Security events for accounts: logins, lockouts, role, privilege and password changes."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from onething.common import audit
from onething.common.security import client_ip

from . import lockout
from .models import User

WATCHED = ("role", "is_superuser", "is_staff", "is_active")


@receiver(user_logged_in, dispatch_uid="accounts.logged_in")
def _logged_in(sender, request, user, **kwargs):
    ip = client_ip(request) if request is not None else ""
    lockout.register_success(username=user.get_username(), ip=ip)
    method = getattr(user, "backend", "") or ""
    audit.security_event(
        "login.success", actor=user, target=user, detail={"backend": method.rsplit(".", 1)[-1]}
    )


@receiver(user_login_failed, dispatch_uid="accounts.login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username") or "")
    if not username:
        return  # not a password login (e.g. an OIDC callback without a code)
    ip = client_ip(request) if request is not None else ""
    if lockout.locked_until(username=username, ip=ip):
        return  # already refused and recorded by the backend
    audit.security_event(
        "login.failed", result=audit.Result.FAILURE, detail={"username": username[:150]}
    )
    lockout.register_failure(username=username, ip=ip)


@receiver(user_logged_out, dispatch_uid="accounts.logged_out")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.security_event("logout", actor=user, target=user)


@receiver(pre_save, sender=User, dispatch_uid="accounts.user_before")
def _remember_privileges(sender, instance, raw, **kwargs):
    if raw or instance.pk is None:
        instance._privileges_before = None
        return
    before = User.objects.filter(pk=instance.pk).values(*WATCHED).first()
    instance._privileges_before = before


@receiver(post_save, sender=User, dispatch_uid="accounts.user_after")
def _privileges_changed(sender, instance, created, raw, **kwargs):
    if raw:
        return
    if getattr(instance, "_password", None) is not None and not created:
        audit.security_event("password.changed", target=instance)
    if created:
        detail = {"role": instance.role, "is_superuser": instance.is_superuser}
        audit.security_event("account.created", target=instance, detail=detail)
        return
    before = getattr(instance, "_privileges_before", None) or {}
    changed = {
        name: [before[name], getattr(instance, name)]
        for name in WATCHED
        if name in before and before[name] != getattr(instance, name)
    }
    if changed:
        audit.security_event("permission.role_changed", target=instance, detail=changed)
