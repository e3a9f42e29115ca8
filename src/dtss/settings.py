"""The one settings module. Everything comes from DTSS_* environment variables.

See the configuration table in README.md. Nothing exists only in production: behaviour that
differs between a demo and a deployment is switched by variables, never by another module.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(f"DTSS_{name}", default)


def envbool(name: str, default: bool) -> bool:
    value = env(name, "true" if default else "false").strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"DTSS_{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = env(name, str(default))
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DTSS_{name} must be a whole number, not {value!r}") from exc


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DATA_DIR = Path(env("DATA_DIR", "./dtss-data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    given = env("SECRET_KEY")
    if given:
        return given
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = envbool("DEBUG", False)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "ninja",
    "django_tasks_db",
    "dtss.core",
    "dtss.orgs",
    "dtss.accounts",
    "dtss.imports",
    "dtss.framework",
    "dtss.surveys",
    "dtss.lrs",
    "dtss.analytics",
    "dtss.predict",
    "dtss.devices",
    "dtss.helpdesk",
    "dtss.homeschool",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dtss.core.middleware.DefaultLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dtss.urls"
WSGI_APPLICATION = "dtss.wsgi.application"
ASGI_APPLICATION = "dtss.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "dtss.core.context_processors.navigation",
            ],
        },
    },
]

# Database: an SQLite file in the data directory unless DTSS_DATABASE_URL says otherwise.
# Connections are kept open for a minute between requests (checked before reuse): opening a
# PostgreSQL connection per request cost the LRS a third of its throughput (benchmarks/).
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'dtss.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout after repeated failed logins (django-axes).
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("LOGIN_LOCKOUT_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# Languages and time: Traditional Chinese first, English second; Asia/Taipei.
LANGUAGE_CODE = "zh-hant"
LANGUAGES = [("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Taipei"
USE_TZ = True
LANGUAGE_COOKIE_NAME = "dtss_language"

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(DATA_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
WHITENOISE_USE_FINDERS = True  # the app serves its own static files even before collectstatic
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# Email: SMTP when DTSS_EMAIL_HOST is set, otherwise messages are written to files in the
# data directory (the demo's password-reset mails land in dtss-data/mail/).
if env("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env("EMAIL_HOST"),
                "port": envint("EMAIL_PORT", 587),
                "username": env("EMAIL_USER"),
                "password": env("EMAIL_PASSWORD"),
                "use_tls": envbool("EMAIL_TLS", True),
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(DATA_DIR / "mail")},
        }
    }
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "DTSS <noreply@dtss.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work through Django's Tasks framework: a database-backed queue by default
# (`dtss worker` runs it), Redis (RQ) by DTSS_TASKS=redis, in-process by DTSS_TASKS=immediate.
TASKS_MODE = env("TASKS", "database")
REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379/0")
if TASKS_MODE == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
elif TASKS_MODE == "redis":
    INSTALLED_APPS += ["django_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    RQ = {"JOB_CLASS": "django_tasks_rq.backend.Job"}
elif TASKS_MODE == "immediate":
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
else:
    raise ImproperlyConfigured("DTSS_TASKS must be database, redis or immediate")

# Cache, shared by the web workers and the task worker (e.g. progress of long imports): files in
# the data directory by default, Redis by DTSS_CACHE=redis, per-process memory by DTSS_CACHE=memory.
CACHE_MODE = env("CACHE", "redis" if TASKS_MODE == "redis" else "file")
if CACHE_MODE == "redis":
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
elif CACHE_MODE == "file":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }
elif CACHE_MODE == "memory":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ImproperlyConfigured("DTSS_CACHE must be file, redis or memory")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
BEHIND_PROXY = envbool("BEHIND_PROXY", False)
AXES_CLIENT_IP_CALLABLE = "dtss.core.net.client_ip"
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_PROXY", False) else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# The site's public address, for links in emails sent by background tasks (reminders).
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")

# Paging size of list pages and API lists.
PAGE_SIZE = envint("PAGE_SIZE", 50)

# Learning record store (xAPI): the largest request body accepted (413 beyond it), the page size
# of statement queries, how many days statements are kept (`dtss lrs purge`; 0 keeps all), how
# far behind now X-Experience-API-Consistent-Through stays (covers batches still committing;
# lists show statements stored before it), and how long a `more` link stays valid (seconds).
LRS_MAX_BODY_BYTES = envint("LRS_MAX_BODY_BYTES", 32 * 1024 * 1024)
LRS_PAGE_SIZE = envint("LRS_PAGE_SIZE", 100)
LRS_RETENTION_DAYS = envint("LRS_RETENTION_DAYS", 0)
LRS_CONSISTENCY_MARGIN_MS = envint("LRS_CONSISTENCY_MARGIN_MS", 1000)
LRS_MORE_MAX_AGE = envint("LRS_MORE_MAX_AGE", 86400)

# Learning analytics: keep the rollups in step with the LRS after every stored batch (a
# background task, a few seconds later); the longest time one record may add to a student's
# learning time (longer sessions are implausible: a tab left open).
ANALYTICS_AUTO_ROLLUP = envbool("ANALYTICS_AUTO_ROLLUP", True)
ANALYTICS_MAX_SESSION_SECONDS = envint("ANALYTICS_MAX_SESSION_SECONDS", 3 * 3600)

# Devices: a student device whose MDM has not reported it for this many days counts as idle in
# the review and the indicators; the borrowing agreement (借用切結書) is rendered from this
# template (copy `devices/loans/agreement.txt` into a template directory to word it your way).
DEVICES_IDLE_DAYS = envint("DEVICES_IDLE_DAYS", 30)
DEVICES_LOAN_AGREEMENT_TEMPLATE = env(
    "DEVICES_LOAN_AGREEMENT_TEMPLATE", "devices/loans/agreement.txt"
)
