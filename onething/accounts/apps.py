from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "onething.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self):
        # accounts owns the security events (logins, failures) sent by Django's auth signals.
        from . import otp_labels, signals  # noqa: F401

        # django-otp's admin names are untranslatable English literals; the admin shows ours.
        otp_labels.relabel()
