"""Django settings, read from the environment. Nothing secret lives in the repository.

Environment variables:

- ``NEEDLEWISE_DATA_DIR``: where the SQLite database and the generated secret key live (``./var``):
  private to the account that runs needlewise (``0700``, files ``0600``; a folder others can read or
  write is refused, see :mod:`needlewise.web.data_folder`).
- ``NEEDLEWISE_SECRET_KEY``: the secret key; without it one is generated once into the data folder.
- ``NEEDLEWISE_DATA_KEY``: the key (or keys, comma-separated, current first) that encrypts health data in
  the database; without it the key file ``NEEDLEWISE_DATA_KEY_FILE`` (default ``<data folder>/keys/data_key``)
  is used, made on first run. Keep a copy of the key apart from the database's backups: without it they
  cannot be read (``docs/clinic.md``, "Keys").
- ``NEEDLEWISE_AUDIT_KEY``: the key (or keys, comma-separated, current first) that the audit chain's HMACs
  are made with; without it the key file ``NEEDLEWISE_AUDIT_KEY_FILE`` (default ``<data folder>/keys/audit_key``),
  made on first run. ``NEEDLEWISE_CHECKPOINT_SIGNING_KEY_FILE`` (default
  ``<data folder>/keys/checkpoint_signing_key``): the Ed25519 key that signs ``needlewise audit checkpoint``.
- ``NEEDLEWISE_DEBUG``: ``1`` for development error pages (never in production).
- ``NEEDLEWISE_ALLOWED_HOSTS``: comma-separated host names (default ``127.0.0.1,localhost``).
- ``NEEDLEWISE_RATE_LIMIT``: API requests per minute per client address (default 120; 0 turns it off),
  counted across every worker process of the machine.
- ``NEEDLEWISE_PUBLIC_LIMITS``: ``0`` turns off the per-address limits on public pages (check-in links,
  saving results, starting home journals (API), clinic requests, PDFs, sign-in, reset, Twilio's SMS
  reports; see ``PUBLIC_LIMITS``), e.g. when the reverse proxy limits them, or for the browser tests.
- ``NEEDLEWISE_HTTPS``: ``1`` when served behind an HTTPS reverse proxy that sets
  ``X-Forwarded-Proto`` (secure ``__Host-`` cookies, HSTS with subdomains, plain HTTP redirected).
- ``DATABASE_URL``: ``postgresql://user[:password]@host[:port]/name`` to use PostgreSQL instead of
  the embedded SQLite database.
- ``NEEDLEWISE_DB_PREPARE``: ``0`` stops PostgreSQL statements from being prepared (for a connection
  pooler in transaction mode); by default values are bound on the server and busy statements prepared.
- ``NEEDLEWISE_IDLE_MINUTES``: clinic staff are signed out after this much inactivity (default 15).
- ``NEEDLEWISE_SESSION_HOURS``: and after this long in any case (default 12, as NIST SP 800-63B AAL2).
- ``NEEDLEWISE_EMAIL_BACKEND``: Django e-mail backend for password-reset links (default:
  ``needlewise.web.mail.LogEmailBackend``, which sends nothing and logs only the address and subject,
  the whole message with its link only with ``NEEDLEWISE_DEBUG``; e.g.
  ``django.core.mail.backends.smtp.EmailBackend`` with ``NEEDLEWISE_EMAIL_HOST``/``_PORT``/``_USER``/
  ``_PASSWORD`` and ``NEEDLEWISE_EMAIL_FROM``).
- ``NEEDLEWISE_TWILIO_ACCOUNT_SID``, ``NEEDLEWISE_TWILIO_AUTH_TOKEN``, ``NEEDLEWISE_TWILIO_FROM`` (a phone
  number or a Messaging Service SID ``MG…``): SMS through Twilio (without all three, SMS fail and are
  retried, then marked failed). ``NEEDLEWISE_TWILIO_API_URL``: another address for Twilio's API (default
  ``https://api.twilio.com``; a local stand-in in tests and staging).
- ``NEEDLEWISE_PUBLIC_URL``: the site's public address (``https://clinic.example.org``). With it, each SMS
  asks Twilio to report delivery to ``<public url>/hooks/sms/status``, and Twilio's signatures on
  ``/hooks/sms/…`` are checked against that address rather than the one the request names.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlsplit

from needlewise.web import data_folder

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = data_folder.prepare(Path(os.environ.get("NEEDLEWISE_DATA_DIR", "var")).resolve())


def _secret_key() -> str:
    configured = os.environ.get("NEEDLEWISE_SECRET_KEY")
    if configured:
        return configured
    DATA_DIR.mkdir(mode=data_folder.FOLDER_MODE, parents=True, exist_ok=True)  # again: tests point DATA_DIR elsewhere
    path = DATA_DIR / "secret_key"
    if not path.exists():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text(encoding="ascii").strip()


def _flag(name: str) -> bool:
    return os.environ.get(name, "") in {"1", "true", "yes"}


SECRET_KEY = _secret_key()
DATA_KEY = os.environ.get("NEEDLEWISE_DATA_KEY") or None
DATA_KEY_FILE = Path(os.environ.get("NEEDLEWISE_DATA_KEY_FILE") or DATA_DIR / "keys" / "data_key").resolve()
AUDIT_KEY = os.environ.get("NEEDLEWISE_AUDIT_KEY") or None
AUDIT_KEY_FILE = Path(os.environ.get("NEEDLEWISE_AUDIT_KEY_FILE") or DATA_DIR / "keys" / "audit_key").resolve()
CHECKPOINT_SIGNING_KEY_FILE = Path(
    os.environ.get("NEEDLEWISE_CHECKPOINT_SIGNING_KEY_FILE") or DATA_DIR / "keys" / "checkpoint_signing_key"
).resolve()
DEBUG = _flag("NEEDLEWISE_DEBUG")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("NEEDLEWISE_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
RATE_LIMIT_PER_MINUTE = int(os.environ.get("NEEDLEWISE_RATE_LIMIT", "120"))
#: The API limit's windows, shared by every worker process of this machine (``web/rate_windows.py``).
RATE_WINDOWS_FILE = DATA_DIR / "rate_windows"
HTTPS = _flag("NEEDLEWISE_HTTPS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "needlewise.storage",
    "needlewise.web",
]

#: Background jobs (outbound messages) in the database: no other service to run, SQLite or PostgreSQL.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "messages"]}}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "needlewise.web.middleware.SecurityHeadersMiddleware",
    "needlewise.web.middleware.RateLimitMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "needlewise.web.public_limits.PublicLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "needlewise.web.uploads.UploadGateMiddleware",  # its check runs before CSRF's reads the body
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "needlewise.web.staff_session.RequestContextMiddleware",
    "needlewise.web.staff_session.StaffSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "needlewise.web.urls"
WSGI_APPLICATION = "needlewise.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [PACKAGE_DIR / "web" / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "needlewise.web.jinja.environment",
            "autoescape": True,
            "context_processors": ["needlewise.web.page_csrf.one_token"],  # one CSRF token a page
        },
    },
]


def _database(url: str | None) -> dict[str, object]:
    """SQLite in the data folder (WAL, foreign keys, synchronous=FULL), or PostgreSQL from a URL."""
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "needlewise.sqlite3",
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
                "transaction_mode": "IMMEDIATE",
            },
        }
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        msg = f"DATABASE_URL must start with postgresql://, not {parts.scheme}://"
        raise ValueError(msg)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        # Values go to the server apart from the statement, and a statement a connection has run five
        # times is prepared: PostgreSQL plans it once instead of on every page (planning cost more than
        # running the page's reads). A pooler in transaction mode cannot keep prepared statements:
        # NEEDLEWISE_DB_PREPARE=0 turns this off.
        "OPTIONS": (
            {}
            if os.environ.get("NEEDLEWISE_DB_PREPARE") == "0"
            else {"server_side_binding": True, "prepare_threshold": 5}
        ),
    }


DATABASES = {"default": _database(os.environ.get("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "/static/"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Requests are small: a profile is under 2 kB. Anything over 64 kB is refused.
DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
# Files go only to the pages that take one (needlewise.web.uploads): their sender and size are checked
# before the body is read, and the first handler stops at the page's limit while the body streams.
# Files up to 2.5 MB are kept in memory, larger ones (to the page's limit) in a temporary file.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = [
    "needlewise.web.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Strict"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
# HSTS preloading commits the whole domain for years: the domain's owner decides, not the app.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Clinic staff. Passwords: Argon2id (argon2-cffi; Django's defaults are t=2, m=100 MiB, p=8, above
# OWASP's minimum of 19 MiB, t=2, p=1). Sessions live in the database, so signing out, expiry and a
# deactivated account end them on the server; the cookie is only a random 256-bit reference.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "needlewise.clinic.sign_in.password_rules.RepeatsAndRunsValidator"},  # at most 128, no runs or repeats
]
LOGIN_URL = "/clinic/sign-in/"
AUTHENTICATION_BACKENDS = ["needlewise.web.auth_backend.StaffBackend"]
SESSION_ENGINE = "needlewise.web.session_store"
IDLE_MINUTES = int(os.environ.get("NEEDLEWISE_IDLE_MINUTES", "15"))
SESSION_HOURS = int(os.environ.get("NEEDLEWISE_SESSION_HOURS", "12"))
SESSION_COOKIE_AGE = SESSION_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
SESSION_COOKIE_NAME = "__Host-nw-session" if HTTPS else "nw-session"
CSRF_COOKIE_NAME = "__Host-nw-csrf" if HTTPS else "nw-csrf"
PASSWORD_RESET_TIMEOUT = 3600
#: How long a break-glass opening of one client's health record lasts.
BREAK_GLASS_MINUTES = 30
LOGIN_FAILURE_LIMIT = 10
LOGIN_FAILURE_WINDOW_MINUTES = 5
#: An account is never locked from every address; after this many failures it is slowed instead.
LOGIN_ACCOUNT_SLOW_AFTER = 10
LOGIN_ACCOUNT_MAX_DELAY_SECONDS = 30
#: Requests per client address on public pages, counted in the database for every worker:
#: name -> (requests, window in seconds); 0 requests turns a limit off (see ``web/public_limits.py``).
#: ``checkin_miss``: unknown check-in links tried from one address (each is audited once per window).
PUBLIC_LIMITS: dict[str, tuple[int, int]] = {
    name: (0 if os.environ.get("NEEDLEWISE_PUBLIC_LIMITS") == "0" else requests, seconds)
    for name, (requests, seconds) in {
        "checkin": (60, 600),
        "checkin_miss": (10, 600),
        "save": (20, 3600),
        "journal": (20, 3600),
        "clinic_request": (10, 3600),
        "pdf": (20, 600),
        "sign_in": (30, 600),
        "reset": (10, 3600),
        "reset_account": (3, 3600),
        # Twilio's reports (a few per SMS, from few addresses): generous, only against floods.
        "sms_hook": (600, 600),
    }.items()
}

EMAIL_BACKEND = os.environ.get("NEEDLEWISE_EMAIL_BACKEND", "needlewise.web.mail.LogEmailBackend")
EMAIL_HOST = os.environ.get("NEEDLEWISE_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("NEEDLEWISE_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("NEEDLEWISE_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("NEEDLEWISE_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _flag("NEEDLEWISE_EMAIL_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("NEEDLEWISE_EMAIL_FROM", "needlewise@localhost")
TWILIO_ACCOUNT_SID = os.environ.get("NEEDLEWISE_TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = os.environ.get("NEEDLEWISE_TWILIO_AUTH_TOKEN", "")
TWILIO_FROM = os.environ.get("NEEDLEWISE_TWILIO_FROM", "")
TWILIO_API_URL = os.environ.get("NEEDLEWISE_TWILIO_API_URL") or "https://api.twilio.com"
PUBLIC_URL = os.environ.get("NEEDLEWISE_PUBLIC_URL", "").rstrip("/")
#: Seconds the mail server may take: shorter than the lease, so a live worker is never overtaken.
EMAIL_TIMEOUT = 30
#: Seconds a worker holds a message it is handing over before another worker may take it again.
NEEDLEWISE_MESSAGE_LEASE_SECONDS = float(os.environ.get("NEEDLEWISE_MESSAGE_LEASE_SECONDS", "120"))

# No secrets in the log: tokens in paths and answer-carrying query values are redacted by a filter on
# the loggers that write request paths (records are rewritten where they are made, so every handler
# sees the redacted text) and on the console handler (anything else). The mailer logs e-mail bodies,
# with their links, only with NEEDLEWISE_DEBUG (web/mail.py). granian's access log is off (cli/serve.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_tokens": {"()": "needlewise.web.log_redaction.RedactTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_tokens"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django.request": {"filters": ["redact_tokens"]},
        "django.security.csrf": {"filters": ["redact_tokens"]},
        "django.server": {"filters": ["redact_tokens"], "level": "INFO"},
        "needlewise.mail": {"filters": ["redact_tokens"], "level": "INFO"},
    },
}
