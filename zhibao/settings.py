"""One settings file for every environment, read from ZHIBAO_* environment variables.

ZHIBAO_ENV selects the posture: ``development`` (the default, what `make run` uses),
``test`` (what pytest uses) and ``production`` (secure cookies, HSTS, SSL redirect; a
secret key and allowed hosts are required). Everything the platform writes lives under
ZHIBAO_VAR_DIR.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
ENVIRONMENT = env.str("ZHIBAO_ENV", default="development")
if ENVIRONMENT not in {"development", "test", "production"}:
    raise ImproperlyConfigured(f"ZHIBAO_ENV must be development, test or production, not {ENVIRONMENT!r}")
PRODUCTION = ENVIRONMENT == "production"
TESTING = ENVIRONMENT == "test"

VAR_DIR = Path(env.str("ZHIBAO_VAR_DIR", default=str(BASE_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "static").mkdir(exist_ok=True)

if PRODUCTION:
    # No defaults in production: a forgotten variable must stop the start, not weaken it.
    try:
        SECRET_KEY = env.str("ZHIBAO_SECRET_KEY")
        ALLOWED_HOSTS = env.list("ZHIBAO_ALLOWED_HOSTS")
    except ImproperlyConfigured as exc:
        raise ImproperlyConfigured(
            "ZHIBAO_ENV=production requires ZHIBAO_SECRET_KEY and ZHIBAO_ALLOWED_HOSTS"
        ) from exc
else:
    SECRET_KEY = env.str("ZHIBAO_SECRET_KEY", default="zhibao-insecure-development-key-not-for-production-use")
    ALLOWED_HOSTS = env.list("ZHIBAO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver", "[::1]"])

DEBUG = env.bool("ZHIBAO_DEBUG", default=False)
CSRF_TRUSTED_ORIGINS = env.list("ZHIBAO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "auditlog",
    "zhibao.core",
    "zhibao.accounts",
    "zhibao.portal",
    "zhibao.patents",
    "zhibao.pre_exam",
    "zhibao.revitalization",
    "zhibao.navigation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "zhibao.core.middleware.NulCharacterMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "zhibao.accounts.middleware.SessionTimeoutMiddleware",
    "zhibao.core.middleware.LoginRequiredMiddleware",
    "zhibao.accounts.middleware.StaffSecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Last, as django-axes requires: it turns a lockout into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zhibao.urls"
WSGI_APPLICATION = "zhibao.wsgi.application"

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
                "csp.context_processors.nonce",
                "zhibao.portal.context_processors.portal",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------
# SQLite by default: WAL so readers never block the writer, IMMEDIATE transactions so a
# write transaction takes the lock at BEGIN (no deadlock-on-upgrade), and a busy timeout
# long enough for the worker and web processes to queue behind each other.
SQLITE_PATH = VAR_DIR / "zhibao.sqlite3"
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("ZHIBAO_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "zhibao.core.db.sqlite3",  # Django's, with a trigger-aware flush
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
            # A file, not the in-memory default: concurrency tests need real separate
            # connections, which an in-memory shared-cache database does not give.
            "TEST": {"NAME": str(VAR_DIR / "test.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Identity -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out username before any check
    "rules.permissions.ObjectPermissionBackend",
    "zhibao.accounts.backends.UsernameOrMobileBackend",
]
# Passwords (GB/T 22239 身份鉴别): 12+ characters, 3 of 4 character classes, not a common
# password, no upper limit below Django's own (long passphrases are welcome).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "zhibao.accounts.password_validation.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:my_cases"
LOGOUT_REDIRECT_URL = "portal:home"

# Routes that anybody may open; everything else needs a login (deny by default,
# enforced by zhibao.core.middleware.LoginRequiredMiddleware and DRF's IsAuthenticated).
PUBLIC_PATH_PREFIXES = ["/static/", "/api/"]

# Sessions: logged out after 30 idle minutes and, whatever the activity, 12 hours after
# login (zhibao.accounts.middleware.SessionTimeoutMiddleware); a new key at every login.
SESSION_IDLE_SECONDS = env.int("ZHIBAO_SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_ABSOLUTE_SECONDS = env.int("ZHIBAO_SESSION_ABSOLUTE_SECONDS", default=12 * 3600)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "zhibao.core.views.csrf_failure"

# Login lockout (django-axes): 5 failures for a username lock it for 30 minutes — the right
# password is refused too during the cool-off; a security admin can unlock earlier.
AXES_FAILURE_LIMIT = env.int("ZHIBAO_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("ZHIBAO_LOGIN_COOLOFF_MINUTES", default=30))
# Per account, not per IP: a whole government office sits behind one NAT address, and a
# per-IP lock would shut everyone out after one person's typos (hence axes.W006 silenced).
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "zhibao.accounts.security.axes_username"
AXES_LOCKOUT_CALLABLE = "zhibao.accounts.security.lockout_response"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_DISABLE_ACCESS_LOG = True  # our SecurityEvent table records logins

# Two-factor authentication (TOTP + backup codes) for every staff, expert and admin account.
ZHIBAO_STAFF_2FA = env.bool("ZHIBAO_STAFF_2FA", default=True)
OTP_TOTP_ISSUER = "Zhibao"
# Staff passwords expire; the person is sent to change it before anything else.
ZHIBAO_STAFF_PASSWORD_DAYS = env.int("ZHIBAO_STAFF_PASSWORD_DAYS", default=90)

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files and uploads ---------------------------------------------------------
# Front-end libraries come from node_modules (npm lockfile) and are collected with the
# rest; nothing is ever loaded from a CDN, the center's intranet reaches none.
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
NODE_MODULES = BASE_DIR / "node_modules"
# The project's directories without the npm packages' unused builds (zhibao/core/staticfiles.py).
STATICFILES_FINDERS = [
    "zhibao.core.staticfiles.LeanFileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
]
MEDIA_ROOT = VAR_DIR / "media"

# --- Patent corpus ------------------------------------------------------------------------
# The embedded search index (tantivy); one writer at a time under a file lock beside it.
PATENT_INDEX_DIR = Path(env.str("ZHIBAO_PATENT_INDEX_DIR", default=str(VAR_DIR / "search" / "patents")))
# Uploaded import files and their reports (they may exceed the attachment size limit).
PATENT_IMPORT_DIR = VAR_DIR / "imports"
# Result exports above this many rows run as a job; none larger than the cap.
PATENT_EXPORT_SYNC_MAX = env.int("ZHIBAO_PATENT_EXPORT_SYNC_MAX", default=5_000)
PATENT_EXPORT_MAX = env.int("ZHIBAO_PATENT_EXPORT_MAX", default=100_000)
# Uploads (core.attachments): per file, per case, image pixels, and the zip-bomb guards for
# DOCX/XLSX (ratio, unpacked size, entries).
ZHIBAO_UPLOAD_MAX_BYTES = env.int("ZHIBAO_UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
ZHIBAO_UPLOAD_MAX_FILES_PER_CASE = env.int("ZHIBAO_UPLOAD_MAX_FILES_PER_CASE", default=20)
ZHIBAO_UPLOAD_MAX_PIXELS = env.int("ZHIBAO_UPLOAD_MAX_PIXELS", default=40_000_000)
ZHIBAO_UPLOAD_ZIP_MAX_RATIO = env.int("ZHIBAO_UPLOAD_ZIP_MAX_RATIO", default=100)
ZHIBAO_UPLOAD_ZIP_MAX_UNCOMPRESSED = env.int("ZHIBAO_UPLOAD_ZIP_MAX_UNCOMPRESSED", default=50 * 1024 * 1024)
ZHIBAO_UPLOAD_ZIP_MAX_ENTRIES = env.int("ZHIBAO_UPLOAD_ZIP_MAX_ENTRIES", default=1000)
# The Chinese font embedded in PDF letters: path, or path#index for a .ttc collection; empty
# means the first of the usual system locations (pre_exam.services.letters.FONT_CANDIDATES).
ZHIBAO_PDF_FONT = env.str("ZHIBAO_PDF_FONT", default="")
MEDIA_URL = "/media-not-served/"  # uploads are served only through permission-checked views
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING or DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Background jobs ------------------------------------------------------------------
# django-tasks with the database queue by default; REDIS_URL moves the same tasks onto RQ.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL and TESTING and env.str("PYTEST_XDIST_WORKER", default=""):
    # Parallel test processes each get their own Redis database, so one process's
    # worker never runs another's jobs against the wrong test database.
    REDIS_URL = REDIS_URL.rsplit("/", 1)[0] + "/" + str(1 + int(env.str("PYTEST_XDIST_WORKER")[2:]))
if REDIS_URL:
    TASKS = {
        "default": {
            "BACKEND": "django_tasks_rq.RQBackend",
            "QUEUES": ["default"],
        }
    }
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
    INSTALLED_APPS.append("django_rq")
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Seconds after which a silent worker counts as down on /healthz.
WORKER_HEARTBEAT_STALE = env.int("ZHIBAO_WORKER_HEARTBEAT_STALE", default=60)

# --- Email and notifications ----------------------------------------------------------
EMAIL_BACKEND = env.str("ZHIBAO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
if TESTING:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("ZHIBAO_FROM_EMAIL", default="zhibao@localhost")
EMAIL_HOST = env.str("ZHIBAO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("ZHIBAO_EMAIL_PORT", default=25)

# --- API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous API call then gets 401 with a WWW-Authenticate header.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "zhibao.api.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "zhibao.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Zhibao API",
    "DESCRIPTION": "知保 — one-stop IP public-service platform. Every error is {code, message, fields}.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Revitalization's choice sets share field names (state, kind, status) with other apps'.
    "ENUM_NAME_OVERRIDES": {
        "InventoryStateEnum": "zhibao.revitalization.choices.InventoryState",
        "ItemDecisionEnum": "zhibao.revitalization.choices.ItemDecision",
        "PoolStatusEnum": "zhibao.revitalization.choices.PoolStatus",
        "DemandStateEnum": "zhibao.revitalization.choices.DemandState",
        "MatchStateEnum": "zhibao.revitalization.choices.MatchState",
        "MatchAnswerEnum": "zhibao.revitalization.choices.Answer",
        "RoadshowStateEnum": "zhibao.revitalization.choices.RoadshowState",
        "DealKindEnum": "zhibao.revitalization.choices.DealKind",
        "DealStateEnum": "zhibao.revitalization.choices.DealState",
        "OpenLicenceStateEnum": "zhibao.revitalization.choices.OpenLicenceState",
        "FeeMethodEnum": "zhibao.revitalization.choices.FeeMethod",
        "NegotiatedDealKindEnum": ["assignment", "licence"],  # what an intent may ask for
        # Navigation's (zhibao/navigation/api): project and run/report states, purposes.
        "NavProjectStateEnum": "zhibao.navigation.choices.ProjectState",
        "NavRunStateEnum": "zhibao.navigation.choices.RunState",
        "NavPurposeEnum": "zhibao.navigation.choices.Purpose",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "zhibao.api.add_common_error_responses",
    ],
}

# --- Security headers -----------------------------------------------------------------
# Scripts only from our own origin: no inline script anywhere (all JS lives in static/).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("ZHIBAO_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("ZHIBAO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Logging ----------------------------------------------------------------------------
# Phone and ID numbers, passwords and tokens are redacted from every log record.
from zhibao.core.logredact import install as _install_log_redaction  # noqa: E402

_install_log_redaction()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("ZHIBAO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"level": "ERROR" if TESTING else "WARNING"},
        "axes": {"level": "WARNING"},  # our SecurityEvent table records logins and lockouts
        "fontTools": {"level": "WARNING"},  # PDF letters: its subsetter logs every glyph at INFO
    },
}

# --- Personal data ------------------------------------------------------------------------
# Fernet keys for encrypted fields, newest first (rotation: prepend a new key, keep the old).
ZHIBAO_FIELD_KEYS = env.list("ZHIBAO_FIELD_KEY", default=[])
if PRODUCTION and not ZHIBAO_FIELD_KEYS:
    raise ImproperlyConfigured("ZHIBAO_ENV=production requires ZHIBAO_FIELD_KEY (personal data encryption key)")

# --- Platform -----------------------------------------------------------------------------
ZHIBAO_SITE_NAME = _("Zhibao IP Protection Center")
ZHIBAO_DEMO_PASSWORD = env.str("ZHIBAO_DEMO_PASSWORD", default="Zhibao-demo-2026")
