"""Settings for the portal: one module, configured from environment variables.

The embedded default (SQLite, tasks in-process, e-mail on the console) needs nothing but
the mode. ``DEBUG`` is off unless ``DJANGO_DEBUG=true`` (scripts/demo.sh and scripts/test.sh
set it), so a deployment that forgets the variable never runs in debug mode. Production
(``DJANGO_DEBUG`` false or unset) refuses to start without ``DJANGO_SECRET_KEY`` and turns
on every secure-transport setting that ``manage.py check --deploy`` asks for. README has
the table of variables.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(str(BASE_DIR / ".env"))

# Off unless asked for: forgetting the variable must not put a deployment in debug mode.
DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false (production mode)."
        )
    # Development only: a key that is useless anywhere else, never used in production.
    SECRET_KEY = "dev-only-insecure-key-not-for-production-" + "x" * 20

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

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
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_countries",
    "django_htmx",
    "csp",
    "auditlog",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "procurement_portal.core",
    "procurement_portal.accounts",
    "procurement_portal.outbox",
    "procurement_portal.documents",
    "procurement_portal.notifications",
    "suppliers",
    "assessments",
    "declarations",
    "dissemination",
    "visits",
    "reports",
]

MIDDLEWARE = [
    "procurement_portal.core.middleware.ServerTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Permissions-Policy; Cache-Control: private, no-store for logged-in users and the API.
    "procurement_portal.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "procurement_portal.accounts.middleware.IdleSessionMiddleware",
    "procurement_portal.accounts.middleware.StaffTwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "procurement_portal.core.audit.AuditlogMiddleware",
    # Last: it answers failed logins past the limit with the lock-out page.
    "axes.middleware.AxesMiddleware",
]

# Server-Timing header (server time, query count); the benchmarks read it, and browsers'
# developer tools show it. "staff" (default): to staff users, and to everyone when DEBUG is
# on; "all": everyone (the benchmarks); "off". Timings would tell an outsider which
# requests did more work (a lookup that found a row takes longer than one that did not).
_server_timing = env.str("DJANGO_SERVER_TIMING", default="staff").strip().lower()
SERVER_TIMING = {"true": "staff", "false": "off"}.get(_server_timing, _server_timing)
if SERVER_TIMING not in ("staff", "all", "off"):
    raise ImproperlyConfigured("DJANGO_SERVER_TIMING must be staff, all or off.")

ROOT_URLCONF = "procurement_portal.urls"
WSGI_APPLICATION = "procurement_portal.wsgi.application"

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
                "procurement_portal.core.context_processors.portal",
            ],
        },
    }
]

# --- Database -----------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -----------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out user name/address is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A session lasts at most SESSION_COOKIE_AGE, and ends sooner when left idle.
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_IDLE_SECONDS = env.int("DJANGO_SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60)
# An invitation link for a supplier user works for this many days, once.
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=7)
# Fresh links sent for expired invitations, per address per day.
INVITATION_RENEW_LIMIT = env.int("INVITATION_RENEW_LIMIT", default=3)
# Password-reset e-mails per address, and requests per client address, per window.
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int("PASSWORD_RESET_LIMIT_PER_ADDRESS", default=3)
PASSWORD_RESET_LIMIT_PER_CLIENT = env.int("PASSWORD_RESET_LIMIT_PER_CLIENT", default=20)
PASSWORD_RESET_LIMIT_WINDOW_SECONDS = env.int(
    "PASSWORD_RESET_LIMIT_WINDOW_SECONDS", default=60 * 60
)
# Checks of declaration certificates on the public verification page, per client address.
DECLARATIONS_VERIFY_RATE = env.str("DECLARATIONS_VERIFY_RATE", default="20/minute")
SESSION_COOKIE_HTTPONLY = True

# Reverse proxies in front of the portal whose X-Forwarded-For may be believed (0 = none).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Log-in throttling (django-axes): after AXES_FAILURE_LIMIT failures for one user name from
# one address, that pair is refused for the cool-off time. Keyed on the pair, so an
# attacker elsewhere cannot lock a supplier out of their own account for good.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
# Every spelling of an address (case, spaces) counts against the same account.
AXES_USERNAME_CALLABLE = "procurement_portal.accounts.lockout.axes_username"
AXES_CLIENT_IP_CALLABLE = "procurement_portal.core.net.client_ip_for_axes"
AXES_LOCKOUT_CALLABLE = "procurement_portal.accounts.lockout.lockout_response"
AXES_VERBOSE = False

# Audit trail (django-auditlog): every model is tracked unless listed here with a reason.
AUDITLOG_INCLUDE_ALL_MODELS = True
AUDITLOG_EXCLUDE_TRACKING_MODELS = (
    "sessions",  # session rows are not domain records
    "axes",  # lock-out bookkeeping has its own log
    "admin.logentry",
    "knox.authtoken",  # swapped out for accounts.apitoken (never used)
    "accounts.apitoken",  # token hashes and a last-used time touched on every use
    "otp_totp.totpdevice",  # the authenticator's secret must not be copied into the log
    "outbox.outboxmessage",  # the outbox is itself a log of messages
    "documents.document",  # rendered copies of other records; downloads are logged as access
    "suppliers.importjob",  # progress ticks; the job row is the record of the import
)
AUDITLOG_EXCLUDE_TRACKING_FIELDS = ("updated_at", "password", "last_login")
AUDITLOG_DISABLE_REMOTE_ADDR = False
AUDITLOG_STORE_JSON_CHANGES = True

# Two-factor: staff roles must confirm a TOTP code after the password.
PORTAL_REQUIRE_STAFF_2FA = env.bool("PORTAL_REQUIRE_STAFF_2FA", default=True)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Supplier portal")

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ja", _("Japanese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="Asia/Tokyo")
USE_I18N = True
USE_TZ = True
# One date format per language in pages and e-mails ("3 Dec 2026" / "2026年12月3日").
FORMAT_MODULE_PATH = ["procurement_portal.formats"]

# The company's fiscal year starts in this month and is named by the calendar year in
# which it ends (fiscal 2020 = April 2019 to March 2020). procurement_portal.fiscal reads it.
FISCAL_YEAR_START_MONTH = env.int("FISCAL_YEAR_START_MONTH", default=4)

# --- Static and media ----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# In production collectstatic writes every file with a content hash in its name and a
# Brotli and a gzip copy beside it; WhiteNoise sends the smallest the browser accepts,
# cached for a year (the Swagger UI bundle: 1.6 MB, 0.4 MB gzip, 0.3 MB Brotli).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
# Where uploaded evidence ("default") and generated documents ("documents") are kept:
# the local folder (embedded default; one machine) or S3-compatible object storage shared
# by web and worker machines (django-storages; MinIO in docker-compose). The bucket is
# private: files are read through the portal's scoped views, and any URL the backend signs
# expires after DJANGO_S3_URL_EXPIRY_SECONDS. A document's stored name comes from its key
# and is overwritten by a second render, so one key is one file.
DJANGO_STORAGE_BACKEND = env.str("DJANGO_STORAGE_BACKEND", default="local")
if DJANGO_STORAGE_BACKEND == "s3":
    _S3_OPTIONS = {
        "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME", default="portal"),
        "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
        "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
        "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
        "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": env.int("DJANGO_S3_URL_EXPIRY_SECONDS", default=300),
        "addressing_style": env.str("DJANGO_S3_ADDRESSING_STYLE", default="path"),
        "signature_version": "s3v4",
    }
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**_S3_OPTIONS, "location": "media", "file_overwrite": False},
    }
    STORAGES["documents"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**_S3_OPTIONS, "location": "documents", "file_overwrite": True},
    }
elif DJANGO_STORAGE_BACKEND == "local":
    STORAGES["documents"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT / "documents"), "allow_overwrite": True},
    }
else:
    raise ImproperlyConfigured("DJANGO_STORAGE_BACKEND must be 'local' or 's3'")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Largest file any upload accepts unless a caller names a smaller limit (bytes).
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
# A PDF that takes longer than this to render is abandoned (its process is killed).
PDF_RENDER_TIMEOUT = env.int("PDF_RENDER_TIMEOUT", default=30)
# Generated documents: a render claimed this long ago and not confirmed lost its worker and
# is rendered again (longer than the render task's hard time limit, PDF_RENDER_TIMEOUT + 5);
# a document waiting this long with no render started (its task was lost) is handed out
# again by beat's sweep; a page asking for a fresh PDF waits this long on the render task
# before it shows "being prepared".
DOCUMENTS_CLAIM_TIMEOUT_SECONDS = env.int(
    "DOCUMENTS_CLAIM_TIMEOUT_SECONDS", default=PDF_RENDER_TIMEOUT + 30
)
DOCUMENTS_SWEEP_AFTER_SECONDS = env.int("DOCUMENTS_SWEEP_AFTER_SECONDS", default=60)
DOCUMENTS_WAIT_SECONDS = env.float("DOCUMENTS_WAIT_SECONDS", default=5)
# A batch render task (documents.tasks.render_documents, visits' letters) starts documents
# for this long, then hands the rest on; its soft limit is this plus PDF_RENDER_TIMEOUT.
DOCUMENTS_BATCH_SECONDS = env.int("DOCUMENTS_BATCH_SECONDS", default=20)
DOCUMENTS_BATCH_SIZE = env.int("DOCUMENTS_BATCH_SIZE", default=50)
# Improvement-guidance letters: letters per worker task (small, so the workers end a batch
# together rather than one finishing a long chunk alone), and how long a batch may show no
# progress (or a letter stay unissued) before beat's sweep hands it out again.
VISIT_LETTERS_CHUNK_SIZE = env.int("VISIT_LETTERS_CHUNK_SIZE", default=10)
VISIT_LETTERS_SWEEP_AFTER_SECONDS = env.int("VISIT_LETTERS_SWEEP_AFTER_SECONDS", default=120)
# Largest import file accepted by the upload page (bytes).
IMPORT_MAX_UPLOAD_BYTES = env.int("IMPORT_MAX_UPLOAD_BYTES", default=50 * 1024 * 1024)
# Imports with more rows than this run as a background task with a progress page.
IMPORT_BACKGROUND_ROWS = env.int("IMPORT_BACKGROUND_ROWS", default=500)

# --- Celery ------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
# Without a broker the embedded default runs every task in-process, at once.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=25 * 60)
# A task is acknowledged when it has finished, and put back when its worker dies, so a
# killed worker loses nothing; every task is therefore written to be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# One message at a time per worker process: a slow SMTP batch holds back no other task,
# and a killed worker takes at most one unacknowledged task with it.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Outbox retries wait at most this long (seconds); the first waits OUTBOX_RETRY_BASE_SECONDS.
OUTBOX_RETRY_MAX_SECONDS = env.int("OUTBOX_RETRY_MAX_SECONDS", default=60 * 60)
# Redis redelivers a task that is unacknowledged after this many seconds (a dead worker's).
# A worker holds a countdown (retry) task unacknowledged until it is due, and a running task
# until it ends, so the timeout must exceed both, or the task would run twice.
CELERY_VISIBILITY_TIMEOUT = env.int(
    "CELERY_VISIBILITY_TIMEOUT",
    default=max(OUTBOX_RETRY_MAX_SECONDS, CELERY_TASK_TIME_LIMIT) + 30 * 60,
)
if max(OUTBOX_RETRY_MAX_SECONDS, CELERY_TASK_TIME_LIMIT) >= CELERY_VISIBILITY_TIMEOUT:
    raise ImproperlyConfigured(
        "CELERY_VISIBILITY_TIMEOUT must be longer than OUTBOX_RETRY_MAX_SECONDS and "
        "CELERY_TASK_TIME_LIMIT, or Redis redelivers tasks that are still waiting or running."
    )
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
# The queue tasks go to unless routed (also the queue a worker's own follow-up tasks go to).
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# Sending can get a queue (and workers) of its own: set OUTBOX_QUEUE and run a worker with
# "-Q celery,<OUTBOX_QUEUE>". Empty: everything goes to the default queue.
OUTBOX_QUEUE = env.str("OUTBOX_QUEUE", default="")
CELERY_TASK_ROUTES = (
    {"procurement_portal.outbox.tasks.*": {"queue": OUTBOX_QUEUE}} if OUTBOX_QUEUE else {}
)
# A campaign's launch is cut into tasks of this many suppliers each.
CAMPAIGN_CHUNK_SIZE = env.int("CAMPAIGN_CHUNK_SIZE", default=500)
# A launch with no chunk finished for this long and no chunk at work (its tasks were lost
# with a killed worker) is handed out again.
CAMPAIGN_STALLED_SECONDS = env.int("CAMPAIGN_STALLED_SECONDS", default=3 * 60)
# How often beat looks for lost launch chunks and stalled launches (seconds).
CAMPAIGN_WATCH_SECONDS = env.int("CAMPAIGN_WATCH_SECONDS", default=60)
# How often beat looks for campaigns to open and reminders to send (seconds).
CAMPAIGN_TICK_SECONDS = env.int("CAMPAIGN_TICK_SECONDS", default=60 * 60)
# Notices (procurement_portal.notifications): the hour (TIME_ZONE) the daily digests go
# out and the daily checks run; the checks are functions named by dotted path, so that the
# ground floor imports no app.
NOTIFICATIONS_DIGEST_HOUR = env.int("NOTIFICATIONS_DIGEST_HOUR", default=8)
NOTIFICATIONS_CHECK_HOUR = env.int("NOTIFICATIONS_CHECK_HOUR", default=7)
NOTIFICATIONS_DAILY_CHECKS = ["assessments.notices.items_overdue_notify"]
# The weekday (0 = Sunday, cron's numbering) beat writes to suppliers missing a declaration.
DECLARATION_REMINDER_WEEKDAY = env.int("DECLARATION_REMINDER_WEEKDAY", default=1)
# Reports: the one currency the annual figures are stated in (spend in other currencies is
# converted by the yearly rates kept as data); how long the dashboard's precomputed figures
# are kept, and how often beat recomputes them ahead of readers (the most they are behind).
REPORTING_CURRENCY = env.str("REPORTING_CURRENCY", default="JPY")
REPORTS_DASHBOARD_CACHE_SECONDS = env.int("REPORTS_DASHBOARD_CACHE_SECONDS", default=600)
REPORTS_DASHBOARD_REFRESH_SECONDS = env.int("REPORTS_DASHBOARD_REFRESH_SECONDS", default=300)
# All periodic schedules live here, in one place.
CELERY_BEAT_SCHEDULE: dict = {
    "contact-retention": {
        "task": "suppliers.tasks.apply_contact_retention",
        "schedule": 24 * 60 * 60,
    },
    # Due e-mail nobody is sending, and claims left by dead workers, are handed out again.
    "outbox-sweep": {
        "task": "procurement_portal.outbox.tasks.sweep_outbox",
        "schedule": env.int("OUTBOX_SWEEP_INTERVAL_SECONDS", default=60),
    },
    # Documents whose render task was lost, and renders left by dead workers.
    "documents-sweep": {
        "task": "procurement_portal.documents.tasks.sweep_documents",
        "schedule": env.int("DOCUMENTS_SWEEP_INTERVAL_SECONDS", default=60),
    },
    # Letters left unissued by a dead worker, and stalled letter batches.
    "visits-letters-sweep": {
        "task": "visits.letter_tasks.sweep_letters",
        "schedule": env.int("VISIT_LETTERS_SWEEP_INTERVAL_SECONDS", default=60),
    },
    # Launch chunks lost with their worker, and stalled launches, are handed out again.
    "campaigns-watch": {
        "task": "assessments.tasks.campaigns_watch",
        "schedule": CAMPAIGN_WATCH_SECONDS,
    },
    # Reset links leave the stored copy of a password-reset message once it is sent.
    "accounts-redact-reset-links": {
        "task": "procurement_portal.accounts.tasks.redact_sent_reset_links",
        "schedule": 60,
    },
    # Opens scheduled campaigns on their date; sends due reminders and overdue notices.
    "campaigns-tick": {
        "task": "assessments.tasks.campaigns_tick",
        "schedule": CAMPAIGN_TICK_SECONDS,
    },
    # Notices: each staff member's daily digest, and the apps' daily checks (overdue items).
    "notices-digest": {
        "task": "procurement_portal.notifications.tasks.send_digests",
        "schedule": crontab(hour=NOTIFICATIONS_DIGEST_HOUR, minute=0),
    },
    "notices-daily-checks": {
        "task": "procurement_portal.notifications.tasks.run_daily_checks",
        "schedule": crontab(hour=NOTIFICATIONS_CHECK_HOUR, minute=30),
    },
    # Declarations: this week's request or reminder to the suppliers still missing a
    # published version (keyed per version, supplier, contact and week: never twice).
    "declarations-reminders": {
        "task": "declarations.tasks.send_declaration_reminders",
        "schedule": crontab(day_of_week=DECLARATION_REMINDER_WEEKDAY, hour=9, minute=0),
    },
    # Guideline versions: requests a lost task never queued, and due reminder rounds.
    "dissemination-tick": {
        "task": "dissemination.tasks.dissemination_tick",
        "schedule": env.int("DISSEMINATION_TICK_SECONDS", default=3600),
    },
    # The CSCO dashboard's figures of this and last fiscal year, recomputed ahead of readers.
    "reports-dashboard-refresh": {
        "task": "reports.tasks.dashboard_refresh",
        "schedule": REPORTS_DASHBOARD_REFRESH_SECONDS,
    },
}
# Contacts of inactive suppliers are pseudonymised after this many days without change.
CONTACT_RETENTION_DAYS = env.int("CONTACT_RETENTION_DAYS", default=3 * 365)

# --- Cache ------------------------------------------------------------------------------
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- E-mail --------------------------------------------------------------------------------
globals().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# Outbox delivery: tries per message, and the first retry delay (doubling each time).
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=5)
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=30)
# Messages per second for all workers together (0 = no limit), and how many may go at once
# after a quiet spell. Counted on Redis (OUTBOX_RATE_LIMIT_REDIS_URL, default REDIS_URL);
# without Redis (embedded default: console e-mail) no limit unless set, then per process.
OUTBOX_SEND_RATE_PER_SECOND = env.float(
    "OUTBOX_SEND_RATE_PER_SECOND", default=20.0 if REDIS_URL else 0.0
)
OUTBOX_SEND_BURST = env.int("OUTBOX_SEND_BURST", default=10)
OUTBOX_RATE_LIMIT_REDIS_URL = env.str("OUTBOX_RATE_LIMIT_REDIS_URL", default=REDIS_URL)
# A message due this long (its retry wait over) and not sent makes beat's sweep start
# delivery tasks (its own were lost, e.g. with a killed worker).
OUTBOX_SWEEP_AFTER_SECONDS = env.int("OUTBOX_SWEEP_AFTER_SECONDS", default=60)
# Delivery commits a claim on a message before talking SMTP and "sent" after the answer. A
# claim older than this belongs to a dead worker: the message is sent again and counted as
# "sent again after an unconfirmed attempt". A live worker holds a claim for one message's
# SMTP exchange (a few replies of at most EMAIL_TIMEOUT each), so the timeout must be longer.
OUTBOX_CLAIM_TIMEOUT_SECONDS = env.int("OUTBOX_CLAIM_TIMEOUT_SECONDS", default=2 * 60)
if OUTBOX_CLAIM_TIMEOUT_SECONDS <= 5 * EMAIL_TIMEOUT:
    raise ImproperlyConfigured(
        "OUTBOX_CLAIM_TIMEOUT_SECONDS must be longer than 5 x EMAIL_TIMEOUT (one message's "
        "SMTP exchange), or a live worker's message could be sent again."
    )
# Messages sent one after another over one SMTP connection by one delivery task.
OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", default=50)

# --- REST API -----------------------------------------------------------------------------
API_MAX_PAGE_SIZE = 200
# API tokens (django-rest-knox, hashed at rest): each expires this many hours after it is
# issued; staff tokens sooner. Changing the password, deactivation or a role change
# revokes all of a user's tokens.
KNOX_TOKEN_MODEL = "accounts.ApiToken"  # noqa: S105 - a model name, not a secret
API_TOKEN_TTL_STAFF = timedelta(hours=env.int("API_TOKEN_TTL_STAFF_HOURS", default=8))
API_TOKEN_TTL_SUPPLIER = timedelta(hours=env.int("API_TOKEN_TTL_SUPPLIER_HOURS", default=30 * 24))
REST_KNOX = {"TOKEN_TTL": API_TOKEN_TTL_STAFF, "AUTO_REFRESH": False}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "procurement_portal.core.api.AuditedSessionAuthentication",
        "procurement_portal.core.api.AuditedTokenAuthentication",  # knox: Token or Bearer
    ],
    "DEFAULT_PERMISSION_CLASSES": ["procurement_portal.core.api.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "procurement_portal.core.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Rate limits per signed-in user and per anonymous client address (kept in the cache,
    # so they hold across all web workers when REDIS_URL is set).
    "DEFAULT_THROTTLE_CLASSES": [
        "procurement_portal.core.api.UserRateThrottle",
        "procurement_portal.core.api.AnonRateThrottle",
    ],
    # The docs page, the schema and the token endpoint each have their own limit for
    # anonymous clients (core.api.AnonRateThrottle), apart from the rest of the API's.
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("API_THROTTLE_USER", default="3000/hour"),
        "anon": env.str("API_THROTTLE_ANON", default="60/hour"),
        "api_docs": env.str("API_THROTTLE_DOCS", default="300/hour"),
        "api_schema": env.str("API_THROTTLE_SCHEMA", default="300/hour"),
        "api_token": env.str("API_THROTTLE_TOKEN", default="20/minute"),
    },
    "EXCEPTION_HANDLER": "procurement_portal.core.api.exception_handler",
    # API writes take JSON only (a form or multipart body is 415), so the schema declares
    # one body per operation and a generated client sends JSON; an upload endpoint adds
    # core.parsers.MultiPartParser in its own parser_classes. The parsers bound JSON
    # nesting and refuse control characters and lone surrogates in every field
    # (procurement_portal/core/parsers.py).
    "DEFAULT_PARSER_CLASSES": ["procurement_portal.core.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Supplier sustainability portal API",
    "DESCRIPTION": (
        "Suppliers, sites, contacts, spend, critical designations, priority risks; "
        "questionnaires, self-assessments and their answers, reviews, scores, "
        "information-security levels and improvement items."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Tags and operation ids from the path below /api/v1/: "suppliers", "suppliers_list".
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    # Request bodies are JSON (multipart only where a view adds its parser for uploads).
    "PARSER_WHITELIST": [
        "procurement_portal.core.parsers.JSONParser",
        "procurement_portal.core.parsers.MultiPartParser",
    ],
    # Several models have a "status" field with their own choices: name each enum.
    "ENUM_NAME_OVERRIDES": {
        "SupplierStatusEnum": "suppliers.models.SupplierStatus",
        "QuestionnaireVersionStatusEnum": "assessments.models.VersionStatus",
        "AssessmentStatusEnum": "assessments.models.AssessmentStatus",
        "CampaignStatusEnum": "assessments.models.CampaignStatus",
        "ImprovementStatusEnum": "assessments.models.ImprovementStatus",
        "ImprovementSourceEnum": "assessments.models.items.ImprovementSource",
        "QuestionnaireKindEnum": "assessments.models.QuestionnaireKind",
        "QuestionTypeEnum": "assessments.models.QuestionType",
        "RatingEnum": "assessments.models.scoring.Rating",
        "RegionEnum": "suppliers.regions.Region",
        "LanguageEnum": "suppliers.models.LANGUAGE_CHOICES",
        "TextLanguageEnum": "assessments.models.items.TEXT_LANGUAGES",
        "DesignationReasonEnum": "suppliers.api.serializers.REASON_CHOICES",
        "GuidelineAudienceEnum": "dissemination.models.Audience",
        "GuidelineCategoryEnum": "dissemination.models.DocumentCategory",
        "AwardCategoryEnum": "dissemination.models.AwardCategory",
        "VisitKindEnum": "visits.models.VisitKind",
        "VisitStatusEnum": "visits.models.VisitStatus",
        "VisitResultEnum": "visits.models.VisitResult",
        "VisitOutcomeEnum": "visits.models.Outcome",
        "VisitMethodEnum": "visits.models.VisitMethod",
        "VisitAnswerSaveResultEnum": "visits.api.SAVE_RESULTS",
    },
}

# --- Content-Security-Policy ---------------------------------------------------------------
# No page needs inline script or style: everything the portal runs or styles comes from its
# own static files (htmx is configured not to inject styles or evaluate code).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Security (production) -----------------------------------------------------------------
# Believe X-Forwarded-Proto only when a proxy in front terminates TLS and sets that header
# itself, overwriting whatever the client sent; otherwise any client could claim HTTPS.
BEHIND_TLS_PROXY = env.bool("DJANGO_BEHIND_TLS_PROXY", default=False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Browser features no page uses are switched off for the portal and anything it frames.
# Photo capture for on-site visits will use <input type="file" capture>, which opens the
# device's camera app and needs no "camera" permission; only a live camera preview in the
# page (getUserMedia) would. WebAuthn (passkeys) is left at the browser default.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media",
        "geolocation", "gyroscope", "magnetometer", "microphone", "midi", "payment",
        "picture-in-picture", "screen-wake-lock", "usb", "xr-spatial-tracking",
    )
}  # fmt: skip
PERMISSIONS_POLICY["fullscreen"] = ["self"]
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = False
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# One handler (the console, which gunicorn and Celery pass on) and one line per event: a
# refused request (403, 404...) is one line without a traceback (404 at INFO, the rest at
# WARNING), a log-in attempt one line from django-axes. Django's own "django" handlers are
# removed: with DEBUG on they wrote every record a second time next to the root's.
_LOG_LEVEL = env.str("DJANGO_LOG_LEVEL", default="INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "one_line": {"()": "procurement_portal.core.logfilters.OneLinePerEvent"},
        "refusal_level": {"()": "procurement_portal.core.logfilters.RefusedRequestLevel"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "level": _LOG_LEVEL, "filters": ["one_line"]}
    },
    "root": {"handlers": ["console"], "level": _LOG_LEVEL},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.request": {"filters": ["refusal_level"]},
        "django.db.backends": {"level": "INFO"},
        # Quirks of uploaded PDFs (a missing EOF marker...) are not the operator's concern.
        "pypdf": {"level": "ERROR"},
    },
}
