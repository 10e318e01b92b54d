"""SalesOps settings, read from the environment (see .env.example and the README table).

With no environment at all the project talks to the embedded PostgreSQL and Valkey that
`make run` starts (salesops/devservers.py) on 127.0.0.1. DATABASE_URL / REDIS_URL point it at
servers of your own without code changes. PostgreSQL is the only database the project supports.
"""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from salesops import devservers

BASE_DIR = Path(__file__).resolve().parent.parent
RUN_DIR = Path(os.environ.get("SALESOPS_RUN_DIR", BASE_DIR / ".run"))

env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(str(BASE_DIR / ".env"))

# Off unless asked for: `make` targets (the Makefile) and scripts/run.sh set DEBUG=True, the test
# settings too; anything else (gunicorn, celery, docker compose) runs with DEBUG=False.
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not DEBUG:
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG=False (DEBUG defaults to False; for development "
            "export DEBUG=True, as `make` does)."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG=False.")
else:
    SECRET_KEY = SECRET_KEY or "insecure-development-key-do-not-use-in-production"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["localhost", "127.0.0.1", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "salesops.apps.SalesOpsConfig",
    "meetings.apps.MeetingsConfig",
    "territories.apps.TerritoriesConfig",
    "compensation.apps.CompensationConfig",
    "dashboard.apps.DashboardConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "salesops.middleware.ViewerTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "salesops.urls"
WSGI_APPLICATION = "salesops.wsgi.application"
ASGI_APPLICATION = "salesops.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "salesops.context_processors.navigation",
                "meetings.context_processors.notifications",
            ],
        },
    },
]

# The embedded servers' ports can be moved with SALESOPS_PG_PORT / SALESOPS_REDIS_PORT.
_embedded = devservers.servers_from_env()
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=devservers.default_database_url(_embedded.pg_port)
    )
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# PostgreSQL's JIT compiles a plan once its estimated cost passes jit_above_cost: for the pages'
# aggregates (thousands of rows, not millions) compiling cost more than it saved (1.67 s of one
# dashboard query on the large demo; docs/benchmarks.md). Off for every connection unless
# DATABASE_JIT=True; the nightly engine turns it off in its own transactions either way.
DATABASE_JIT = env.bool("DATABASE_JIT", default=False)
if not DATABASE_JIT:
    _db_options = DATABASES["default"].setdefault("OPTIONS", {})
    _db_options["options"] = f"{_db_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
# The company's own calendar: business dates, nightly jobs and fiscal periods use it.
COMPANY_TIME_ZONE = env.str("COMPANY_TIME_ZONE", default="Europe/Berlin")
FISCAL_YEAR_START_MONTH = env.int("FISCAL_YEAR_START_MONTH", default=1)
# "months", or a retail calendar of weeks: "445", "454", "544" (docs/calendar.md).
FISCAL_CALENDAR = env.str("FISCAL_CALENDAR", default="months")
FISCAL_WEEK_END_WEEKDAY = env.str("FISCAL_WEEK_END_WEEKDAY", default="sat")
BASE_CURRENCY = env.str("BASE_CURRENCY", default="USD")

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
# Serve static files from the app directories too, so development needs no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="SalesOps <salesops@localhost>")

# --- Celery ---------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default=devservers.default_redis_url(_embedded.redis_port))
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": 3600}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = COMPANY_TIME_ZONE
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=1800)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=2100)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE_FILENAME = str(RUN_DIR / "celerybeat-schedule")

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "salesops.api.parsers.BoundedJSONParser",  # depth and NUL bounded: a 400, not a 500
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": env.int("API_PAGE_SIZE", default=50),
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "salesops.api.exception_handler.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SalesOps API",
    "DESCRIPTION": "Sales operations: people, deals, costs, efficiency, meetings, territories, pay.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and ReDoc from the installed package's static files: the docs work offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "status", "role" or "type": give each choice set its own name.
    "ENUM_NAME_OVERRIDES": {
        "PersonRoleEnum": "salesops.models.org.Role",
        "CoverageRoleEnum": "territories.models.CoverageRole",
        "MeetingTypeEnum": "meetings.models.MeetingType",
        "TerritoryTypeEnum": "territories.models.TerritoryType",
        "MeetingStatusEnum": "meetings.models.MeetingStatus",
        "ActionStatusEnum": "meetings.models.ActionStatus",
        "DeliveryStatusEnum": "meetings.models.DeliveryStatus",
        "PlanVersionStatusEnum": "compensation.models.PlanVersionStatus",
        "StatementStatusEnum": "compensation.models.StatementStatus",
        "DisputeStatusEnum": "compensation.models.DisputeStatus",
        "OverlayRoleEnum": "compensation.models.OverlayRole",
        "ImportStatusEnum": "salesops.models.jobs.ImportStatus",
        "JobStatusEnum": "salesops.models.jobs.JobStatus",
    },
}

