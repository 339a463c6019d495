"""Resolve's settings: one module, every deployment choice read from the environment.

The defaults are the embedded demo: a SQLite file in the project folder and a Celery broker
that needs no server. Production sets DATABASE_URL (PostgreSQL), CELERY_BROKER_URL (Redis),
SECRET_KEY, DEBUG=false, ALLOWED_HOSTS and the EMAIL_* settings.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and os.environ.get("RESOLVE_REQUIRE_SECRET_KEY") == "1":
        raise RuntimeError("SECRET_KEY must be set in production")
    SECRET_KEY = "resolve-demo-only-not-secret"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# Production runs behind HTTPS (RESOLVE_HTTPS=true, docs/operations.md): cookies only over
# HTTPS, HSTS, plain HTTP redirected, and the proxy's X-Forwarded-Proto believed.
HTTPS = env_bool("RESOLVE_HTTPS", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
# A signed-in session lasts a working day (shared and locked-down laptops), not two weeks.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(10 * 60 * 60)))
# ... and ends sooner when nothing happens: after RESOLVE_IDLE_MINUTES without a request the
# next one signs the person out; pages warn two minutes before (accounts/middleware.py).
RESOLVE_IDLE_MINUTES = float(os.environ.get("RESOLVE_IDLE_MINUTES", "30"))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Headers every response carries (docs/security.md): no framing, no type sniffing, no
# referrer sent to other sites, and a Content Security Policy allowing only our own files.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Two-factor sign-in (django-otp): after the password, a code of an authenticator app (TOTP)
# or a single-use backup code, once per session (accounts/two_factor.py). Required for
# everyone; RESOLVE_TWO_FACTOR=false waives it for the demo only (`check --deploy` warns).
RESOLVE_TWO_FACTOR = env_bool("RESOLVE_TWO_FACTOR", True)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Resolve")

# Sign-in throttling (django-axes): RESOLVE_SIGN_IN_FAILURES failed attempts for one username,
# or from one address, lock that username or address for RESOLVE_SIGN_IN_LOCK_MINUTES; a
# success forgets the failures. Administrators unlock in the admin (Access attempts) or with
# `manage.py axes_reset_username NAME` / `axes_reset_ip ADDRESS`.
AXES_FAILURE_LIMIT = int(os.environ.get("RESOLVE_SIGN_IN_FAILURES", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=float(os.environ.get("RESOLVE_SIGN_IN_LOCK_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# The lock ends when the page says it will, however often someone tries in the meantime.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "accounts.throttling.client_address"
AXES_VERBOSE = False
# How many reverse proxies of ours stand in front of the web processes (X-Forwarded-For).
RESOLVE_PROXY_COUNT = int(os.environ.get("RESOLVE_PROXY_COUNT", "0"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "django.forms",
    "agencies",
    "escalation",
    "notifications",
    "proforma",
    "reports",
    "accounts",
    "retention",
    "ops",
    "api",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    # First: the probes answer before any redirect to HTTPS or to sign-in (ops/middleware.py).
    "ops.middleware.ProbeMiddleware",
    "ops.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "accounts.middleware.IdleTimeoutMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into accounts.views.locked_out.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username or address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "escalation.context_processors.navigation",
                "notifications.context_processors.inbox",
                "accounts.context_processors.idle_warning",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"  # shown in Europe/London; stored in UTC
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # GOV.UK Frontend's JavaScript and images (fonts are not used: see frontend/resolve.scss).
    ("govuk", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
]
# WhiteNoise serves static files; in the demo and tests straight from the finders, in
# production from STATIC_ROOT after `collectstatic` (set WHITENOISE_USE_FINDERS=false).
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", True)
FORM_RENDERER = "config.forms.GovukFormRenderer"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# Celery: Redis in production; the embedded default is a broker that needs no server
# (kombu's filesystem transport, in var/broker), so `make demo` needs nothing else running.
# docs/jobs.md says what runs when.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_IGNORE_RESULT = True
# A message is acknowledged only once its task has finished, and given back to the queue when
# the process running it dies; one message at a time per process, so that a killed worker
# strands as few as possible (the outbox's rescue job delivers those: docs/jobs.md).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_FOLDER = Path(os.environ.get("CELERY_BROKER_FOLDER", BASE_DIR / "var" / "broker"))
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = (
    {
        "data_folder_in": str(CELERY_BROKER_FOLDER / "queue"),
        "data_folder_out": str(CELERY_BROKER_FOLDER / "queue"),
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
    }
    if CELERY_BROKER_URL.startswith("filesystem:")
    else {
        # Longer than the longest retry backoff, so a delayed retry is not handed out twice.
        "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600")),
        "socket_connect_timeout": 2,
    }
)
CELERY_BEAT_SCHEDULE_FILENAME = os.environ.get(
    "CELERY_BEAT_SCHEDULE_FILENAME", str(BASE_DIR / "var" / "celerybeat-schedule")
)

# The deadline sweep and the outbox (notifications/): how often beat runs them, when a
# partnership's working day starts by default, and how delivery retries.
RESOLVE_SWEEP_MINUTES = float(os.environ.get("RESOLVE_SWEEP_MINUTES", "5"))
RESOLVE_OUTBOX_RESCUE_MINUTES = float(os.environ.get("RESOLVE_OUTBOX_RESCUE_MINUTES", "1"))
# A pending row not handled this long after it was queued is queued again by the rescue job.
RESOLVE_OUTBOX_STALE_SECONDS = int(os.environ.get("RESOLVE_OUTBOX_STALE_SECONDS", "120"))
RESOLVE_DELIVERY_MAX_ATTEMPTS = int(os.environ.get("RESOLVE_DELIVERY_MAX_ATTEMPTS", "6"))
RESOLVE_DELIVERY_BACKOFF_SECONDS = int(os.environ.get("RESOLVE_DELIVERY_BACKOFF_SECONDS", "30"))
RESOLVE_DELIVERY_BACKOFF_MAX_SECONDS = int(
    os.environ.get("RESOLVE_DELIVERY_BACKOFF_MAX_SECONDS", "900")
)
# A resolved or withdrawn case is kept whole this many days after it closed, then its subject
# identifiers and free text are erased (retention/; docs/security.md). Six years by default:
# the policies set no period, so each partnership's information governance chooses.
RESOLVE_RETENTION_DAYS = int(os.environ.get("RESOLVE_RETENTION_DAYS", str(6 * 365)))
# Links in e-mails point here.
RESOLVE_BASE_URL = os.environ.get("RESOLVE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
CELERY_BEAT_SCHEDULE = {
    "deadline-sweep": {
        "task": "notifications.sweep",
        "schedule": RESOLVE_SWEEP_MINUTES * 60,
    },
    "outbox-rescue": {
        "task": "notifications.rescue",
        "schedule": RESOLVE_OUTBOX_RESCUE_MINUTES * 60,
    },
    # Closed cases past RESOLVE_RETENTION_DAYS lose their identifiers and free text
    # (retention/services.py), once a day at 02:00 UK time.
    "erase-expired": {
        "task": "retention.erase_expired",
        "schedule": crontab(hour=2, minute=0),
    },
    # Report exports are kept for REPORTS_EXPORT_KEEP_HOURS (reports/conf.py), then deleted.
    "purge-exports": {
        "task": "reports.purge_exports",
        "schedule": float(os.environ.get("REPORTS_PURGE_MINUTES", "60")) * 60,
    },
}

# E-mail: SMTP in production (EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and
# the EMAIL_* below); the demo and tests write each message to a file named by its outbox key.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "notifications.mail.KeyedFileBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "resolve@localhost")

# Where the shipped policy presets live.
POLICY_PRESETS_DIR = BASE_DIR / "escalation" / "presets"

# RESOLVE_LOG_FORMAT=json writes one JSON object a line with the request id (ops/logs.py);
# the default stays plain text.
LOG_FORMAT = os.environ.get("RESOLVE_LOG_FORMAT", "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "ops.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "ops.logs.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint logs each stage of every PDF at INFO ("Step 5 - Creating layout - Page 1").
    "loggers": {"weasyprint": {"level": os.environ.get("WEASYPRINT_LOG_LEVEL", "WARNING")}},
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "escalation:home"
LOGOUT_REDIRECT_URL = "login"


# The REST API (api/): an OpenAPI 3 schema, with Swagger UI's assets served from our own
# static files so the Content Security Policy above still holds.
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "api.problems.problem_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# A personal access token for the API lasts this many days from when it is made.
RESOLVE_API_TOKEN_DAYS = int(os.environ.get("RESOLVE_API_TOKEN_DAYS", "90"))
# ... and may make this many requests (per second, minute, hour or day) before a 429.
RESOLVE_API_RATE = os.environ.get("RESOLVE_API_RATE", "120/minute")
# The shared cache (the API's rate counts): Redis in production, so every web process counts
# the same requests; without it, each process's memory.
if os.environ.get("RESOLVE_CACHE_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["RESOLVE_CACHE_URL"],
            "KEY_PREFIX": "resolve",
        }
    }
SPECTACULAR_SETTINGS = {
    "TITLE": "Resolve API",
    "DESCRIPTION": "Raise and follow professional disagreements between agencies.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
