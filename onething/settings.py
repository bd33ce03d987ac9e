"""Settings for onething.

Everything that differs between a laptop and production comes from the
environment; the defaults give a working demo on SQLite with nothing else.
"""

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ONETHING_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)
CATALOG_DIR = Path(os.environ.get("ONETHING_CATALOG_DIR", BASE_DIR / "data" / "catalog"))
DATA_DIR = BASE_DIR / "data"


def _env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def _dev_secret_key() -> str:
    # A per-checkout key so that a demo never runs on a key published in the repo.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


DEBUG = _env_bool("ONETHING_DEBUG", False)
DEMO_MODE = _env_bool("ONETHING_DEMO", True)
SECRET_KEY = os.environ.get("ONETHING_SECRET_KEY") or _dev_secret_key()
ALLOWED_HOSTS = os.environ.get("ONETHING_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(
    ","
)

INSTALLED_APPS = [
    "onething.common.admin_apps.AdminConfig",  # django.contrib.admin, its writes audited
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "onething.common",
    "onething.accounts",
    "onething.rules",
    "onething.catalog",
    "onething.registry",
    "onething.cases",
    "onething.policies",
    "onething.assistant",
    "onething.feedback",
    "onething.supervision",
    "onething.integration",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "onething.common.views.ErrorContractMiddleware",
    "onething.common.inputs.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "onething.urls"
WSGI_APPLICATION = "onething.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "onething" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "onething.accounts.context_processors.shell",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("ONETHING_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {
        # 30 s: a page waits for the worker's write transaction instead of failing with HTTP 500;
        # 10 s was exceeded on a loaded 2-core machine while the worker caught up after demo load.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;",
        "transaction_mode": "IMMEDIATE",
    }
    # A file, not memory, so that a worker process started by a test sees the test database.
    # One file per test process, so parallel test runs never share it.
    DATABASES["default"]["TEST"] = {"NAME": f"/tmp/onething-test-{os.getpid()}.sqlite3"}
elif _env_bool("ONETHING_PG_PREPARE", True):
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5
    )

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "onething" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = VAR_DIR / "media"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Key material for department seals is encrypted with this key (SM4); production sets it.
ONETHING_KEY_ENCRYPTION_KEY = os.environ.get("ONETHING_KEY_ENCRYPTION_KEY", "")

ONETHING_DEMO_PASSWORD = os.environ.get("ONETHING_DEMO_PASSWORD", "Onething@2026")
ONETHING_PUBLIC_BASE_URL = os.environ.get("ONETHING_PUBLIC_BASE_URL", "http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ONETHING_LOG_LEVEL", "WARNING")},
}


# =============================================================================================
# SECURITY — hardening, second factor, OIDC, audit, personal data (docs/security.md).
# Everything security-related is set here, below the rest, so the settings above stay as they are.
# =============================================================================================
from django.core.exceptions import ImproperlyConfigured  # noqa: E402

INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "onething.common.security.SecurityHeadersMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") + 1,
    "onething.accounts.twofactor.StaffTwoFactorMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("onething.accounts.twofactor.StaffTwoFactorMiddleware") + 1,
    "onething.accounts.auth.PasswordChangeRequiredMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") + 1,
    "onething.common.security.AuditContextMiddleware",
)
AUTHENTICATION_BACKENDS = ["onething.accounts.backends.LockoutModelBackend"]

AUTH_PASSWORD_VALIDATORS += [
    {
        "NAME": "onething.accounts.validators.CharacterClassesValidator",
        "OPTIONS": {"min_classes": 3},
    },
]

