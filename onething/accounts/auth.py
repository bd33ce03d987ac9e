"""API authentication: bearer tokens for other systems, the session for pages."""

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
