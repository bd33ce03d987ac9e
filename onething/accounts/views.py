"""Login (with lockout), password change, and the second-factor pages (twofactor.py)."""

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.utils import timezone

from onething.common.security import client_ip

from . import lockout


class LoginForm(auth_forms.AuthenticationForm):
    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": "用户名或密码不正确，请重新输入。",
        "inactive": "该账号已停用。",
        "locked": "登录失败次数过多，已暂时锁定，请于 %(until)s 后再试。",
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        until = lockout.locked_until(username=username, ip=client_ip(self.request))
        if until:
            lockout.refused(username=username)
            local = timezone.localtime(until).strftime("%H:%M")
            raise ValidationError(
                self.error_messages["locked"], code="locked", params={"until": local}
            )
        return super().clean()


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["oidc_enabled"] = settings.ONETHING_OIDC_ENABLED
        context["oidc_name"] = settings.ONETHING_OIDC_PROVIDER_NAME
        return context


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = "/"

    def form_valid(self, form):
        from django.contrib import messages

        form.user.password_change_required = False  # saved with the new password
        messages.success(self.request, "密码已修改。")
        return super().form_valid(form)
