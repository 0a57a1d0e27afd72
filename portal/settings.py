"""
The one settings module. Everything that differs between a laptop and a server comes from
environment variables, with defaults that suit development:

    DJANGO_DEBUG           "1"/"true" for development (the default), "0"/"false" in production
    DJANGO_SECRET_KEY      required when debug is off
    DJANGO_ALLOWED_HOSTS   comma-separated host names; required when debug is off
    DATABASE_URL           any dj-database-url URL; defaults to SQLite in db.sqlite3
    DJANGO_EMAIL_URL       smtp://user:password@host:587 (STARTTLS) or smtps://...:465 (TLS);
                           with debug on and none set, email is printed to the console
    DJANGO_DEFAULT_FROM_EMAIL  the From address of the site's email
    DJANGO_PASSWORD_RESET  "off" to switch password reset by email off
    DJANGO_CACHE_URL       redis://host:6379/0 for a cache shared by several hosts; without
                           it, each process keeps its own in memory

HTTPS, HSTS and the static files' folder have production variables of their own (README.md,
Configuration).

With debug off and a required variable missing, the process exits with a one-line message
naming what to set, rather than starting half-configured.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

from portal.mail import EmailUrlError, mailer_from_url
from portal.numbers import whole_number

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    number = whole_number(value)
    if number is None:
        raise SystemExit(f"{name} must be a whole number, not {value!r}.")
    return number


def require_in_production(name: str) -> str:
    """Stop the process with one line when a production setting is missing."""
    value = os.environ.get(name, "").strip()
    if not value:
        # SystemExit with a string prints just that line to stderr and exits with status 1,
        # which is what an operator reading a service log needs, instead of a traceback.
        raise SystemExit(f"{name} must be set when DJANGO_DEBUG is off.")
    return value


DEBUG = env_flag("DJANGO_DEBUG", default=True)

if DEBUG:
    SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or "django-insecure-development-only-key"
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
else:
    SECRET_KEY = require_in_production("DJANGO_SECRET_KEY")
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS") or [
        require_in_production("DJANGO_ALLOWED_HOSTS")
    ]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "portal",
    "lessons",
    "trees",
    "flashcards",
    "practice",
    "notes",
    "accounts",
    "search",
    "progress",
    "analytics",
    "backups",
    "decks",
    "pagecache",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.private_pages_not_stored",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out log-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "django.template.context_processors.csp",
            ],
        },
    },
]

# Database: SQLite by default (a git-ignored file in the project), anything else by URL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", default=60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Readers do not block the writer (WAL); a write transaction takes its lock when it begins
    # (IMMEDIATE) so two writers queue on the busy timeout instead of failing mid-transaction
    # with "database is locked". https://docs.djangoproject.com/en/6.1/ref/databases/#sqlite-notes
    # Keep the connection (a gunicorn sync worker serves one request at a time): opening the
    # file and running the PRAGMAs on every request costs more than many a page's queries.
    DATABASES["default"]["CONN_MAX_AGE"] = None
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests use a file too, so that locking behaves as in use: an in-memory test database
    # shares one cache between threads and fails at once with "table is locked" instead of
    # waiting its turn, which would make the concurrency tests test the wrong thing.
    # DJANGO_TEST_DB_FILE lets two suites run side by side on one checkout.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("DJANGO_TEST_DB_FILE", str(BASE_DIR / ".test-db.sqlite3"))
    }

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with a health check that sends nothing when the connection's socket
    # shows it alive and idle (portal/postgresql/base.py): a round trip less per request.
    DATABASES["default"]["ENGINE"] = "portal.postgresql"
    # No JIT compilation: it pays off for long analytic queries, not a web page's. The roster
    # sorted over 10,000 learners is estimated costly enough to be compiled, which took 70-90
    # ms of its 200 ms, every request. https://www.postgresql.org/docs/current/jit-decision.html
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = " ".join(filter(None, [options.get("options", ""), "-c jit=off"]))
    # Prepared statements: a query run a fifth time on a connection is prepared, and from then
    # on the server skips parsing and, once it settles on a generic plan, planning. Planning
    # the study queue's joins cost more than running them (EXPLAIN ANALYZE: 0.9-1.9 ms against
    # 0.1-0.9 ms each); the study page served 30-40% more requests with them (docs/NOTES.md).
    # They need the values sent apart from the SQL (server-side binding). Off behind a pooler
    # that cannot keep prepared statements (PgBouncer before 1.21 in transaction mode).
    if env_flag("DJANGO_DB_PREPARED_STATEMENTS", default=True):
        options["server_side_binding"] = True
        options["prepare_threshold"] = 5
        # And planned once. PostgreSQL plans a prepared query afresh on every run while it
        # estimates the generic plan costlier than the plans for the values at hand, and it did
        # so for the study queue's two due-card queries for good (pg_prepared_statements: 45
        # custom plans of 45; EXPLAIN ANALYZE: 2.4-2.7 ms of planning each against 0.3 ms of
        # running). Generic plans throughout: the study page 5.6-7.8 -> 3.7-4.3 ms in-process,
        # no page measured slower (bench/history.md, issue 20).
        options["options"] += " -c plan_cache_mode=force_generic_plan"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.RepeatedUnitPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "lessons:home"
LOGOUT_REDIRECT_URL = "lessons:home"

# Log-in lockout (django-axes, https://django-axes.readthedocs.io/en/latest/4_configuration.html):
# five failures for one username from one address lock that pair out for an hour, counted
# from the fifth failure (attempts while locked out do not extend it). Another address, or
# another username, is not locked. A successful log-in clears the pair's count. The axes
# backend only refuses locked-out attempts; ModelBackend (as accounts.backends.UserBackend) does
# the authenticating.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend with the user read cheaply on every signed-in request (accounts/backends.py).
    "accounts.backends.UserBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(hours=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_USERNAME_CALLABLE = "accounts.lockout.client_username"
# The client's address is REMOTE_ADDR, unless DJANGO_PROXY_COUNT says how many reverse proxies
# of ours stand in front and append to X-Forwarded-For (see accounts/lockout.py). Left at 0
# behind a proxy, every visitor would share the proxy's address.
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip_address"
PROXY_COUNT = env_int("DJANGO_PROXY_COUNT", default=0)

# Email (README.md, Configuration), as Django 6.1's MAILERS. With DJANGO_EMAIL_URL, SMTP over
# TLS; without it, in development, messages are printed to the console. In production without
# it the site sends nothing (password reset is off, below), and the entry is Django's own
# default (SMTP on localhost:25) only so that `check --deploy` does not call a console
# backend in production an error (mail.E001). Tests get Django's locmem outbox whatever is set.
if email_url := os.environ.get("DJANGO_EMAIL_URL", "").strip():
    try:
        MAILERS = {"default": mailer_from_url(email_url)}
    except EmailUrlError as error:
        raise SystemExit(str(error)) from None
elif DEBUG:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "").strip() or (
    "Study portal <noreply@localhost>"
)

# Password reset by email (accounts/reset.py). It is on when it can work: in development, or
# with a mail server. In production without DJANGO_EMAIL_URL it is off rather than printing
# reset links into the server's log; `make serve` refuses to start that way unless
# DJANGO_PASSWORD_RESET=off says it is meant. Off, the reset pages are a 404 that says so.
PASSWORD_RESET_ENABLED = env_flag("DJANGO_PASSWORD_RESET", default=True) and (
    DEBUG or bool(email_url)
)
# A reset link works for an hour, and once: Django's token hashes the password and last
# log-in, so setting a password (or logging in) spends it.
PASSWORD_RESET_TIMEOUT = 60 * 60
# Reset requests per hour, counted apart for each email address and each client address
# (accounts/reset.py). Beyond either, the request page answers as always and sends nothing.
PASSWORD_RESET_LIMIT_PER_EMAIL = 3
PASSWORD_RESET_LIMIT_PER_IP = 10
PASSWORD_RESET_LIMIT_WINDOW = dt.timedelta(hours=1)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where `collectstatic` writes the hashed, compressed files that WhiteNoise serves.
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files need `collectstatic`; development and tests serve the
        # source files directly instead.
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        ),
    },
}

# The visitors' page cache (pagecache/pages.py). Each process's own memory by default, which
# needs no server; with several hosts, DJANGO_CACHE_URL names a Redis server they share
# (Django's built-in backend, which needs the `redis` package). Either way a write to the
# content makes every older entry unreachable at once (the key holds the content version).
# https://docs.djangoproject.com/en/6.1/topics/cache/#redis
if cache_url := os.environ.get("DJANGO_CACHE_URL", "").strip():
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": cache_url}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            # At most 256 KB a page (pagecache.pages.LARGEST_CACHED_PAGE): ~128 MB at worst.
            "OPTIONS": {"MAX_ENTRIES": 500},
        }
    }

# FSRS adds a little random fuzz to review intervals so cards learnt together spread out;
# the tests turn it off to compare intervals with the fsrs package exactly.
FLASHCARDS_FUZZ = env_flag("FLASHCARDS_FUZZ", default=True)

# Uploaded notes are read in memory and never stored; 1 MB is the importer's own limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Where `manage.py backup` writes unless given --dir (README.md, Backups and restore).
BACKUP_DIR = Path(os.environ.get("DJANGO_BACKUP_DIR") or BASE_DIR / "var" / "backups")

# Content Security Policy, built into Django 6: scripts only from this site with a nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
# A refused CSRF check gets a page in the site's style (or one line, to htmx) that says
# what to do: reload the page.
CSRF_FAILURE_VIEW = "portal.errors.csrf_failure"

# Sessions live in the database, so any app process on any host can serve any request.
# Database sessions, read cheaply (portal/sessions.py): logging out deletes the row, so it
# ends the session at once on every worker and host.
SESSION_ENGINE = "portal.sessions"

# HTTPS in production: every part on by default, so `check --deploy` passes as shipped, and
# each switchable (a loopback benchmark speaks plain HTTP). Behind a TLS-terminating proxy,
# Django learns that a request came in over HTTPS from gunicorn, which believes the proxy's
# X-Forwarded-Proto when it comes from FORWARDED_ALLOW_IPS (loopback by default), or, with
# DJANGO_SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto, from that header whoever sent it: only for
# a proxy that always overwrites it.
# https://docs.djangoproject.com/en/6.1/ref/settings/#secure-proxy-ssl-header
if not DEBUG:
    SECURE_SSL_REDIRECT = env_flag("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # Load balancers poll /healthz over plain HTTP, straight at each app process.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_flag("DJANGO_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = env_flag("DJANGO_SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    if proxy_header := os.environ.get("DJANGO_SECURE_PROXY_SSL_HEADER", "").strip():
        SECURE_PROXY_SSL_HEADER = ("HTTP_" + proxy_header.upper().replace("-", "_"), "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler", "stream": sys.stderr}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
