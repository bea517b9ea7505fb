"""Settings, read once from the environment (12-factor); nothing else reads os.environ.

Production is the default: DEBUG off, secure cookies, HSTS, a strict
Content-Security-Policy, multi-factor sign-in required. The demo and the tests
opt out of what a laptop cannot do (HTTPS) through the variables below.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("JCIHUB_VAR_DIR", PROJECT_DIR / "var"))


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = _flag("JCIHUB_DEBUG", False)
# HTTPS is assumed unless the deployment says otherwise (the demo serves plain HTTP on loopback).
HTTPS = _flag("JCIHUB_HTTPS", True)
REQUIRE_MFA = _flag("JCIHUB_REQUIRE_MFA", True)

SECRET_KEY = os.environ.get("JCIHUB_SECRET_KEY", "")
if not SECRET_KEY and os.environ.get("JCIHUB_SECRET_KEY_FILE"):
    # A file holding the key (a mounted secret, or var/secret_key made by `make demo`).
    SECRET_KEY = Path(os.environ["JCIHUB_SECRET_KEY_FILE"]).read_text().strip()
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "JCIHUB_SECRET_KEY is not set. Set it to a long random value "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), or "
            "JCIHUB_SECRET_KEY_FILE to a file that holds it."
        )
    SECRET_KEY = "insecure-development-key-never-use-in-production-" + "x" * 20

ALLOWED_HOSTS = _list("JCIHUB_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = _list("JCIHUB_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "jcihub.core",
    "jcihub.accounts",
    "jcihub.audit",
    "jcihub.access",
    "jcihub.people",
    "jcihub.places",
    "jcihub.incidents",
    "jcihub.referrals",
    "jcihub.taskforce",
    "jcihub.ipvi",
    "jcihub.funds",
    "jcihub.insights",
    "jcihub.programs",
    "jcihub.reentry",
]

MIDDLEWARE = [
    "jcihub.core.middleware.ServerTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "jcihub.audit.middleware.RequestContextMiddleware",
    "jcihub.accounts.middleware.RequireMultiFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jcihub.urls"
WSGI_APPLICATION = "jcihub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jcihub.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database: SQLite file under var/ by default, PostgreSQL in production -----------------
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'jcihub.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions serialise writers, which the audit hash chain relies on;
    # WAL lets readers go on while one writer works.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts, passwords, sessions ---------------------------------------------------------
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
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# CJIS: lock the session after 30 minutes without activity.
SESSION_IDLE_MINUTES = int(os.environ.get("JCIHUB_SESSION_IDLE_MINUTES", "30"))
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = True

AXES_FAILURE_LIMIT = int(os.environ.get("JCIHUB_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5  # hours
# Lock the account, not the address: staff share the city's outbound addresses, so an
# address lockout would lock out a whole office. Spraying across accounts meets MFA.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "JCI Hub"

# --- Transport security --------------------------------------------------------------------
SECURE_SSL_REDIRECT = HTTPS and not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("JCIHUB_STATIC_ROOT", VAR_DIR / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Mail ----------------------------------------------------------------------------------
# Mail goes out through this SMTP server (escalated taskforce items, docs/taskforce.md).
# Without one, messages are written to the console of the command that sends them, and
# the command says that no mail server is set.
EMAIL_HOST = os.environ.get("JCIHUB_EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("JCIHUB_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("JCIHUB_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("JCIHUB_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _flag("JCIHUB_EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = os.environ.get("JCIHUB_EMAIL_FROM", "jcihub@localhost")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
# Links in mail point here (the address staff use to reach the application).
SITE_URL = os.environ.get("JCIHUB_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/Chicago"
USE_I18N = True
USE_TZ = True

# --- API -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["jcihub.access.api.PolicyPermission"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "EXCEPTION_HANDLER": "jcihub.core.api.exception_handler",
    "DEFAULT_VERSIONING_CLASS": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "JCI Hub API",
    "DESCRIPTION": "API of the Department of Justice and Community Intervention's system of "
    "record. Every endpoint applies the same access policy as the web pages, and every "
    "read of sensitive data is audited.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets several fields share get one name each, not one per field.
    "ENUM_NAME_OVERRIDES": {
        "LocationTypeEnum": "jcihub.referrals.models.Location.Type",
        "ServiceStatusEnum": "jcihub.referrals.models.Service.Status",
        "ReferralStatusEnum": "jcihub.referrals.models.ReferralStatus",
        "ReentryCaseKindEnum": "jcihub.reentry.models.CaseKind",
        "ReentryCaseStatusEnum": "jcihub.reentry.models.CaseStatus",
        "ReentryNeedStatusEnum": "jcihub.reentry.models.NeedStatus",
        "ReentryGoalStatusEnum": "jcihub.reentry.models.Goal.Status",
        "ReentryTaskStatusEnum": "jcihub.reentry.models.TaskStatus",
        "ReentryMilestoneKindEnum": "jcihub.reentry.models.MilestoneKind",
        "ChargingOutcomeEnum": "jcihub.ipvi.charging.ChargingOutcome",
        "NotificationAttemptOutcomeEnum": "jcihub.ipvi.notifications.NotificationAttempt.Outcome",
    },
}

# --- Identity matching ------------------------------------------------------------------------
# Scores are 0-100; candidates below the floor are not shown at intake.
PEOPLE_MATCH_FLOOR = float(os.environ.get("JCIHUB_MATCH_FLOOR", "55"))
# Batch identity resolution (`jcihub link people`): pairs whose match probability reaches
# the automatic threshold are linked; those between the two wait for review; the rest
# stay apart. Defaults from the accuracy benchmark (docs/benchmarks.md).
LINK_AUTO_THRESHOLD = float(os.environ.get("JCIHUB_LINK_AUTO_THRESHOLD", "0.99"))
LINK_REVIEW_THRESHOLD = float(os.environ.get("JCIHUB_LINK_REVIEW_THRESHOLD", "0.8"))
if not 0 < LINK_REVIEW_THRESHOLD <= LINK_AUTO_THRESHOLD <= 1:
    raise ImproperlyConfigured(
        "JCIHUB_LINK_REVIEW_THRESHOLD and JCIHUB_LINK_AUTO_THRESHOLD are match probabilities "
        "with 0 < review <= automatic <= 1."
    )
# Where each trained linkage model is saved as Splink JSON.
LINKAGE_MODEL_DIR = Path(os.environ.get("JCIHUB_LINKAGE_MODEL_DIR", VAR_DIR / "linkage"))
BREAK_GLASS_MINUTES = int(os.environ.get("JCIHUB_BREAK_GLASS_MINUTES", "60"))
# A referral sent and not accepted or declined within this many hours is overdue: it is
# flagged on the sender's list (docs/referrals.md).
REFERRAL_ANSWER_HOURS = int(os.environ.get("JCIHUB_REFERRAL_ANSWER_HOURS", "72"))
# IPVI outcomes (docs/insights.md): people placed on a tier from this date form the
# programme's cohorts; the years before it give the baseline cohorts.
IPVI_PROGRAMME_START = os.environ.get("JCIHUB_IPVI_PROGRAMME_START", "2026-07-01")
IPVI_BASELINE_YEARS = int(os.environ.get("JCIHUB_IPVI_BASELINE_YEARS", "3"))
# The Public Safety Taskforce (docs/taskforce.md): an open action item overdue by more
# than this many days is escalated to the coordinator (`jcihub taskforce escalate`, daily);
# case attachments are stored here (never under the static files) and served only through
# the policy-checked download, up to the size limit; the map's tiles come from this URL
# template ({z}/{x}/{y}); without one the map shows the points on a plain background.
TASKFORCE_ESCALATE_AFTER_DAYS = int(os.environ.get("JCIHUB_TASKFORCE_ESCALATE_AFTER_DAYS", "14"))
TASKFORCE_ATTACHMENT_DIR = Path(
    os.environ.get("JCIHUB_TASKFORCE_ATTACHMENT_DIR", VAR_DIR / "attachments" / "taskforce")
)
TASKFORCE_ATTACHMENT_MAX_BYTES = int(
    os.environ.get("JCIHUB_TASKFORCE_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024))
)
TASKFORCE_TILE_URL = os.environ.get("JCIHUB_TASKFORCE_TILE_URL", "")
TASKFORCE_TILE_ATTRIBUTION = os.environ.get("JCIHUB_TASKFORCE_TILE_ATTRIBUTION", "")
if TASKFORCE_TILE_URL:  # the browser may fetch the tiles' images from that server only
    _tiles = urlsplit(TASKFORCE_TILE_URL.replace("{s}", "*"))
    if _tiles.scheme not in ("https", "http") or not _tiles.netloc:
        raise ImproperlyConfigured("JCIHUB_TASKFORCE_TILE_URL must be an http(s) URL template.")
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(f"{_tiles.scheme}://{_tiles.netloc}")
# Council district boundaries (WKT, one row per district) for the ranked list's filter and
# the map; where the file is missing the filter is not offered, and the page says so.
TASKFORCE_COUNCIL_DISTRICTS_FILE = Path(
    os.environ.get(
        "JCIHUB_TASKFORCE_COUNCIL_DISTRICTS_FILE",
        PROJECT_DIR.parent / "shared" / "data" / "geo" / "kcmo_council_districts_2023_wkt.csv.gz",
    )
)
# A referral accepted and not in service within this many days is overdue too.
REFERRAL_START_DAYS = int(os.environ.get("JCIHUB_REFERRAL_START_DAYS", "14"))

# Open Referral HSDS 3.0 JSON schemas, read by `jcihub directory import/export` to check
# documents record by record. The planning repository beside the project holds them;
# where the folder is missing the importer applies only its own checks, and says so.
HSDS_SCHEMA_DIR = Path(
    os.environ.get(
        "JCIHUB_HSDS_SCHEMA_DIR", PROJECT_DIR.parent / "shared" / "data" / "hsds" / "3.0" / "schema"
    )
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("JCIHUB_LOG_LEVEL", "WARNING")},
}
