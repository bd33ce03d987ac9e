"""Password authentication that refuses locked usernames and addresses before checking."""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from onething.common.security import client_ip

from . import lockout


class LockoutModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        username = username or kwargs.get("username") or ""
        ip = client_ip(request) if request is not None else ""
        if lockout.locked_until(username=username, ip=ip):
            lockout.refused(username=username)
            # authenticate() stops at PermissionDenied and tries no other backend.
            raise PermissionDenied
        return super().authenticate(request, username=username, password=password, **kwargs)
