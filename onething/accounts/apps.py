from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "onething.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self):
        # accounts owns the security events (logins, failures) sent by Django's auth signals.
        from . import signals  # noqa: F401
