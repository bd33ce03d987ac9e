"""Second factor (TOTP) for staff: after the password, a code from an authenticator app.

Every role except applicants must verify a TOTP code once per session; on first login the
page shows a QR code to enrol. ``ONETHING_REQUIRE_2FA`` is off only in demo mode with
ONETHING_DEMO_SKIP_2FA=1 (the default there), so the demo accounts log in with a password.
"""

import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from onething.common import audit

from .constants import STAFF_ROLES

EXEMPT_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/accounts/login/", "/static/")


def requires_second_factor(user) -> bool:
    if not settings.ONETHING_REQUIRE_2FA or not getattr(user, "is_authenticated", False):
        return False
    return user.role in STAFF_ROLES or user.is_staff or user.is_superuser


def is_verified(user) -> bool:
    check = getattr(user, "is_verified", None)
    return bool(check and check())


class StaffTwoFactorMiddleware:
    """Staff with only a password behind them reach nothing but the second-factor pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            requires_second_factor(user)
            and not is_verified(user)
            and not request.session.get("mfa_by_identity_provider")
            and not request.path.startswith(EXEMPT_PREFIXES)
        ):
            if request.path.startswith("/api/"):
                body = {"code": "second_factor_required", "message": "请先完成双因素认证"}
                return JsonResponse(body | {"fields": {}}, status=401)
            return redirect(f"{reverse('accounts:two_factor')}?next={request.get_full_path()}")
        return self.get_response(request)


def _next(request) -> str:
    from onething.common.views import safe_next

    return safe_next(request, "/")


def _confirmed_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@login_required
def verify(request):
    device = _confirmed_device(request.user)
    if device is None:
        return redirect(f"{reverse('accounts:two_factor_setup')}?next={_next(request)}")
    error = ""
    if request.method == "POST":
        allowed, _ = device.verify_is_allowed()
        if allowed and device.verify_token(request.POST.get("token", "").strip()):
            otp_login(request, device)
            audit.security_event("2fa.success", actor=request.user, target=request.user)
            return redirect(_next(request))
        audit.security_event(
            "2fa.failed", actor=request.user, target=request.user, result=audit.Result.FAILURE
        )
        error = "验证码不正确，请重新输入。" if allowed else "尝试次数过多，请稍候再试。"
    return render(request, "accounts/two_factor.html", {"error": error, "next": _next(request)})


@login_required
def setup(request):
    if _confirmed_device(request.user) is not None:
        return redirect(reverse("accounts:two_factor"))  # re-enrolment goes via 安全管理员
    device, _ = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": "身份验证器"}
    )
    error = ""
    if request.method == "POST":
        if device.verify_token(request.POST.get("token", "").strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            audit.security_event("2fa.enrolled", actor=request.user, target=request.user)
            return redirect(_next(request))
        error = "验证码不正确：请确认手机时间准确后重新输入。"
    context = {
        "qr_svg": _qr_svg(device.config_url),
        "secret": _base32(device),
        "error": error,
        "next": _next(request),
    }
    return render(request, "accounts/two_factor_setup.html", context)


def _qr_svg(data: str) -> str:
    img = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    out = io.BytesIO()
    img.save(out)
    return out.getvalue().decode()


def _base32(device) -> str:
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