# --- Domain settings --------------------------------------------------------------------------
# Meetings
MEETING_LOAD_LIMIT_HOURS = env.float("MEETING_LOAD_LIMIT_HOURS", default=8.0)
MEETING_REMINDER_OFFSETS_MINUTES = env.list(
    "MEETING_REMINDER_OFFSETS_MINUTES", cast=int, default=[1440, 60]
)
FOLLOW_UP_DAYS_AFTER_WON = env.int("FOLLOW_UP_DAYS_AFTER_WON", default=30)
# Territories: a quota above K x potential cannot be carried.
TERRITORY_QUOTA_POTENTIAL_K = env.float("TERRITORY_QUOTA_POTENTIAL_K", default=0.1)
# Compensation: club thresholds in % of annual plan.
CLUB_PRESIDENTS_PCT = env.int("CLUB_PRESIDENTS_PCT", default=100)
CLUB_CHAIRMANS_PCT = env.int("CLUB_CHAIRMANS_PCT", default=125)
COMP_RAMP_PERCENTS = env.list("COMP_RAMP_PERCENTS", cast=int, default=[25, 50, 75, 100])
# Compensation: the largest dispute correction (either sign) a manager grants alone; above it,
# sales ops resolve the dispute.
COMP_MANAGER_CORRECTION_LIMIT = Decimal(env.str("COMP_MANAGER_CORRECTION_LIMIT", default="1000"))
# Compensation: whether a won deal its own owner entered counts for pay before their manager
# confirms it (its statement line says who entered it).
COMP_REP_DEALS_PAY_BEFORE_CONFIRMATION = env.bool(
    "COMP_REP_DEALS_PAY_BEFORE_CONFIRMATION", default=True
)
# Meetings: tuning of recurrence, digests and reminder delivery.
SITE_URL = env.str("SITE_URL", default="http://localhost:8000")
MEETING_RECURRENCE_HORIZON_DAYS = env.int("MEETING_RECURRENCE_HORIZON_DAYS", default=120)
MEETING_DIGEST_HOUR = env.int("MEETING_DIGEST_HOUR", default=7)
MEETING_DELIVERY_MAX_ATTEMPTS = env.int("MEETING_DELIVERY_MAX_ATTEMPTS", default=6)
MEETING_DELIVERY_LEASE_SECONDS = env.int("MEETING_DELIVERY_LEASE_SECONDS", default=300)
MEETING_DELIVERY_BATCH = env.int("MEETING_DELIVERY_BATCH", default=50)
# Meetings: a done meeting longer than this, or marked done more than this many days after it
# ended, posts no cost until sales ops confirm it on /ops/.
MEETING_COST_MAX_HOURS = env.float("MEETING_COST_MAX_HOURS", default=10.0)
MEETING_COST_MAX_AGE_DAYS = env.int("MEETING_COST_MAX_AGE_DAYS", default=14)
# Meetings: people's outside calendars (docs/meetings-booking.md): refresh interval, limits of
# one fetch, how far ahead busy times are read, and whether private/loopback hosts may be read.
MEETING_FEEDS_REFRESH_MINUTES = env.int("MEETING_FEEDS_REFRESH_MINUTES", default=15)
MEETING_FEEDS_TIMEOUT_SECONDS = env.float("MEETING_FEEDS_TIMEOUT_SECONDS", default=10.0)
MEETING_FEEDS_MAX_BYTES = env.int("MEETING_FEEDS_MAX_BYTES", default=2 * 1024 * 1024)
MEETING_FEEDS_HORIZON_DAYS = env.int("MEETING_FEEDS_HORIZON_DAYS", default=90)
MEETING_FEEDS_ALLOW_PRIVATE_HOSTS = env.bool("MEETING_FEEDS_ALLOW_PRIVATE_HOSTS", default=False)
# Territories
TERRITORY_POTENTIAL_FIELD = env.str("TERRITORY_POTENTIAL_FIELD", default="annual_revenue")
TERRITORY_REBALANCE_MAX_MOVES = env.int("TERRITORY_REBALANCE_MAX_MOVES", default=50)
# Efficiency engine
EFFICIENCY_INCREMENTAL_OVERLAP_SECONDS = env.int(
    "EFFICIENCY_INCREMENTAL_OVERLAP_SECONDS", default=300
)
# Background jobs (salesops/services/jobs.py): a run's lease, renewed by its heartbeat; retries
# across a database outage; when a RUNNING import counts as lost.
JOB_LEASE_SECONDS = env.int("JOB_LEASE_SECONDS", default=120)
JOB_HEARTBEAT_SECONDS = env.int("JOB_HEARTBEAT_SECONDS", default=30)
JOB_DB_RETRY_BACKOFF_SECONDS = env.int("JOB_DB_RETRY_BACKOFF_SECONDS", default=5)
JOB_DB_RETRY_MAX_SECONDS = env.int("JOB_DB_RETRY_MAX_SECONDS", default=120)
IMPORT_LOST_AFTER_SECONDS = env.int("IMPORT_LOST_AFTER_SECONDS", default=CELERY_TASK_TIME_LIMIT)
EFFICIENCY_FANOUT_MIN_PEOPLE = env.int("EFFICIENCY_FANOUT_MIN_PEOPLE", default=2000)
EFFICIENCY_WORK_MEM = env.str("EFFICIENCY_WORK_MEM", default="256MB")
# Importer
IMPORT_BATCH_SIZE = env.int("IMPORT_BATCH_SIZE", default=2000)
IMPORT_MAX_ISSUES_PER_FILE = env.int("IMPORT_MAX_ISSUES_PER_FILE", default=1000)
IMPORT_PROGRESS_MIN_ROWS = env.int("IMPORT_PROGRESS_MIN_ROWS", default=1000)
# Dashboard: a deal sitting in one stage longer than this is "stuck".
DEAL_STUCK_DAYS = env.int("DEAL_STUCK_DAYS", default=30)
# The dashboards warn that their figures may be out of date this many hours after midnight ending
# the day after the newest efficiency snapshots (the nightly run starts at 01:30).
DASHBOARD_SNAPSHOT_STALE_HOURS = env.int("DASHBOARD_SNAPSHOT_STALE_HOURS", default=30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Security (issue 20) -----------------------------------------------------------------------
# Brute force: django-axes locks a username out after AXES_FAILURE_LIMIT failed logins (the
# login page and the token endpoint) for AXES_COOLOFF_MINUTES; a success resets the count.
INSTALLED_APPS += ["axes"]
AUTHENTICATION_BACKENDS = [
    "salesops.auth_backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# By username: rotating addresses, agents or cookies does not reset it, and behind the proxy
# every user shares one address, so an address lockout would lock the whole company out
# (hence axes.W006, which asks for the address, is silenced).
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# API throttles: per signed-in user, per anonymous IP, and for the token endpoint.
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = [
    "rest_framework.throttling.AnonRateThrottle",
    "rest_framework.throttling.UserRateThrottle",
]
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "anon": env.str("API_THROTTLE_ANON", default="60/minute"),
    "user": env.str("API_THROTTLE_USER", default="1200/minute"),
    "auth": env.str("API_THROTTLE_AUTH", default="10/minute"),
}
# API tokens expire API_TOKEN_TTL_HOURS after they were issued; POST /api/v1/auth/token/ issues
# a new one for an expired token, POST /api/v1/auth/token/rotate/ replaces a valid one.
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = [
    "rest_framework.authentication.SessionAuthentication",
    "salesops.api.tokens.ExpiringTokenAuthentication",
]
API_TOKEN_TTL_HOURS = env.int("API_TOKEN_TTL_HOURS", default=168)
# Uploads: request bodies (without files) and CRM import files are bounded.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
IMPORT_MAX_UPLOAD_BYTES = env.int("IMPORT_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
# --- end Security ------------------------------------------------------------------------------

# --- Security: deployment (issue 20, item 8) ----------------------------------------------------
# Behind the proxy (X-Forwarded-Proto, set above when DEBUG=False): HTTPS only, HSTS, secure
# cookies; /healthz stays plain HTTP for the container health check.
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The OpenAPI schema and its viewers are for signed-in users only.
SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"] = ["rest_framework.permissions.IsAuthenticated"]
# Content-Security-Policy (django-csp): scripts only from our own static files, never inline
# (JSON data blocks from json_script are not scripts). Styles allow inline attributes: htmx
# injects its indicator style and Chart.js sizes its canvas.
INSTALLED_APPS += ["csp"]
MIDDLEWARE += ["csp.middleware.CSPMiddleware"]
_CSP_DIRECTIVES = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "worker-src": ["'self'", "blob:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
if env.bool("CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": _CSP_DIRECTIVES}
else:
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": _CSP_DIRECTIVES}
# --- end Security: deployment ----------------------------------------------------------------
