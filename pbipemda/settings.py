"""Settings for every environment, read from environment variables.

With no variables set this is a production configuration that refuses to start without
SECRET_KEY and ALLOWED_HOSTS; `make run` sets DJANGO_DEBUG=1 for a local trial on SQLite.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if DEBUG:
    SECRET_KEY = SECRET_KEY or "django-insecure-local-only"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost"]
elif not SECRET_KEY or not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "SECRET_KEY dan ALLOWED_HOSTS wajib diisi bila DJANGO_DEBUG tidak aktif."
    )

# Which kabupaten this deployment serves: its regions and terms (see regions/terminology.py).
REGION_PROFILE = os.environ.get("REGION_PROFILE", "kulonprogo")

# SKTM letters (Lampiran C): number format, months of validity, paper size (A4 or F4).
SKTM_NUMBER_FORMAT = os.environ.get(
    "SKTM_NUMBER_FORMAT", "{seq:03d}/SKTM/{village_code}/{month_roman}/{year}"
)
SKTM_VALIDITY_MONTHS = int(os.environ.get("SKTM_VALIDITY_MONTHS", 3))
LETTER_PAPER = os.environ.get("LETTER_PAPER", "A4")

# Background jobs (jobs/, docs/background-jobs.md): a task in the database queue of
# django-tasks-db, run by `manage.py db_worker` processes; JOBS_RUN_INLINE (tests) runs each at
# once in the caller's process with the backport's immediate backend.
JOBS_RUN_INLINE = env_bool("JOBS_RUN_INLINE")
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if JOBS_RUN_INLINE
            else "django_tasks_db.DatabaseBackend"
        )
    }
}
# A running job silent this long lost its worker (killed, machine down) and is marked failed.
# Above the longest step a job takes without reporting progress.
JOBS_STALE_SECONDS = int(os.environ.get("JOBS_STALE_SECONDS", 600))
# `manage.py cleanup`: result files are kept this many days; an upload whose preview was not
# confirmed, this many hours.
JOBS_RESULT_DAYS = int(os.environ.get("JOBS_RESULT_DAYS", 30))
JOBS_UPLOAD_HOURS = int(os.environ.get("JOBS_UPLOAD_HOURS", 24))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "regions",
    "accounts",
    "audit",
    "people",
    "sktm",
    "enrollment",
    "jobs",
    "verification",
    "instructions",
    "oversight",
    "synthetic",
    "pbipemda",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "pbipemda.middleware.SessionRenewalMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A NUL byte in the path, query or form is a 400, before any view or query sees it.
    "pbipemda.middleware.NulByteMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "accounts.two_factor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "pbipemda.middleware.ContentSecurityPolicyMiddleware",
    # Last, as django-axes requires: it turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pbipemda.urls"
WSGI_APPLICATION = "pbipemda.wsgi.application"

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
                "regions.context_processors.terms",
                "pbipemda.navigation.context",
            ],
        },
    },
]

# SQLite by default; DATABASE_URL=postgres://… switches to PostgreSQL with Django's pool.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["OPTIONS"] = {"pool": True}
    # With the pool, Django passes this on as psycopg_pool's `check`: each connection is
    # checked (an empty query) as it leaves the pool, so after PostgreSQL restarts a dead one
    # is replaced there instead of failing the request with a 500.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    # The web and worker processes write to one file: a transaction takes the write lock when
    # it begins, so two never deadlock upgrading a read to a write ("database is locked").
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    if os.environ.get("SQLITE_TEST_NAME"):
        # The worker tests run `db_worker` in a process of its own: the test database must be
        # a file it can open, not SQLite's in-memory default.
        DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / os.environ["SQLITE_TEST_NAME"])}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username
# from one address, that pair is refused for AXES_COOLOFF_MINUTES; the page says until when.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_VERBOSE = False
# The number of reverse proxies in front of the app, each appending to X-Forwarded-For; the
# client's address is read there (audit.addresses.client_ip). Without it, behind nginx every
# client is 127.0.0.1 and one attacker's lockout would lock everyone out.
TRUSTED_PROXIES = int(
    os.environ.get("TRUSTED_PROXIES", 1 if env_bool("SECURE_PROXY_SSL_HEADER") else 0)
)
AXES_CLIENT_IP_CALLABLE = "audit.addresses.client_ip"

# A session ends after SESSION_IDLE_MINUTES without a request: each request renews it
# (pbipemda.middleware.SessionRenewalMiddleware, at most once a minute); closing the
# browser ends it too.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", 30)) * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Two-step login (accounts/two_factor.py): roles that must use an authenticator app.
TWO_FACTOR_ISSUER = os.environ.get("TWO_FACTOR_ISSUER", "PBI Pemda")
# After this many wrong codes in a row the account's second step is locked for the cool-off,
# whatever the session or address: 10^6 codes cannot be tried at login speed.
TWO_FACTOR_FAILURE_LIMIT = int(os.environ.get("TWO_FACTOR_FAILURE_LIMIT", 5))
TWO_FACTOR_COOLOFF_TIME = datetime.timedelta(
    minutes=int(os.environ.get("TWO_FACTOR_COOLOFF_MINUTES", 15))
)

# Content-Security-Policy (pbipemda/middleware.py): scripts and styles only from this site,
# never inline; no frames, no plugins, forms post only here.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "id"
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage",
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

if not DEBUG:
    # Behind a TLS-terminating proxy, set SECURE_PROXY_SSL_HEADER=1 so redirects see https.
    if env_bool("SECURE_PROXY_SSL_HEADER"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
