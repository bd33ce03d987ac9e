"""API authentication: bearer tokens for other systems, the session for pages; and the
forced password change after someone else set the password."""

from urllib.parse import quote

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from ninja.security import HttpBearer, SessionAuth

from . import services


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = services.token_authenticate(key=token)
        if user is not None:
            request.user = user
        return user


class Session(SessionAuth):
    """Session auth for the same-origin pages (CSRF checked by ninja)."""


API_AUTH = [BearerToken(), Session()]


PASSWORD_EXEMPT_PREFIXES = (
    "/accounts/password/",
    "/accounts/logout/",
    "/accounts/login/",
    "/accounts/2fa/",
    "/static/",
)


class PasswordChangeRequiredMiddleware:
    """A password set by an administrator (a reset, a new account) is only good for replacing it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            getattr(user, "is_authenticated", False)
            and getattr(user, "password_change_required", False)
            and not request.path.startswith(PASSWORD_EXEMPT_PREFIXES)
        ):
            if request.path.startswith("/api/"):
                body = {"code": "password_change_required", "message": "请先修改密码", "fields": {}}
                return JsonResponse(body, status=403)
            target = reverse("accounts:password_change")
            return redirect(f"{target}?next={quote(request.get_full_path())}")
        return self.get_response(request)
