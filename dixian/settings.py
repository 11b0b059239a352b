"""Dixian settings, read from the environment.

Modes (DIXIAN_MODE):
- ``production`` (the default): DEBUG is off, SECRET_KEY must be set, cookies are
  secure and HSTS is on; ``manage.py check --deploy`` passes.
- ``dev``: DEBUG on, a per-checkout secret kept in ``var/``; used by ``make demo``.
- ``test``: what the test suite runs with.

A production process with no SECRET_KEY stops at start-up with a clear message.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from dixian.env import (
    ConfigError,
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_secret,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("DIXIAN_VAR_DIR", str(BASE_DIR / "var")))

MODE = env_str("DIXIAN_MODE", "production")
if MODE not in {"production", "dev", "test"}:
    raise ConfigError(f"DIXIAN_MODE={MODE!r}: use production, dev or test.")
DEV = MODE == "dev"
TESTING = MODE == "test"

DEBUG = DEV and env_bool("DIXIAN_DEBUG", True)


def _dev_key(name: str, make) -> str:
    """A key generated once per checkout (dev mode), so sessions and data survive restarts."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / name
    if not path.exists():
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if MODE == "production":
        raise ConfigError(
            "SECRET_KEY is not set. Production needs a long random SECRET_KEY "
            "(or SECRET_KEY_FILE). For a local demo run `make demo` (DIXIAN_MODE=dev)."
        )
    SECRET_KEY = ("test-only-secret-key-" + "x" * 40 if TESTING
                  else _dev_key("dev-secret-key", lambda: secrets.token_urlsafe(50)))


def _random_key() -> str:
    import base64

    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


# Keys for personal data at rest (see dixian/core/pii.py). Production must set both.
DIXIAN_DATA_KEYS = env_secret("DIXIAN_DATA_KEYS")
DIXIAN_LOOKUP_KEY = env_secret("DIXIAN_LOOKUP_KEY")
if not DIXIAN_DATA_KEYS or not DIXIAN_LOOKUP_KEY:
    if MODE == "production":
        raise ConfigError(
            "DIXIAN_DATA_KEYS and DIXIAN_LOOKUP_KEY must be set in production: they encrypt "
            "and index resident ID and phone numbers (see docs/personal-data.md)."
        )
    if TESTING:
        DIXIAN_DATA_KEYS = DIXIAN_DATA_KEYS or "t1:" + "A" * 43
        DIXIAN_LOOKUP_KEY = DIXIAN_LOOKUP_KEY or "B" * 43
    else:
        DIXIAN_DATA_KEYS = DIXIAN_DATA_KEYS or "d1:" + _dev_key("dev-data-key", _random_key)
        DIXIAN_LOOKUP_KEY = DIXIAN_LOOKUP_KEY or _dev_key("dev-lookup-key", _random_key)

# The audit chain's HMAC key (dixian/core/audit.py), kept apart from the database: whoever
# can write the database but does not hold this key cannot forge a row. Production sets it
# (DIXIAN_AUDIT_KEY or DIXIAN_AUDIT_KEY_FILE; `dixian keys new` prints one).
DIXIAN_AUDIT_KEY = env_secret("DIXIAN_AUDIT_KEY")
if not DIXIAN_AUDIT_KEY:
    if MODE == "production":
        raise ConfigError(
            "DIXIAN_AUDIT_KEY must be set in production: it keys the audit chain "
            "(see docs/audit.md); `dixian keys new` prints a new key."
        )
    DIXIAN_AUDIT_KEY = ("C" * 43 if TESTING
                        else _dev_key("dev-audit-key", _random_key))
# Where `dixian audit anchor` (and `nightly`) append the signed head of the chain; a
# supervisor keeps a copy of this file away from the server.
DIXIAN_AUDIT_ANCHORS = Path(env_str("DIXIAN_AUDIT_ANCHORS",
                                    str(VAR_DIR / "audit-anchors.jsonl")))

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"] if MODE != "production" else []
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "dixian.core",
    "dixian.web",
    "dixian.registry",
    "dixian.quality",
    "dixian.exchange",
    "dixian.cases",
    "dixian.simulation",  # after exchange and cases: its demo step simulates the procedures
    "dixian.assistance",
    "dixian.statistics",
    "dixian.policy",
    "dixian.funds",
    "dixian.regional",  # after funds: its demo step runs after the funds step
    "dixian.connect",
    "dixian.alarms",
    "django_tasks_db",  # the background worker's queue (`dixian db_worker`)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "dixian.web.health.ProbeMiddleware",  # /healthz, /readyz: before any session work
    "dixian.core.middleware.UploadLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dixian.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "dixian.core.middleware.AccountGuardMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "dixian.core.middleware.RequestContextMiddleware",
    "dixian.core.middleware.PrivateResponseMiddleware",
    "dixian.core.middleware.BadInputMiddleware",
    "dixian.core.middleware.ServiceUnavailableMiddleware",
]