# Sessions and CSRF. The CSRF token reaches htmx through the page, never through JavaScript
# reading the cookie, so the cookie can be HttpOnly.
SESSION_COOKIE_AGE = int(os.environ.get("ONETHING_SESSION_SECONDS", str(2 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "onething.common.views.csrf_failure"  # Chinese, JSON under /api/
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Login lockout: failures per username, and per source address (higher: offices share NAT).
ONETHING_LOCKOUT_FAILURES = int(os.environ.get("ONETHING_LOCKOUT_FAILURES", "5"))
ONETHING_LOCKOUT_IP_FAILURES = int(os.environ.get("ONETHING_LOCKOUT_IP_FAILURES", "20"))
ONETHING_LOCKOUT_WINDOW = int(os.environ.get("ONETHING_LOCKOUT_WINDOW", "900"))
ONETHING_LOCKOUT_SECONDS = int(os.environ.get("ONETHING_LOCKOUT_SECONDS", "900"))
ONETHING_TRUSTED_PROXIES = int(os.environ.get("ONETHING_TRUSTED_PROXIES", "0"))

# Second factor (TOTP) for every role except applicants. Demo mode may skip it.
ONETHING_DEMO_SKIP_2FA = DEMO_MODE and _env_bool("ONETHING_DEMO_SKIP_2FA", True)
ONETHING_REQUIRE_2FA = not ONETHING_DEMO_SKIP_2FA
OTP_TOTP_ISSUER = "onething 一件事"
# A device's key and QR code are the second factor itself: the admin never shows them.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
OTP_TOTP_THROTTLE_FACTOR = 1

# Content Security Policy (onething.common.security): scripts only from /static or with the
# request's nonce, never eval (htmx runs with allowEval=false; see templates/_htmx_config.html).
ONETHING_CSP_REPORT_ONLY = _env_bool("ONETHING_CSP_REPORT_ONLY", False)

# Personal information at rest; in demo mode the key is derived from SECRET_KEY.
ONETHING_PII_KEY = os.environ.get("ONETHING_PII_KEY", "")
ONETHING_AUDIT_RETENTION_DAYS = int(os.environ.get("ONETHING_AUDIT_RETENTION_DAYS", "183"))

# Province unified identity (OpenID Connect), off unless a client id is configured.
ONETHING_OIDC_ENABLED = bool(os.environ.get("ONETHING_OIDC_CLIENT_ID"))
ONETHING_OIDC_PROVIDER_NAME = os.environ.get(
    "ONETHING_OIDC_PROVIDER_NAME", "湖北政务服务网统一身份认证"
)
ONETHING_OIDC_ID_NUMBER_CLAIM = os.environ.get("ONETHING_OIDC_ID_NUMBER_CLAIM", "id_card_number")
ONETHING_OIDC_SATISFIES_2FA = _env_bool("ONETHING_OIDC_SATISFIES_2FA", False)
OIDC_RP_CLIENT_ID = os.environ.get("ONETHING_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("ONETHING_OIDC_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("ONETHING_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("ONETHING_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("ONETHING_OIDC_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("ONETHING_OIDC_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = os.environ.get("ONETHING_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("ONETHING_OIDC_SCOPES", "openid profile")
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc_callback"
OIDC_USERNAME_ALGO = "onething.accounts.oidc.username_for"
if ONETHING_OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("onething.accounts.oidc.ProvinceOIDCBackend")

# Production (ONETHING_DEMO=0) refuses to start on an unsafe configuration.
if not DEMO_MODE:
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME, CSRF_COOKIE_NAME = "__Host-sessionid", "__Host-csrftoken"
    SECURE_SSL_REDIRECT = _env_bool("ONETHING_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("ONETHING_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("ONETHING_HSTS_SUBDOMAINS", False)
    if _env_bool("ONETHING_BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = [ONETHING_PUBLIC_BASE_URL]
    _problems = [
        problem
        for problem, bad in [
            ("ONETHING_SECRET_KEY 未设置或少于 50 个字符", len(os.environ.get("ONETHING_SECRET_KEY", "")) < 50),
            ("ONETHING_DEBUG 不得开启", DEBUG),
            ("ONETHING_PUBLIC_BASE_URL 必须是 https:// 地址", not ONETHING_PUBLIC_BASE_URL.startswith("https://")),
            ("HTTPS 未启用：ONETHING_SSL_REDIRECT=0 时须设 ONETHING_BEHIND_TLS_PROXY=1", not (SECURE_SSL_REDIRECT or _env_bool("ONETHING_BEHIND_TLS_PROXY", False))),
            ("ONETHING_HSTS_SECONDS 不得为 0", SECURE_HSTS_SECONDS <= 0),
            ("ONETHING_ALLOWED_HOSTS 不得包含 * ", "*" in ALLOWED_HOSTS),
            ("ONETHING_PII_KEY（个人信息加密密钥）未设置或少于 32 个字符", len(ONETHING_PII_KEY) < 32),
            ("ONETHING_KEY_ENCRYPTION_KEY（印章私钥加密密钥）未设置", not ONETHING_KEY_ENCRYPTION_KEY),
            ("ONETHING_AUDIT_RETENTION_DAYS 不得少于 183 天（六个月）", ONETHING_AUDIT_RETENTION_DAYS < 183),
            ("ONETHING_DEMO_PASSWORD 不得在生产环境设置", "ONETHING_DEMO_PASSWORD" in os.environ),
        ]
        if bad
    ]  # fmt: skip
    if _problems:
        raise ImproperlyConfigured("生产环境配置不安全，拒绝启动：\n- " + "\n- ".join(_problems))

# Optional OpenAI-compatible model for the assistant's wording (off unless a base URL is set).
ONETHING_LLM_BASE_URL = os.environ.get("ONETHING_LLM_BASE_URL")
ONETHING_LLM_MODEL = os.environ.get("ONETHING_LLM_MODEL")
ONETHING_LLM_API_KEY = os.environ.get("ONETHING_LLM_API_KEY")
