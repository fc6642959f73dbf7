"""Jingwu settings: everything machine-specific comes from the environment.

SQLite is the embedded default (nothing else to install); ``DATABASE_URL`` switches
to PostgreSQL. ``JINGWU_MODE=production`` refuses DEBUG and the default secret key.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import database_from_url, env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("JINGWU_DATA_DIR", str(Path.cwd() / "var"))).resolve()

MODE = env_str("JINGWU_MODE", "development")
if MODE not in {"development", "production"}:
    raise ImproperlyConfigured("JINGWU_MODE must be 'development' or 'production'")
PRODUCTION = MODE == "production"

DEFAULT_SECRET = "jingwu-development-only-secret-key-change-me"
SECRET_KEY = env_str("JINGWU_SECRET_KEY", DEFAULT_SECRET)
DEBUG = env_bool("JINGWU_DEBUG", not PRODUCTION)

if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("Production mode refuses JINGWU_DEBUG=true.")
    if SECRET_KEY == DEFAULT_SECRET or len(SECRET_KEY) < 40:
        raise ImproperlyConfigured(
            "Production mode needs JINGWU_SECRET_KEY set to a random value of 40+ characters."
        )

# The reverse proxy in front of `jingwu serve` (its address): the client's address then
# comes from X-Forwarded-For (for the audit trail and the lock-out by address).
TRUSTED_PROXY = env_str("JINGWU_TRUSTED_PROXY", "")
ALLOWED_HOSTS = env_list("JINGWU_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("JINGWU_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_q",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "jingwu.core",
    "jingwu.accounts",
    "jingwu.org",
    "jingwu.personnel",
    "jingwu.places",
    "jingwu.incidents",
    "jingwu.cases",
    "jingwu.series",
    "jingwu.analytics",
    "jingwu.demo",
    "jingwu.jobs",
    "jingwu.imports",
    "jingwu.planning",
    "jingwu.duty",
    "jingwu.evaluation",
    "jingwu.inspections",
    "jingwu.leads",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "jingwu.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jingwu.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Request context for audit events, and refused requests (403, 404 on a record's
    # address, CSRF failures, the two-factor refusal below) into the audit trail.
    "jingwu.core.middleware.RequestContextMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "jingwu.accounts.otp.RequireOTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "jingwu.core.clock.BureauTimeZoneMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lock-out after repeated failed log-ins: by account (whatever the address) and by address
# (whatever the account), each with its own limit (see accounts/lockout.py).
AXES_ENABLED = env_bool("JINGWU_AXES", True)
AXES_HANDLER = "jingwu.accounts.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = env_int("JINGWU_LOGIN_FAILURES", 5)
LOGIN_FAILURES_PER_ADDRESS = env_int("JINGWU_LOGIN_FAILURES_PER_ADDRESS", 10)
AXES_COOLOFF_TIME = env_int("JINGWU_LOCKOUT_MINUTES", 30) / 60
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Two-factor codes for command, planners, auditors and administrators (see accounts/otp.py).
OTP_REQUIRED = env_bool("JINGWU_OTP", True)
OTP_TOTP_ISSUER = env_str("JINGWU_OTP_ISSUER", "Jingwu")

ROOT_URLCONF = "jingwu.site.urls"
WSGI_APPLICATION = "jingwu.site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "jingwu.site.context.site",
            ],
        },
    }
]

DATABASES = {"default": database_from_url(env_str("DATABASE_URL"), DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if env_bool("JINGWU_FAST_HASHER", False):  # the test suite only
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_AGE = env_int("JINGWU_SESSION_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "jingwu.site.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = env_bool("JINGWU_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_SSL_REDIRECT = env_bool("JINGWU_SSL_REDIRECT", False)
    SECURE_HSTS_SECONDS = env_int("JINGWU_HSTS_SECONDS", 0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("JINGWU_HSTS_SUBDOMAINS", True)
    # The browsers' HSTS preload list is for public internet domains; an intranet host
    # cannot be on it, so the check that asks for it does not apply.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = DATA_DIR / "media"
# The largest file an import takes (upload form and command line); a compressed file
# (gzip, xlsx) may expand to four times this. See docs/admin.md.
IMPORT_MAX_BYTES = env_int("JINGWU_IMPORT_MAX_MB", 512) * 1024 * 1024
if IMPORT_MAX_BYTES <= 0:
    raise ImproperlyConfigured("JINGWU_IMPORT_MAX_MB must be a positive number of megabytes")

# Map tiles from an intranet tile server, e.g. "http://tiles.intra/{z}/{x}/{y}.png".
# Empty: maps draw boundaries and points on a plain background.
TILE_URL = env_str("JINGWU_TILE_URL", "")
TILE_ATTRIBUTION = env_str("JINGWU_TILE_ATTRIBUTION", "")

REST_FRAMEWORK = {
    # Token first: a request without credentials gets 401 with "WWW-Authenticate: Token"
    # (DRF asks the first class for that header; session authentication has none).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "jingwu.core.api.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Jingwu API",
    "DESCRIPTION": "Units, officers, postings, key premises, incidents and cases of a bureau, scoped to the caller.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # cases, routing rules and time limits share the choices of a case's kind
    "ENUM_NAME_OVERRIDES": {
        "CaseKindEnum": "jingwu.cases.choices.CASE_KIND_CHOICES",
        "ReviewDecisionEnum": "jingwu.evaluation.choices.ReviewDecision",
        "CommitteeDecisionEnum": "jingwu.evaluation.choices.CommitteeDecision",
        "AppealDecisionEnum": "jingwu.evaluation.choices.AppealDecision",
    },
}

# The worker cluster runs long work (jingwu.jobs): several jobs at once, each kind
# under its own cap and limits (jingwu/jobs/registry.py). Its own timeout is only the
# backstop of the jobs' limits, and its retry the backstop of the minute's sweep that
# resumes a job whose worker died.
JOB_WORKERS = env_int("JINGWU_WORKERS", 3)
Q_CLUSTER = {
    "name": "jingwu",
    "workers": JOB_WORKERS,
    "recycle": 50,
    "timeout": env_int("JINGWU_WORKER_TIMEOUT", 6 * 3600),
    "retry": env_int("JINGWU_WORKER_TIMEOUT", 6 * 3600) + 600,
    "max_attempts": 2,
    "orm": "default",
    "catch_up": False,
    "label": _("Background jobs"),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("JINGWU_LOG_LEVEL", "WARNING")},
}
