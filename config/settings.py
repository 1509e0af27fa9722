"""Juli settings: one file, every knob an environment variable with a sensible default.

The defaults give a local, single-machine Juli on SQLite. Production sets DATABASE_URL
(PostgreSQL), JULI_SECRET_KEY, JULI_DEBUG=0 and JULI_ALLOWED_HOSTS; see .env.example.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in env(name, default).split(",") if part.strip()]


DEBUG = env_bool("JULI_DEBUG", True)
SECRET_KEY = env("JULI_SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789")
ALLOWED_HOSTS = env_list("JULI_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("JULI_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "treebeard",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_htmx",
    "juli.core",
    "juli.orgs",
    "juli.cases",
    "juli.stats",
    "juli.bulletins",
    "juli.rankings",
    "juli.notify",
    "juli.letters",
    "juli.duties",
    "juli.meetings",
    "juli.news",
    "juli.rating",
    "juli.observation",
    "juli.honours",
    "juli.dossier",
    "juli.benchdata",
    "juli.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: a signed-in user's chosen language wins over the browser's.
    "juli.orgs.middleware.UserLanguageMiddleware",
    "juli.core.middleware.SessionIdleMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "juli.core.middleware.RequestContextMiddleware",
    # Axes last: it turns a lockout raised by authentication into a clear refusal.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "juli.core.context_processors.juli",
                "juli.cases.context_processors.notifications",
                "juli.notify.context_processors.bell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# SQLite is the embedded default: WAL so readers never block the writer, IMMEDIATE
# transactions so two writers queue on the busy timeout instead of failing with
# "database is locked" half-way through a transaction. case_sensitive_like lets SQLite answer
# the subtree filters (`path LIKE 'prefix%'`) from the path indexes instead of scanning; paths
# and search keys are stored in one case, so no lookup of ours depends on case-folding LIKE.
SQLITE_PATH = env("JULI_SQLITE_PATH", str(BASE_DIR / "db.sqlite3"))
DATABASE_URL = env("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("JULI_DB_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": env_int("JULI_SQLITE_BUSY_TIMEOUT", 20),
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;PRAGMA busy_timeout=20000;"
                    "PRAGMA case_sensitive_like=ON;"
                ),
            },
            # Tests use a file, not SQLite's in-memory default: the browser tests' live server
            # answers concurrent requests, and an in-memory database is one connection shared
            # by every server thread (savepoints interleave); a file gives each thread its own
            # connection with the same locking as production. Named per checkout and process,
            # so that two test runs at once in one checkout never share a file.
            "TEST": {
                "NAME": env("JULI_SQLITE_TEST_PATH", "")
                or str(
                    Path(tempfile.gettempdir())
                    / f"juli-test-{hashlib.sha256(str(BASE_DIR).encode()).hexdigest()[:10]}"
                    f"-{os.getpid()}.sqlite3"
                )
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and access ----------------------------------------------------------------
AUTH_USER_MODEL = "orgs.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out identifier before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "juli.orgs.auth.UsernameOrPhoneBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("JULI_PASSWORD_MIN_LENGTH", 10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "juli.orgs.passwords.MixedCharactersValidator"},
]

# Lockout: after JULI_LOCKOUT_FAILURES wrong passwords for one account (by username or by
# phone: both count against the same account) it is locked for JULI_LOCKOUT_MINUTES.
AXES_ENABLED = env_bool("JULI_LOCKOUT_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("JULI_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = env_int("JULI_LOCKOUT_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "juli.orgs.auth.lockout_identity"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "juli.orgs.auth.lockout_response"
AXES_VERBOSE = False

# Idle timeout: the session expires JULI_SESSION_IDLE_MINUTES after the last request.
SESSION_COOKIE_AGE = env_int("JULI_SESSION_IDLE_MINUTES", 30) * 60
# juli.core.middleware.SessionIdleMiddleware refreshes the expiry at most once a minute
# instead of saving the session on every request (a write per page view).
SESSION_SAVE_EVERY_REQUEST = False
JULI_SESSION_REFRESH_SECONDS = env_int("JULI_SESSION_REFRESH_SECONDS", 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

OTP_TOTP_ISSUER = env("JULI_TOTP_ISSUER", "Juli")

# --- Security (production turns these on with JULI_DEBUG=0) ------------------------------
SECURE_HTTPS = env_bool("JULI_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_SSL_REDIRECT = env_bool("JULI_SSL_REDIRECT", SECURE_HTTPS)
SECURE_HSTS_SECONDS = env_int("JULI_HSTS_SECONDS", 31536000 if SECURE_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = SECURE_HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("JULI_MAX_FORM_BYTES", 5 * 1024 * 1024)

# --- Internationalisation: Chinese first ---------------------------------------------------
LANGUAGE_CODE = env("JULI_LANGUAGE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("JULI_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env("JULI_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("JULI_MEDIA_ROOT", str(BASE_DIR / "media")))
# Uploaded files (photos, thumbnails): local disk by default; an S3-compatible object store
# (AWS S3, MinIO, Aliyun OSS, Tencent COS …) when JULI_S3_BUCKET is set. Files stay private:
# the store hands out short-lived signed URLs.
JULI_S3_BUCKET = env("JULI_S3_BUCKET", "")
if JULI_S3_BUCKET:
    DEFAULT_FILE_STORAGE_CONFIG: dict[str, object] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": JULI_S3_BUCKET,
            "endpoint_url": env("JULI_S3_ENDPOINT_URL", "") or None,
            "region_name": env("JULI_S3_REGION", "") or None,
            "access_key": env("JULI_S3_ACCESS_KEY", "") or None,
            "secret_key": env("JULI_S3_SECRET_KEY", "") or None,
            "location": env("JULI_S3_PREFIX", "media"),
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": env_int("JULI_S3_URL_SECONDS", 3600),
            "file_overwrite": False,
            "addressing_style": env("JULI_S3_ADDRESSING", "") or None,
        },
    }
else:
    DEFAULT_FILE_STORAGE_CONFIG = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": DEFAULT_FILE_STORAGE_CONFIG,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- REST API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so that an anonymous call answers 401 with WWW-Authenticate.
        "juli.api.authentication.UserTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "juli.api.pagination.KeysetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # One error shape for the whole API: {"detail", "code"} (+ "fields"), juli/api/errors.py.
    "EXCEPTION_HANDLER": "juli.api.errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Juli API",
    "DESCRIPTION": "Party-building-led grassroots governance: organisations, areas, people, posts.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # The doc pages load Swagger UI and Redoc from our own static files: intranets have no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "kind"; name each choice set once so clients get stable types.
    "ENUM_NAME_OVERRIDES": {
        "UnitKindEnum": "juli.orgs.models.Unit.Kind",
        "AreaKindEnum": "juli.orgs.models.Area.Kind",
        "OrgKindEnum": "juli.orgs.models.PartyOrg.Kind",
        "OrgStatusEnum": "juli.orgs.models.PartyOrg.Status",
        "RoleEnum": "juli.orgs.roles.Role",
        "CaseStatusEnum": "juli.cases.models.Case.Status",
        "CaseSourceEnum": "juli.cases.models.Case.Source",
        "CalendarDayKindEnum": "juli.cases.models.CalendarDay.Kind",
        "CasePhotoKindEnum": "juli.cases.models.CasePhoto.Kind",
        "BulletinStatusEnum": "juli.bulletins.models.Bulletin.Status",
        "RankingStatusEnum": "juli.rankings.models.Ranking.Status",
        "LetterStatusEnum": "juli.letters.models.Status",
        "MeetingKindEnum": "juli.meetings.models.MeetingKind",
        "MeetingStatusEnum": "juli.meetings.models.Meeting.Status",
        "AttendeeCategoryEnum": "juli.meetings.models.Attendee.Category",
        "AttendeeStatusEnum": "juli.meetings.models.Attendee.Status",
        "AttendeeSourceEnum": "juli.meetings.models.Attendee.Source",
        "MakeUpStatusEnum": "juli.meetings.models.MakeUp.Status",
        "MakeUpWayEnum": "juli.meetings.models.MakeUp.Way",
        # Attendee.Category made "category" ambiguous: name the duties' set too.
        "DutyCategoryEnum": "juli.duties.models.Duty.Category",
        # Branch rating made "status", "method" and "basis" ambiguous. The signatures' method
        # keeps the name it had before, so clients generated from the schema keep working.
        "MethodEnum": "juli.core.signing.SignatureMethod",
        "CriterionMethodEnum": "juli.rating.models.Criterion.Method",
        "RatingStandardStatusEnum": "juli.rating.models.RatingStandard.Status",
        "RatingAssessmentStatusEnum": "juli.rating.models.Assessment.Status",
        "RatingBasisEnum": ["reviewed", "self"],
    },
    # The default enum hook, then OpenAPI links between operations (create → detail, …), then
    # the API's error responses on every operation.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "juli.api.links.add_links",
        "juli.api.errors.add_error_responses",
    ],
}

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("JULI_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Juli -------------------------------------------------------------------------------------
JULI_DEMO_PASSWORD = env("JULI_DEMO_PASSWORD", "juli-demo")

# --- Inspection and rectification ---------------------------------------------------------------
# Working periods as "HH:MM-HH:MM" pairs; deadlines count only these hours on working days.
JULI_WORKING_PERIODS = [
    tuple(period.split("-", 1))
    for period in env_list("JULI_WORKING_PERIODS", "09:00-12:00,13:00-18:00")
]
JULI_WORK_TIME_ZONE = env("JULI_WORK_TIME_ZONE", TIME_ZONE)
# An inspection whose GPS fix is farther than this from the point is flagged (never blocked).
JULI_INSPECTION_FAR_METRES = env_int("JULI_INSPECTION_FAR_METRES", 300)
# An inspection's start time (sent by the phone, which may have kept it offline) may lie this
# many hours back, and this many minutes ahead of the server's clock; outside: a 400.
JULI_INSPECTION_BACKDATE_HOURS = env_int("JULI_INSPECTION_BACKDATE_HOURS", 72)
JULI_CLOCK_SKEW_MINUTES = env_int("JULI_CLOCK_SKEW_MINUTES", 10)
# Open311: a public report is placed at the nearest point within this radius; posts per IP
# per hour; the contact shown in the discovery document.
JULI_OPEN311_POINT_RADIUS_M = env_int("JULI_OPEN311_POINT_RADIUS_M", 100)
JULI_OPEN311_POSTS_PER_HOUR = env_int("JULI_OPEN311_POSTS_PER_HOUR", 30)
# How many proxies in front of Juli set X-Forwarded-For (1 behind the nginx sample, which
# overwrites it); 0 reads REMOTE_ADDR only. The client address goes to the audit log and
# the per-address limits (juli.core.context.client_ip_from_meta).
JULI_TRUSTED_PROXIES = env_int("JULI_TRUSTED_PROXIES", 0)
# The dashboard's figures are computed at most once per this many seconds per area and period
# (0: on every request); the page says when (juli.stats.views._summary).
JULI_DASHBOARD_CACHE_SECONDS = env_int("JULI_DASHBOARD_CACHE_SECONDS", 60)
# Open311 searches (public, the same for every caller) are answered from the cache this long.
JULI_OPEN311_CACHE_SECONDS = env_int("JULI_OPEN311_CACHE_SECONDS", 60)
# What the Open311 feed lists of a district that has no public-feed settings of its own
# (juli.cases.models.PublicFeedSettings): "public" (reports from the public and cases an
# officer marked public), "all" (every case, internal ones without their text) or "off";
# and to how many decimals it rounds positions away from a point (2–6; 3 ≈ 100 m).
JULI_OPEN311_FEED = env("JULI_OPEN311_FEED", "public")
JULI_OPEN311_COORDINATE_DECIMALS = env_int("JULI_OPEN311_COORDINATE_DECIMALS", 3)
# Django's cache: the process's memory by default; JULI_CACHE_URL=redis://host:6379/2 shares
# it between gunicorn workers and machines (dashboard figures, Open311 limits).
JULI_CACHE_URL = env("JULI_CACHE_URL", "")
if JULI_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": JULI_CACHE_URL,
        }
    }
JULI_OPEN311_CONTACT = env("JULI_OPEN311_CONTACT", "")
JULI_PHONE_REGION_PREFIXES = ("1",)

# Lockout is per account, not per IP: whole street offices sit behind one NAT address, and
# locking an address would lock out every colleague for one person's typos.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# --- Uploads and background jobs -------------------------------------------------------------------
# Photos: the pipeline (juli/core/uploads.py) refuses anything but JPEG, PNG and HEIC/HEIF by
# content, above these caps, then re-encodes to a metadata-free JPEG. nginx's
# client_max_body_size must be at least JULI_MAX_UPLOAD_BYTES plus ~64 KiB of form overhead.
JULI_MAX_UPLOAD_BYTES = env_int("JULI_MAX_UPLOAD_BYTES", 15 * 1024 * 1024)
JULI_MAX_IMAGE_PIXELS = env_int("JULI_MAX_IMAGE_PIXELS", 40_000_000)
JULI_MAX_IMAGE_EDGE = env_int("JULI_MAX_IMAGE_EDGE", 4096)
JULI_JPEG_QUALITY = env_int("JULI_JPEG_QUALITY", 85)
JULI_THUMBNAIL_EDGE = env_int("JULI_THUMBNAIL_EDGE", 320)
# Uploaded files above this size are streamed to a temporary file instead of held in memory.
# (DATA_UPLOAD_MAX_MEMORY_SIZE above bounds the non-file part of a form and does not count
# files; the photo cap is JULI_MAX_UPLOAD_BYTES, checked before any decoding.)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("JULI_UPLOAD_MEMORY_BYTES", 2_621_440)
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750

# Background jobs: django-tasks with the database backend of django-tasks-db. `juli serve`
# starts one worker beside the web server (JULI_EMBEDDED_WORKER); production runs
# `juli worker` as its own service. "celery" sends the same tasks to Celery workers through
# Redis (`juli celery worker`, `juli celery beat`; see juli/core/celery_backend.py and
# docs/deploy.md). "immediate" runs each task at once, in-process (tests).
INSTALLED_APPS += ["django_tasks", "django_tasks_db"]
JULI_TASKS_BACKEND = env("JULI_TASKS_BACKEND", "database")
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "celery": "juli.core.celery_backend.CeleryBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "dummy": "django_tasks.backends.dummy.DummyBackend",
}
if JULI_TASKS_BACKEND not in _TASK_BACKENDS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"JULI_TASKS_BACKEND={JULI_TASKS_BACKEND!r}: use one of {', '.join(_TASK_BACKENDS)}"
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[JULI_TASKS_BACKEND]}}
JULI_EMBEDDED_WORKER = env_bool("JULI_EMBEDDED_WORKER", True)
# Celery (JULI_TASKS_BACKEND=celery): the broker, and where task states are kept (default:
# the broker). Task states expire after a day.
JULI_CELERY_BROKER_URL = env("JULI_CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
JULI_CELERY_RESULT_BACKEND = env("JULI_CELERY_RESULT_BACKEND", "") or JULI_CELERY_BROKER_URL
# Seconds before Redis hands the message of a worker that died whole (kill -9, lost machine) to
# another worker. Longer than the longest task: a task still running after it runs twice.
JULI_CELERY_VISIBILITY_TIMEOUT = env_int("JULI_CELERY_VISIBILITY_TIMEOUT", 3600)
# Periodic jobs (juli/core/schedule.py): `juli worker` runs the scheduler in a thread unless
# JULI_SCHEDULER=0; it ticks (and the worker beats) every JULI_SCHEDULER_INTERVAL seconds.
# JULI_SCHEDULE_DISABLED lists job names not to fire (comma-separated).
JULI_SCHEDULER = env_bool("JULI_SCHEDULER", True)
JULI_SCHEDULER_INTERVAL = env_int("JULI_SCHEDULER_INTERVAL", 10)
JULI_SCHEDULE_DISABLED = env_list("JULI_SCHEDULE_DISABLED", "")
# A database task left RUNNING by a worker silent for this long is queued again, at most
# JULI_TASK_MAX_ATTEMPTS times in all (then it is marked failed).
JULI_WORKER_STALE_SECONDS = env_int("JULI_WORKER_STALE_SECONDS", 60)
JULI_TASK_MAX_ATTEMPTS = env_int("JULI_TASK_MAX_ATTEMPTS", 3)
# Idempotency records of submissions (core.Submission) are purged after this many days.
JULI_SUBMISSION_TTL_DAYS = env_int("JULI_SUBMISSION_TTL_DAYS", 30)
# Background exports (juli/core/exports.py) can be downloaded for this many hours.
JULI_EXPORT_TTL_HOURS = env_int("JULI_EXPORT_TTL_HOURS", 24)
# Staged uploads never attached to a case are removed by `juli sweep_uploads` after this.
JULI_UPLOAD_TTL_HOURS = env_int("JULI_UPLOAD_TTL_HOURS", 24)

# Reports: the font family PDFs are set in (installed with fonts-noto-cjk; WeasyPrint embeds it).
JULI_PDF_FONT = env("JULI_PDF_FONT", "Noto Sans CJK SC")
# Then these, for the characters it lacks (CJK Extension B and beyond: 𪚥, 𠀀; fonts-hanazono).
JULI_PDF_FALLBACK_FONTS = env_list("JULI_PDF_FALLBACK_FONTS", "HanaMinA,HanaMinB")

# Bulletins: the local hour after which `generate_daily_bulletins` makes the previous day's
# bulletins, and whether they are published without review (per-district settings override).
JULI_BULLETIN_HOUR = env_int("JULI_BULLETIN_HOUR", 8)
JULI_BULLETIN_AUTO_PUBLISH = env_bool("JULI_BULLETIN_AUTO_PUBLISH", False)

# Benchmarks: serve the bare JSON view `make bench` measures every scenario against.
JULI_BENCH_BASELINE = env_bool("JULI_BENCH_BASELINE", False)

# --- Notifications -------------------------------------------------------------------------
# E-mail (the console while DEBUG: one line per message, the whole message with
# JULI_EMAIL_CONSOLE_BODIES=1 or `juli serve -v 2`, see juli/core/mail.py; SMTP in
# production). SMTP has no timeout of its own: a slow server must not hang a worker.
EMAIL_BACKEND = env(
    "JULI_EMAIL_BACKEND",
    "juli.core.mail.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("JULI_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("JULI_EMAIL_PORT", 25)
EMAIL_HOST_USER = env("JULI_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env("JULI_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("JULI_EMAIL_TLS", False)
EMAIL_USE_SSL = env_bool("JULI_EMAIL_SSL", False)
EMAIL_TIMEOUT = env_int("JULI_EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env("JULI_EMAIL_FROM", "聚力 Juli <noreply@localhost>")
# Base URL for links in e-mails and robot messages (e.g. https://juli.example.gov.cn).
JULI_SITE_URL = env("JULI_SITE_URL", "")
# Webhooks must be https://, except to these hosts (tests, an intranet relay).
JULI_WEBHOOK_ALLOW_HTTP_HOSTS = env_list("JULI_WEBHOOK_ALLOW_HTTP_HOSTS", "")
# Robot channels post only to the robots' official hosts (qyapi.weixin.qq.com,
# oapi.dingtalk.com) and to these (a private deployment's robot or relay; host names, any
# port); the hosts above are allowed too. Before each attempt the name is resolved and
# loopback, private, link-local, shared, reserved and cloud-metadata addresses are refused,
# except inside these networks (CIDR, e.g. 10.20.0.0/16 for an intranet relay).
JULI_WEBHOOK_ALLOWED_HOSTS = env_list("JULI_WEBHOOK_ALLOWED_HOSTS", "")
JULI_WEBHOOK_ALLOWED_NETWORKS = env_list("JULI_WEBHOOK_ALLOWED_NETWORKS", "")
JULI_NOTIFY_MAX_ATTEMPTS = env_int("JULI_NOTIFY_MAX_ATTEMPTS", 5)

# --- Maps: the base map under the area outlines (juli/core/maps.py, static/js/basemap.js) ---
# JULI_MAP_TILES picks the tile source; empty or "none" (the default) draws the outlines and
# names on a plain background and fetches nothing from outside Juli.
#   tianditu  天地图 vec_w + cva_w, needs JULI_MAP_KEY (a browser key: it is sent to the
#             browser inside the tile URLs); CGCS2000 ≈ WGS-84, no conversion
#   amap      高德 webrd tiles; GCJ-02, so the maps shift Juli's WGS-84 positions in the browser
#   osm       an OSM tile server: JULI_MAP_TILE_URL, e.g. https://tile.example.org/{z}/{x}/{y}.png
#   custom    a self-hosted tile server: JULI_MAP_TILE_URL, and JULI_MAP_COORDS=wgs84|gcj02
# JULI_MAP_ATTRIBUTION replaces the source's attribution line (required by most providers;
# put the map's approval number 审图号 here where the deployment needs one).
# JULI_MAP_SUBDOMAINS fills {s} in a URL template (osm/custom). The tile hosts join img-src.
JULI_MAP_TILES = env("JULI_MAP_TILES", "").strip().lower()
JULI_MAP_KEY = env("JULI_MAP_KEY", "").strip()
JULI_MAP_TILE_URL = env("JULI_MAP_TILE_URL", "").strip()
JULI_MAP_ATTRIBUTION = env("JULI_MAP_ATTRIBUTION", "").strip()
JULI_MAP_COORDS = env("JULI_MAP_COORDS", "wgs84").strip().lower()
JULI_MAP_SUBDOMAINS = env("JULI_MAP_SUBDOMAINS", "abc").strip()
JULI_MAP_MAX_ZOOM = env_int("JULI_MAP_MAX_ZOOM", 18)
_MAP_PROBLEM = {
    "": "",
    "none": "",
    "tianditu": "" if JULI_MAP_KEY else "JULI_MAP_TILES=tianditu needs JULI_MAP_KEY",
    "amap": "",
    "osm": "" if JULI_MAP_TILE_URL else "JULI_MAP_TILES=osm needs JULI_MAP_TILE_URL",
    "custom": "" if JULI_MAP_TILE_URL else "JULI_MAP_TILES=custom needs JULI_MAP_TILE_URL",
}.get(JULI_MAP_TILES, f"JULI_MAP_TILES={JULI_MAP_TILES!r}: use tianditu, amap, osm, custom or none")
if not _MAP_PROBLEM and JULI_MAP_COORDS not in {"wgs84", "gcj02"}:
    _MAP_PROBLEM = f"JULI_MAP_COORDS={JULI_MAP_COORDS!r}: use wgs84 or gcj02"
if _MAP_PROBLEM:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(_MAP_PROBLEM)

# --- Content-Security-Policy -----------------------------------------------------------------
# juli.core.csp.ContentSecurityPolicyMiddleware sends this policy on every response, the same
# in development and production (docs/security.md). NONCE stands for a fresh nonce per
# response (`request.csp_nonce`). Scripts: files from Juli's own static files only, no inline
# script or handler, no eval. Styles: stylesheets of our own; style *attributes* are allowed
# (ECharts' tooltips, Leaflet and DRF's browsable API write them), <style> elements are not
# (style-src-elem). The first style-src is the fallback for browsers without style-src-elem.
# The media storage's own host (S3 and the like) joins img-src by itself; JULI_CSP_IMG_HOSTS
# adds more; the configured map tile hosts (JULI_MAP_TILES above) join it by themselves.
# Redoc's page alone relaxes style-src-elem, worker-src and img-src (juli/api/urls.py).
JULI_CSP_IMG_HOSTS = env_list("JULI_CSP_IMG_HOSTS", "")
JULI_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "NONCE"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "style-src-elem": ["'self'", "NONCE"],
    "style-src-attr": ["'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:", *JULI_CSP_IMG_HOSTS],
    "connect-src": ["'self'"],
    "worker-src": ["'self'"],
    "manifest-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
# Violation reports (POST /csp-report/, logged on `juli.csp`): the largest body read, and how
# many bodies one address may send a minute.
JULI_CSP_REPORT_MAX_BYTES = env_int("JULI_CSP_REPORT_MAX_BYTES", 16 * 1024)
JULI_CSP_REPORTS_PER_MINUTE = env_int("JULI_CSP_REPORTS_PER_MINUTE", 60)
# After WhiteNoise: static files are not documents and need no policy.
MIDDLEWARE.insert(
    MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1,
    "juli.core.csp.ContentSecurityPolicyMiddleware",
)
