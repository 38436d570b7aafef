"""Settings for every environment, read from environment variables.

With no variables set this is a production configuration that refuses to start without
SECRET_KEY and ALLOWED_HOSTS; `make run` sets DJANGO_DEBUG=1 for a local trial on SQLite.
"""

import base64
import datetime
import hashlib
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
# The public address the SKTM's QR code opens (https://pbi.example.go.id/), not the host a letter
# was downloaded through; without it the first of ALLOWED_HOSTS (sktm/letters.public_base_url).
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")

# BPJS's branch office hands out the e-Dabu upload template: its column layout is a file per
# deployment (docs/bpjs.md).
BPJS_REGISTRATION_LAYOUT = Path(
    os.environ.get(
        "BPJS_REGISTRATION_LAYOUT", BASE_DIR / "fixtures" / "bpjs" / "registrasi-kolektif.toml"
    )
)
BPJS_BILLING_LAYOUT = Path(
    os.environ.get("BPJS_BILLING_LAYOUT", BASE_DIR / "fixtures" / "bpjs" / "data-peserta.toml")
)
# Dukcapil's extract of population events, the same way (docs/feeds.md).
DUKCAPIL_EVENTS_LAYOUT = Path(
    os.environ.get(
        "DUKCAPIL_EVENTS_LAYOUT", BASE_DIR / "fixtures" / "feeds" / "peristiwa-dukcapil.toml"
    )
)

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
# UU 27/2022: `manage.py cleanup` deletes access-log rows older than this many days (run as the
# tables' owner, docs/production.md), and letter-check rows (the QR checks and their addresses).
ACCESS_LOG_RETENTION_DAYS = int(os.environ.get("ACCESS_LOG_RETENTION_DAYS", 730))
LETTER_CHECK_RETENTION_DAYS = int(
    os.environ.get("LETTER_CHECK_RETENTION_DAYS", ACCESS_LOG_RETENTION_DAYS)
)

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
    "bpjs",
    "feeds",
    "instructions",
    "oversight",
    "synthetic",
    "pbipemda",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed (static files come compressed from WhiteNoise). BREACH: the CSRF token in
    # each page is masked afresh per response, so compression does not leak it.
    "django.middleware.gzip.GZipMiddleware",
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
    "pbipemda.middleware.StampsMiddleware",
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
# The navigation's badges (pbipemda/navigation.py) are kept this many seconds per user and
# session, so that every page does not count them again; tests set 0 to see each change.
NAV_BADGE_SECONDS = int(os.environ.get("NAV_BADGE_SECONDS", 30))

# SQLite by default; DATABASE_URL=postgres://… switches to PostgreSQL with Django's pool.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT off: PostgreSQL compiles a query it estimates large, which costs the kabupaten's
    # pages about a second a query (DTSEN's ranking at a million residents: 2.9 s, 2.1 without;
    # docs/scale.md) and never repays it on queries that run for a second or less.
    DATABASES["default"]["OPTIONS"] = {"pool": True, "options": "-c jit=off"}
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

# Django's cache (oversight's figures, keyed on what they read): a table of the database by
# default, no extra service (created by oversight's migration 0003); Redis when REDIS_URL is set.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
    }
    if os.environ.get("REDIS_URL")
    else {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "pbipemda_cache",
        # Each change of the ledger keys a page's figures anew (the old keys expire in a day):
        # above this many the table drops a third of its keys, by name, and with them what
        # feeds.dtsen keeps to apply the next change to (Django's default is 300).
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    }
}

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
# static/js/session.js warns this many seconds before the idle logout and offers to stay.
SESSION_WARNING_SECONDS = int(os.environ.get("SESSION_WARNING_SECONDS", 120))

# Two-step login (accounts/two_factor.py): roles that must use an authenticator app.
TWO_FACTOR_ISSUER = os.environ.get("TWO_FACTOR_ISSUER", "PBI Pemda")
# After this many wrong codes in a row the account's second step is locked for the cool-off,
# whatever the session or address: 10^6 codes cannot be tried at login speed.
TWO_FACTOR_FAILURE_LIMIT = int(os.environ.get("TWO_FACTOR_FAILURE_LIMIT", 5))
TWO_FACTOR_COOLOFF_TIME = datetime.timedelta(
    minutes=int(os.environ.get("TWO_FACTOR_COOLOFF_MINUTES", 15))
)
# Authenticator secrets are stored encrypted (accounts/encryption.py) with these Fernet keys,
# comma-separated: the first encrypts, all decrypt, so a key is rotated by putting a new one first
# (docs/security.md). Required in production; in DEBUG derived from SECRET_KEY.
FIELD_ENCRYPTION_KEYS = env_list("PBIPEMDA_FIELD_KEY")
if not FIELD_ENCRYPTION_KEYS and DEBUG:
    FIELD_ENCRYPTION_KEYS = [
        base64.urlsafe_b64encode(hashlib.sha256(f"field-key:{SECRET_KEY}".encode()).digest())
    ]
elif not FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("PBIPEMDA_FIELD_KEY wajib diisi bila DJANGO_DEBUG tidak aktif.")
# UU 27/2022 Pasal 53: the data-protection officer, named in the login page's privacy note.
DPO_NAME = os.environ.get("DPO_NAME", "")
DPO_EMAIL = os.environ.get("DPO_EMAIL", "")
DPO_PHONE = os.environ.get("DPO_PHONE", "")

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
# Production serves static files under content-hashed names, which WhiteNoise lets browsers
# keep for years (collectstatic writes them); `make run` and the tests (STATIC_MANIFEST=0)
# serve them from the source folders as they are.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "whitenoise.storage.CompressedStaticFilesStorage"
        ),
    },
}
# Without collected files (make run, tests) WhiteNoise finds them where they are written.
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST

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
