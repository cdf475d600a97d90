"""Settings for 先锋 Xianfeng, driven by environment variables with defaults that need no setup."""

import os
import secrets
from decimal import Decimal
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("XIANFENG_VAR_DIR", BASE_DIR / "var"))
# Owner-only (0700 folders, 0600 files): the database, uploads, backups and the SMS outbox hold personal
# data. manage.py and config.wsgi set umask 077; the ops.W001 check warns when DEBUG is off and they are not.
VAR_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"{name} must be a boolean, got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from exc


def dev_secret(filename: str, nbytes: int) -> str:
    """A random secret kept under var/ so a fresh clone runs with no configuration."""
    path = VAR_DIR / filename
    if not path.exists():
        # Written whole under a private name, then linked into place: processes starting together (workers, a
        # test's writers) all read the one key that won, never an empty file caught between create and write.
        draft = VAR_DIR / f".{filename}.{os.getpid()}.{secrets.token_hex(4)}"
        with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as fh:
            fh.write(secrets.token_hex(nbytes))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process linked its key first: use that one
        finally:
            draft.unlink()
    return path.read_text().strip()


DEBUG = env_bool("XIANFENG_DEBUG", True)
SECRET_KEY = os.environ.get("XIANFENG_SECRET_KEY") or dev_secret("dev-secret-key", 32)
# SM4 master key for personal data (32 hex digits = 128 bits). Production must set it.
PII_KEY = os.environ.get("XIANFENG_PII_KEY") or dev_secret("dev-pii-key", 16)
ALLOWED_HOSTS = [
    h for h in env_str("XIANFENG_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in env_str("XIANFENG_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "audit",
    "accounts",
    "orgs",
    "notifications",
    "orglife",
    "points",
    "observers",
    "learning",
    "development",
    "quizzes",
    "bulletins",
    "ops",
    "home",
    "demo",
]

MIDDLEWARE = [
    "ops.dbguard.DatabaseUnavailableMiddleware",  # outermost: a busy/unreachable database answers 503
    "django.middleware.security.SecurityMiddleware",
    "config.csp.CachedCSPMiddleware",  # django-csp with the plain policy built once (config/csp.py)
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's locale and messages middleware without the look-ups a request does not use (config/middleware.py)
    "config.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's AuthenticationMiddleware taking the user from the session read and the access context from
    # the session (accounts.context): no queries before the page's own but the session's.
    "accounts.context.UserContextMiddleware",
    "accounts.ratelimit.RateLimitMiddleware",
    "accounts.webguard.NoStoreMiddleware",
    "accounts.webguard.PageKeyMiddleware",  # the key of the worker's page copies (after the session's end)
    "audit.middleware.RequestContextMiddleware",
    "accounts.middleware.SessionSecurityMiddleware",
    "config.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

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
                "accounts.context_processors.navigation",
                "home.context_processors.menu",
            ],
            # Django's `date` filter, its results remembered per process (home/templatetags/dates.py).
            "builtins": ["home.templatetags.dates"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'xianfeng.sqlite3'}",
        # Persistent connections: a new SQLite connection costs four PRAGMAs and PostgreSQL a login on every
        # request otherwise; the health check drops a connection that went away between requests.
        conn_max_age=env_int("XIANFENG_DB_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; "
            "PRAGMA secure_delete=ON;"  # deleted or overwritten personal data is zeroed in the file
        ),
        "transaction_mode": "IMMEDIATE",
    }
    _sqlite_file = Path(str(DATABASES["default"]["NAME"]))
    _on_disk = str(_sqlite_file) not in ("", ":memory:") and not str(_sqlite_file).startswith("file:")
    if _on_disk and _sqlite_file.parent.is_dir() and not _sqlite_file.exists():
        # Created owner-only before SQLite opens it: SQLite gives its journal and WAL the file's mode.
        os.close(os.open(_sqlite_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's default PBKDF2 (1,000,000 iterations) for every chosen password; the last one only checks the
# random initial passwords of bulk provisioning (accounts.passwords.InitialPasswordHasher says why).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "accounts.passwords.InitialPasswordHasher",
]
INITIAL_PASSWORD_ITERATIONS = env_int("XIANFENG_INITIAL_PASSWORD_ITERATIONS", 1_000)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "accounts.passwords.CharacterClassValidator"},
    {"NAME": "accounts.passwords.NotUsernameOrPhoneValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(env_str("XIANFENG_MEDIA_ROOT", str(VAR_DIR / "media")))
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Public assets that nginx serves from staticfiles/: readable by others despite the umask 077.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "OPTIONS": {"file_permissions_mode": 0o644, "directory_permissions_mode": 0o755},
    },
}

