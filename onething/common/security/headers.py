"""Headers Django does not set: CSP with a per-request nonce, Permissions-Policy, no-store."""

import secrets

from django.conf import settings


def csp_header(nonce: str) -> str:
    directives = {
        "default-src": ["'self'"],
        # No 'unsafe-inline', no 'unsafe-eval': handlers live in static files (onething/site.js).
        "script-src": ["'self'", f"'nonce-{nonce}'"],
        # Inline style attributes are common in templates; style injection cannot run code.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'", *getattr(settings, "ONETHING_CSP_FORM_ACTION", [])],
        "frame-ancestors": ["'none'"],
    }
    if getattr(settings, "SECURE_SSL_REDIRECT", False):
        directives["upgrade-insecure-requests"] = []
    return "; ".join(" ".join([k, *v]) for k, v in directives.items())


PERMISSIONS_POLICY = (
    "camera=(self), microphone=(), geolocation=(), payment=(), usb=(), "
    "interest-cohort=(), browsing-topics=()"
)


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set. Sits right after it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        header = (
            "Content-Security-Policy-Report-Only"
            if getattr(settings, "ONETHING_CSP_REPORT_ONLY", False)
            else "Content-Security-Policy"
        )
        response.headers.setdefault(header, csp_header(request.csp_nonce))
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if _signed_in(request) and "Cache-Control" not in response.headers:
            # Personal data must not linger in the cache of a shared office or library computer.
            response.headers["Cache-Control"] = "no-store"
        return response


def _signed_in(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and getattr(user, "is_authenticated", False))
