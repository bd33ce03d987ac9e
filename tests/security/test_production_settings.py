"""ONETHING_DEMO=0 refuses to start on an unsafe configuration."""

import os
import subprocess
import sys

import pytest

SAFE = {
    "ONETHING_DEMO": "0",
    "ONETHING_SECRET_KEY": "k" * 64,
    "ONETHING_PUBLIC_BASE_URL": "https://zwfw.example.gov.cn",
    "ONETHING_ALLOWED_HOSTS": "zwfw.example.gov.cn",
    "ONETHING_PII_KEY": "p" * 40,
    "ONETHING_KEY_ENCRYPTION_KEY": "kek-" * 10,
}
SETUP = "import django; django.setup(); from django.conf import settings; print('started', settings.SESSION_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS)"


def start(**overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ONETHING_") or k == "ONETHING_VAR_DIR"
    }
    env |= {"DJANGO_SETTINGS_MODULE": "onething.settings"} | SAFE
    env |= {k: v for k, v in overrides.items() if v is not None}
    for key in [k for k, v in overrides.items() if v is None]:
        env.pop(key, None)
    return subprocess.run(
        [sys.executable, "-c", SETUP], env=env, capture_output=True, text=True, timeout=60
    )


def test_a_safe_production_configuration_starts():
    result = start()
    assert result.returncode == 0, result.stderr
    assert "started True 31536000" in result.stdout


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"ONETHING_SECRET_KEY": None}, "ONETHING_SECRET_KEY"),
        ({"ONETHING_SECRET_KEY": "short"}, "ONETHING_SECRET_KEY"),
        ({"ONETHING_DEBUG": "1"}, "ONETHING_DEBUG"),
        ({"ONETHING_PUBLIC_BASE_URL": "http://zwfw.example.gov.cn"}, "https://"),
        ({"ONETHING_SSL_REDIRECT": "0"}, "HTTPS"),
        ({"ONETHING_HSTS_SECONDS": "0"}, "HSTS"),
        ({"ONETHING_PII_KEY": None}, "ONETHING_PII_KEY"),
        ({"ONETHING_KEY_ENCRYPTION_KEY": None}, "ONETHING_KEY_ENCRYPTION_KEY"),
        ({"ONETHING_ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS"),
        ({"ONETHING_AUDIT_RETENTION_DAYS": "30"}, "183"),
        ({"ONETHING_DEMO_PASSWORD": "Onething@2026"}, "DEMO_PASSWORD"),
    ],
)
def test_an_unsafe_production_configuration_refuses_to_start(overrides, message):
    result = start(**overrides)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


def test_behind_a_tls_proxy_without_redirect_is_accepted():
    result = start(ONETHING_SSL_REDIRECT="0", ONETHING_BEHIND_TLS_PROXY="1")
    assert result.returncode == 0, result.stderr


def test_demo_mode_needs_none_of_it():
    result = start(ONETHING_DEMO="1", ONETHING_SECRET_KEY=None, ONETHING_PII_KEY=None)
    assert result.returncode == 0, result.stderr