if MODE == "production":  # static files from the application server (after collectstatic)
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "dixian.urls"
WSGI_APPLICATION = "dixian.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "dixian" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "dixian.web.context.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR.resolve() / 'dixian.sqlite3'}"), BASE_DIR
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is slow by design; tests create many users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed logins allowed per account and per client address within the window.
# Screening on Spark (`dixian screen --engine spark`): local[2] runs in this process's machine;
# a cluster is spark://host:7077 or yarn, reading the same Parquet layout (docs/screening-rules.md).
DIXIAN_SPARK_MASTER = env_str("DIXIAN_SPARK_MASTER", "local[2]")

# Failed logins: per account from one client address, and per client address over all
# accounts (dixian/web/throttle.py).
# The largest upload (a registry or feed file; the request body). A county's national
# registry export is well under it; a larger file is split. The reverse proxy's
# client_max_body_size must not be smaller (docs/deployment.md).
DIXIAN_MAX_UPLOAD_BYTES = env_int("DIXIAN_MAX_UPLOAD_BYTES", 64 * 2**20)
# The largest document attached to a project's file (a scanned resolution, a contract, an
# acceptance report: PDF, JPEG, PNG, XLSX, DOCX or OFD; docs/funds-projects-assets.md).
DIXIAN_MAX_DOCUMENT_BYTES = env_int("DIXIAN_MAX_DOCUMENT_BYTES", 20 * 2**20)
# Rejected uploads (import and feed files that were refused) are deleted after this many
# days by `dixian purge_uploads`; their reports stay (docs/personal-data.md).
DIXIAN_REJECTED_UPLOAD_RETENTION_DAYS = env_int("DIXIAN_REJECTED_UPLOAD_RETENTION_DAYS", 30)

LOGIN_FAILURE_LIMIT = env_int("DIXIAN_LOGIN_FAILURE_LIMIT", 5)
LOGIN_CLIENT_FAILURE_LIMIT = env_int("DIXIAN_LOGIN_CLIENT_FAILURE_LIMIT", 20)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("DIXIAN_LOGIN_FAILURE_WINDOW", 15 * 60)

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "dixian" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

MEDIA_ROOT = VAR_DIR / "media"  # originals of uploaded files (never served publicly)
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("DIXIAN_STATIC_ROOT", str(VAR_DIR / "static")))
STORAGES = {
    # uploads: atomic writes, content-addressed reuse, a clear error on a full disk
    "default": {"BACKEND": "dixian.core.storage.SafeFileStorage"},
    # Production serves the hashed, compressed copies that `dixian collectstatic` writes.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
                    if MODE == "production"
                    else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Background tasks (Django's task framework). In production the queue is a database table
# and `dixian db_worker` runs it (docs/deployment.md); dev and test run each task at once.
TASK_BACKEND = env_str("DIXIAN_TASK_BACKEND", "database" if MODE == "production" else "immediate")
if TASK_BACKEND not in {"database", "immediate"}:
    raise ConfigError(f"DIXIAN_TASK_BACKEND={TASK_BACKEND!r}: use database or immediate.")
# A running job whose worker has sent no sign of life for this long is shown as failed (its
# worker died) and may be run again; longer than the longest single write of an import.
DIXIAN_JOB_STALE_SECONDS = env_int("DIXIAN_JOB_STALE_SECONDS", 15 * 60)
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend" if TASK_BACKEND == "database"
                     else "django.tasks.backends.immediate.ImmediateBackend"}}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("DIXIAN_SESSION_AGE", 8 * 3600)
# A session left idle this long ends (signed out at the next request).
DIXIAN_SESSION_IDLE = env_int("DIXIAN_SESSION_IDLE", 30 * 60)
# Two-factor sign-in (TOTP) for the roles that can reveal personal data or grant access
# (dixian.core.roles.TWO_FACTOR_ROLES): on in production; off by default in dev and test so
# that the demo and the suite sign in with a password (the tests that check it turn it on).
DIXIAN_TWO_FACTOR = env_bool("DIXIAN_TWO_FACTOR", MODE == "production")
# Requests per minute allowed to one API token (machine access).
DIXIAN_TOKEN_RATE = env_int("DIXIAN_TOKEN_RATE", 120)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

from django.utils.csp import CSP  # noqa: E402  (Django 6 built-in CSP)

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "frame-ancestors": [CSP.NONE],
}

if MODE == "production":
    SECURE_SSL_REDIRECT = env_bool("DIXIAN_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DIXIAN_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DIXIAN_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Probes reach the application server directly, over plain HTTP (docs/deployment.md).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# Structured logs (dixian/core/logs.py): JSON lines on standard error in production.
LOG_FORMAT = env_str("DIXIAN_LOG_FORMAT", "json" if MODE == "production" else "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "dixian.core.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler",
                             "formatter": "json" if LOG_FORMAT == "json" else "text"}},
    "root": {"handlers": ["console"],
             "level": env_str("DIXIAN_LOG_LEVEL", "INFO" if MODE == "production" else "WARNING")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Labels for the navigation; defined here so makemessages finds them once.
SITE_NAME = _("Dixian")