# Login security (等保三级): an account locks after N failures within a window. An address (one village
# office's NAT may hold many users) is throttled after LOGIN_IP_MAX_FAILURES failures in the window: it may
# then try only accounts that logged in from it within LOGIN_IP_TRUST_DAYS (accounts.services.is_throttled).
LOGIN_MAX_FAILURES = env_int("XIANFENG_LOGIN_MAX_FAILURES", 5)
LOGIN_LOCKOUT_MINUTES = env_int("XIANFENG_LOGIN_LOCKOUT_MINUTES", 15)
LOGIN_IP_MAX_FAILURES = env_int("XIANFENG_LOGIN_IP_MAX_FAILURES", 20)
LOGIN_IP_TRUST_DAYS = env_int("XIANFENG_LOGIN_IP_TRUST_DAYS", 30)
SESSION_IDLE_TIMEOUT_MINUTES = env_int("XIANFENG_SESSION_IDLE_MINUTES", 30)
# API tokens are sessions without a cookie, with the same limits by default: they die this many hours after
# they were issued, and after this many minutes without use (accounts.tokens).
API_TOKEN_HOURS = env_int("XIANFENG_API_TOKEN_HOURS", 12)
API_TOKEN_IDLE_MINUTES = env_int("XIANFENG_API_TOKEN_IDLE_MINUTES", SESSION_IDLE_TIMEOUT_MINUTES)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("XIANFENG_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = 12 * 3600
# Database sessions whose save reports a locked/unreachable database as such (a 503, not a 400).
SESSION_ENGINE = "ops.sessions"

# Identity and audit integrity (等保三级; docs/security.md). Accounts with no login for this many days
# are disabled by the daily job (accounts_disable_dormant); accounts_selfcheck flags accounts unused
# or still on their initial password after XIANFENG_SELFCHECK_DAYS.
XIANFENG_DORMANT_DAYS = env_int("XIANFENG_DORMANT_DAYS", 90)
XIANFENG_SELFCHECK_DAYS = env_int("XIANFENG_SELFCHECK_DAYS", 30)
# Audit trail: HMAC-SM3 chain key (hex; derived from PII_KEY when empty) and the retention in days
# (at least 180: a system check refuses less; audit_purge never removes younger rows).
XIANFENG_AUDIT_KEY = env_str("XIANFENG_AUDIT_KEY", "")
XIANFENG_AUDIT_RETENTION_DAYS = env_int("XIANFENG_AUDIT_RETENTION_DAYS", 3 * 365)
# The signed checkpoint of the chain's head (audit.checkpoint): outside the database, so a cut tail shows.
XIANFENG_AUDIT_CHECKPOINT = env_str("XIANFENG_AUDIT_CHECKPOINT", str(VAR_DIR / "audit-checkpoint.json"))
# PostgreSQL seals the chain after commit (audit.chain.seal); a row left unsealed longer is a verify fault.
XIANFENG_AUDIT_SEAL_MINUTES = env_int("XIANFENG_AUDIT_SEAL_MINUTES", 10)
# Chunks of a photo upload a phone never finished are deleted after this many hours without a new chunk
# (the default, 72, lives in orglife/defaults.py; set here only when the environment overrides it).
if "XIANFENG_UPLOAD_CHUNKS_MAX_AGE_HOURS" in os.environ:
    ORGLIFE_UPLOAD_CHUNKS_MAX_AGE_HOURS = env_int("XIANFENG_UPLOAD_CHUNKS_MAX_AGE_HOURS", 72)

# 每日一练 earns at most this many points a day (the default, 1, lives in quizzes/defaults.py; 0 for none).
if "XIANFENG_QUIZ_PRACTICE_DAILY_CAP" in os.environ:
    QUIZZES_PRACTICE_DAILY_CAP = Decimal(env_str("XIANFENG_QUIZ_PRACTICE_DAILY_CAP", "1"))

TRUST_X_FORWARDED_FOR = env_bool("XIANFENG_TRUST_PROXY", False)
PAGE_SIZE = env_int("XIANFENG_PAGE_SIZE", 20)
IMPORT_MAX_BYTES = env_int("XIANFENG_IMPORT_MAX_MB", 20) * 1024 * 1024
# An .xlsx is a zip: its parts are checked before parsing (orgs.services.roster.check_xlsx), so a small upload
# cannot unpack into gigabytes. A 30,000-member roster sheet unpacks to about 25 MB.
IMPORT_MAX_ZIP_ENTRIES = env_int("XIANFENG_IMPORT_MAX_ZIP_ENTRIES", 100)
IMPORT_MAX_PART_BYTES = env_int("XIANFENG_IMPORT_MAX_PART_MB", 100) * 1024 * 1024
IMPORT_MAX_UNZIPPED_BYTES = env_int("XIANFENG_IMPORT_MAX_UNZIPPED_MB", 200) * 1024 * 1024
# A roster is read within this time and row count, whatever its cells hold (a worker is never tied up).
IMPORT_MAX_SECONDS = env_int("XIANFENG_IMPORT_MAX_SECONDS", 120)
IMPORT_MAX_ROWS = env_int("XIANFENG_IMPORT_MAX_ROWS", 100_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_BYTES
# Deepest nesting of arrays and objects an API request's JSON body may have (the API's own bodies nest a few levels).
API_JSON_MAX_DEPTH = env_int("XIANFENG_API_JSON_MAX_DEPTH", 32)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON bodies nested deeper than API_JSON_MAX_DEPTH are a 400, not a RecursionError (orgs.api_parsers).
    "DEFAULT_PARSER_CLASSES": [
        "orgs.api_parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": PAGE_SIZE,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "先锋 Xianfeng API",
    "DESCRIPTION": "智慧党建平台 REST API：组织、党员。所有结果按调用者的授权范围过滤。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# 学习积分 defaults, used where no catalogue version sets its own (a version's values take precedence).
POINTS_PASS_MARK = env_int("XIANFENG_POINTS_PASS_MARK", 60)
POINTS_OBJECTION_DAYS = env_int("XIANFENG_POINTS_OBJECTION_DAYS", 7)
POINTS_COMMENDATION_TOP = env_int("XIANFENG_POINTS_COMMENDATION_TOP", 10)
# A TrueType/OpenType font with Chinese glyphs for the 一人一档 PDF (.ttc: Simplified Chinese face is used).
POINTS_PDF_FONT = env_str("XIANFENG_PDF_FONT", "")

# 组织生活纪实 uploads: photos are re-encoded (EXIF stripped); pictures above the pixel limit are refused.
ORGLIFE_PHOTO_MAX_BYTES = env_int("XIANFENG_PHOTO_MAX_MB", 15) * 1024 * 1024
ORGLIFE_PHOTO_MAX_PIXELS = env_int("XIANFENG_PHOTO_MAX_PIXELS", 40_000_000)
ORGLIFE_ATTACHMENT_MAX_BYTES = env_int("XIANFENG_ATTACHMENT_MAX_MB", 20) * 1024 * 1024
# 党员教育片库 uploads (phone videos, transcoded to H.264/AAC MP4 by a task); larger files are refused.
LEARNING_VIDEO_MAX_MB = env_int("XIANFENG_VIDEO_MAX_MB", 500)
LEARNING_SLIDES_MAX_MB = env_int("XIANFENG_SLIDES_MAX_MB", 50)  # 微党课课件 (PDF, .pptx)
# Production: nginx's internal location for MEDIA_ROOT; the video endpoint answers X-Accel-Redirect after its
# access check (README, 规模化部署). Empty: Django serves the ranges itself.
LEARNING_MEDIA_ACCEL_PREFIX = env_str("XIANFENG_MEDIA_ACCEL_PREFIX", "")

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Messages (notifications outbox). SMS backend: console (logs masked numbers), file (JSON lines, the
# default) or aliyun (Aliyun SMS through its official SDK; keys from the environment).
XIANFENG_SMS_BACKEND = env_str("XIANFENG_SMS_BACKEND", "file")
XIANFENG_SMS_FILE = env_str("XIANFENG_SMS_FILE", str(VAR_DIR / "sms-outbox.jsonl"))
XIANFENG_SMS_MAX_ATTEMPTS = env_int("XIANFENG_SMS_MAX_ATTEMPTS", 6)
XIANFENG_SMS_BACKOFF_CAP_MINUTES = env_int("XIANFENG_SMS_BACKOFF_CAP_MINUTES", 60)
# A worker claims a message for this long: past it, the message is re-checked with the provider (never
# re-sent blindly). It must exceed one provider call (the Aliyun backend times out after 15 s).
XIANFENG_SMS_LEASE_SECONDS = env_int("XIANFENG_SMS_LEASE_SECONDS", 300)
# A task left RUNNING this long by a worker that died (kill -9, lost host) is marked failed; the longest
# task must finish well within it.
XIANFENG_TASK_LEASE_SECONDS = env_int("XIANFENG_TASK_LEASE_SECONDS", 3600)
# Fault tests only: the "stall" SMS backend hangs its worker at "before:N" or "after:N" (its N-th send).
XIANFENG_SMS_STALL = env_str("XIANFENG_SMS_STALL", "")
XIANFENG_ALIYUN_ACCESS_KEY_ID = env_str("XIANFENG_ALIYUN_ACCESS_KEY_ID", "")
XIANFENG_ALIYUN_ACCESS_KEY_SECRET = env_str("XIANFENG_ALIYUN_ACCESS_KEY_SECRET", "")
XIANFENG_ALIYUN_SMS_SIGN_NAME = env_str("XIANFENG_ALIYUN_SMS_SIGN_NAME", "先锋智慧党建")
XIANFENG_ALIYUN_SMS_TEMPLATE_CODE = env_str("XIANFENG_ALIYUN_SMS_TEMPLATE_CODE", "")
XIANFENG_ALIYUN_SMS_ENDPOINT = env_str("XIANFENG_ALIYUN_SMS_ENDPOINT", "dysmsapi.aliyuncs.com")
XIANFENG_ALIYUN_SMS_PROTOCOL = env_str("XIANFENG_ALIYUN_SMS_PROTOCOL", "https")
# 约谈 (interviews of lagging committees) are due this many days after the month closes.
XIANFENG_INTERVIEW_DUE_DAYS = env_int("XIANFENG_INTERVIEW_DUE_DAYS", 10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("XIANFENG_LOG_LEVEL", "WARNING")},
    # urllib3 logs every request URL at DEBUG, and the SMS API's URLs carry phone numbers: never below WARNING
    # (the suite's log guard, audit/log_guard.py, fails on any phone or ID number logged).
    # xianfeng.audit echoes each checkpointed head of the audit chain (INFO): a copy off the database.
    "loggers": {"urllib3": {"level": "WARNING"}, "xianfeng.audit": {"level": "INFO"}},
}

# 组织生活观察员 (太湖): eligibility and the annual allowance per grade (以奖代补), local settings.
OBSERVER_MIN_PARTY_WORK_YEARS = env_int("XIANFENG_OBSERVER_MIN_YEARS", 3)
OBSERVER_ALLOWANCE_EXCELLENT = env_int("XIANFENG_OBSERVER_ALLOWANCE_EXCELLENT", 1000)
OBSERVER_ALLOWANCE_COMPETENT = env_int("XIANFENG_OBSERVER_ALLOWANCE_COMPETENT", 600)

# --- Web hardening (等保三级 入侵防范; docs/security.md) -------------------------------------------------
# XIANFENG_PRODUCTION=true is the deployment mode: DEBUG off, real secrets required, HTTPS only (HSTS,
# redirect, secure cookies). `manage.py check --deploy --fail-level WARNING` passes in this mode.
PRODUCTION = env_bool("XIANFENG_PRODUCTION", False)
if PRODUCTION:
    DEBUG = False
    _missing = [
        name
        for name, ok in (
            ("XIANFENG_SECRET_KEY (50+ characters)", len(os.environ.get("XIANFENG_SECRET_KEY", "")) >= 50),
            ("XIANFENG_PII_KEY", bool(os.environ.get("XIANFENG_PII_KEY"))),
            ("XIANFENG_ALLOWED_HOSTS", bool(os.environ.get("XIANFENG_ALLOWED_HOSTS"))),
        )
        if not ok
    ]
    if _missing:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("XIANFENG_PRODUCTION=true requires " + ", ".join(_missing))
    SESSION_COOKIE_SECURE = env_bool("XIANFENG_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("XIANFENG_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = env_int("XIANFENG_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("XIANFENG_HSTS_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("XIANFENG_HSTS_PRELOAD", True)
if TRUST_X_FORWARDED_FOR:  # behind a TLS-terminating reverse proxy that sets X-Forwarded-Proto
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True  # htmx sends the token from the page (hx-headers), never from the cookie

# Content Security Policy (django-csp 4): scripts only from our own static files. style-src needs
# 'unsafe-inline' because templates use style="" attributes and htmx/Bootstrap/ECharts inject inline
# styles; Bootstrap's CSS draws form controls with data: SVG images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Cache: rate-limit counters. Default install: a database table (created after `migrate`); production
# with several web processes may use Redis (XIANFENG_REDIS_URL, e.g. redis://127.0.0.1:6379/0).
REDIS_URL = env_str("XIANFENG_REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "xianfeng_cache"}
    )
}
# Rate limits "count/seconds" per scope and user (login: per user name); a client IP may make
# RATE_LIMIT_IP_FACTOR times as many (accounts/ratelimit.py), except logins: an address's failed logins are
# throttled by the login service (LOGIN_IP_MAX_FAILURES), so a busy office's colleagues still log in.
RATE_LIMITS = {
    "login": env_str("XIANFENG_RATE_LOGIN", "10/300"),
    "password": env_str("XIANFENG_RATE_PASSWORD", "5/900"),
    "sms": env_str("XIANFENG_RATE_SMS", "30/3600"),
    "export": env_str("XIANFENG_RATE_EXPORT", "30/3600"),
    "unmask": env_str("XIANFENG_RATE_UNMASK", "30/3600"),
    # Member searches by a full ID number or phone (each one confirms or denies a number).
    "number_search": env_str("XIANFENG_RATE_NUMBER_SEARCH", "30/3600"),
}
RATE_LIMIT_IP_FACTOR = env_int("XIANFENG_RATE_IP_FACTOR", 4)
# The OpenAPI schema and its documentation pages are for signed-in users and API tokens only.
SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"] = [
    "drf_spectacular.hooks.postprocess_schema_enums",
    "config.openapi.add_error_responses",  # 400/401/403/404/429 documented on every operation
]
# Several models have a `kind`; the quiz question's gets its own name in the schema.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    "QuizQuestionKindEnum": "quizzes.models.Question.Kind",
    "OrganizationKindEnum": "orgs.models.Organization.Kind",
    "PositionTitleEnum": "orgs.models.Position.Title",
    "VideoAssignmentKindEnum": "learning.models.VideoAssignment.Kind",
}
SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"] = ["rest_framework.permissions.IsAuthenticated"]

# Data safety (等保三级 数据安全与备份恢复; docs/security.md). Backups are sealed with SM4-GCM under a key
# derived from XIANFENG_BACKUP_KEY (32 hex digits), else from XIANFENG_PII_KEY. Members who left (出党) or
# died more than MEMBER_DATA_RETENTION_YEARS ago have their ID number, phone and other personal details
# purged (purge_member_personal_data); with MEMBER_PURGE_NAME the name is replaced too.
BACKUP_KEY = env_str("XIANFENG_BACKUP_KEY", "")
MEMBER_DATA_RETENTION_YEARS = env_int("XIANFENG_MEMBER_DATA_RETENTION_YEARS", 5)
MEMBER_PURGE_NAME = env_bool("XIANFENG_MEMBER_PURGE_NAME", False)
