from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "onething.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self):
        # The audit trail listens to every model write; accounts owns the security events.
        from onething.common import audit

        from . import signals  # noqa: F401

        audit.connect_signals()
