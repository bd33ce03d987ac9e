"""Login through the province's unified identity service (OpenID Connect, authorisation code).

Off unless ONETHING_OIDC_CLIENT_ID is set (see settings). A person is matched by the ID
number claim (the identity service has verified it), else by the account made for their
``sub`` on first login. Only applicant accounts are ever created here; staff accounts exist
beforehand and keep their role, which no claim can change.
"""

import hashlib

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from onething.common import audit

from .constants import Role
from .models import User


def username_for(email, claims=None) -> str:
    sub = (claims or {}).get("sub", "")
    return "gov_" + hashlib.sha256(sub.encode()).hexdigest()[:20]


class ProvinceOIDCBackend(OIDCAuthenticationBackend):
    def verify_claims(self, claims):
        return bool(claims.get("sub"))

    def filter_users_by_claims(self, claims):
        id_number = (claims.get(settings.ONETHING_OIDC_ID_NUMBER_CLAIM) or "").strip().upper()
        if id_number:
            users = User.objects.filter(id_number=id_number, is_active=True)
            if users.exists():
                return users
        return User.objects.filter(username=username_for(None, claims), is_active=True)

    def create_user(self, claims):
        from . import services

        return services.user_create(
            username=username_for(None, claims),
            # Never used: the account signs in through the identity service only.
            password=_random_password(),
            role=Role.APPLICANT_PERSON,
            display_name=claims.get("name", "")[:64],
            id_number=(claims.get(settings.ONETHING_OIDC_ID_NUMBER_CLAIM) or "").strip().upper(),
            enforce_password_policy=False,
        )

    def update_user(self, user, claims):
        name = claims.get("name", "")[:64]
        if name and user.is_applicant and name != user.display_name:
            user.display_name = name
            user.save(update_fields=["display_name"])
        return user

    def authenticate(self, request, **kwargs):
        if not settings.ONETHING_OIDC_ENABLED:
            return None
        try:
            user = super().authenticate(request, **kwargs)
        except SuspiciousOperation:
            audit.security_event(
                "login.failed", result=audit.Result.FAILURE, detail={"backend": "oidc"}
            )
            raise
        if user is not None and request is not None and settings.ONETHING_OIDC_SATISFIES_2FA:
            request.session["mfa_by_identity_provider"] = True
        return user


def _random_password() -> str:
    import secrets

    return secrets.token_urlsafe(32)


def _enabled(view):
    def wrapped(request, *args, **kwargs):
        if not settings.ONETHING_OIDC_ENABLED:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


start = _enabled(OIDCAuthenticationRequestView.as_view())
callback = _enabled(OIDCAuthenticationCallbackView.as_view())
