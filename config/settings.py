"""Settings for the bioimage archive portal, read from the environment.

Defaults run the portal on one machine (SQLite, local folders, ORM broker);
production sets DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS, ARCHIVE_STORAGE and
friends (see README "Running at scale").
"""

import datetime
import os
from pathlib import Path

import dj_database_url
import dj_email_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # SQLite cannot create its folder


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
    if not DEBUG and not env_bool("ALLOW_INSECURE_DEFAULTS", False):
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for local development).")
    SECRET_KEY = "insecure-local-development-key-do-not-use-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Redoc's files, served from STATIC_URL (REDOC_DIST below)
    "django_filters",
    "guardian",
    "core",  # the ground floor every project app may import (docs/design.md §1)
    # Before django_q: the portal's qcluster command replaces django-q2's (portal/management/commands/qcluster.py).
    "portal",
    "django_q",
    "allauth",
    "allauth.account",
    "axes",
    "csp",
    "accounts",
    "licensing",
    "archive",
    "uploads",
    "submissions",
    "curation",
    "harvest",  # OAI-PMH (docs/design.md §8)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.links.RequestOriginMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: it turns a locked log-in into its answer
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
                "archive.context_processors.portal",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite is the one-machine default: wait for the writer instead of failing.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file, not memory: live-server tests then give each request thread its own connection.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked account before any password is checked
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ANONYMOUS_USER_NAME = None  # guardian: anonymous users get no object permissions
GUARDIAN_RAISE_403 = False

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "my-studies"
# After sign-up, "My studies" is empty and says what comes next: upload, then submit.
ACCOUNT_SIGNUP_REDIRECT_URL = "my-studies"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False

# Log-in throttling, on every log-in form (allauth's, the admin's): after LOGIN_FAILURE_LIMIT failed
# log-ins for one account from one address, that account is refused from that address for
# LOGIN_LOCKOUT_MINUTES, the right password included.
LOGIN_FAILURE_LIMIT = 5
LOGIN_LOCKOUT_MINUTES = 15
# django-axes counts failures in the database, so every worker and host sees the same lock.
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = datetime.timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.throttling.login_account"
AXES_LOCKOUT_CALLABLE = "accounts.views.login_locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no banner at every start; lock-outs are still logged (logger "axes", below)
# allauth keeps its per-address limit (on the shared cache); its per-account one, which refuses the
# account from every address, gives way to the lock above.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip"}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# Archive storage: content-addressed objects; local folder or any S3-compatible store.
ARCHIVE_STORAGE = os.environ.get("ARCHIVE_STORAGE", "local")
ARCHIVE_ROOT = Path(os.environ.get("ARCHIVE_ROOT", VAR_DIR / "archive"))
UPLOAD_ROOT = Path(os.environ.get("UPLOAD_ROOT", VAR_DIR / "uploads"))
# Local archive storage on the upload area's filesystem takes submitted files by hard link (no copy);
# 0 copies them instead. Other filesystems and S3 always copy.
ARCHIVE_HARDLINK_UPLOADS = env_bool("ARCHIVE_HARDLINK_UPLOADS", True)
if ARCHIVE_STORAGE == "s3":
    archive_backend = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("AWS_STORAGE_BUCKET_NAME", "bioimage-archive"),
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": int(os.environ.get("ARCHIVE_SIGNED_URL_SECONDS", "300")),
            "file_overwrite": True,
            "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE", "path"),
            "signature_version": "s3v4",  # signed download URLs; V2 is refused by current stores
        },
    }
elif ARCHIVE_STORAGE == "local":
    archive_backend = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": ARCHIVE_ROOT, "base_url": None},
    }
else:
    raise ImproperlyConfigured("ARCHIVE_STORAGE must be 'local' or 's3'.")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "archive": archive_backend,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
# Whole-study and folder downloads (archive/selectors/downloads.py). A streamed ZIP holds one central
# directory entry (about half a kilobyte) a file in memory until its end, so it is capped by bytes and by
# files; above either, the page offers the download list, which has no limit.
DOWNLOAD_ZIP_MAX_BYTES = int(os.environ.get("DOWNLOAD_ZIP_MAX_BYTES", str(100 * 1024**3)))
DOWNLOAD_ZIP_MAX_FILES = int(os.environ.get("DOWNLOAD_ZIP_MAX_FILES", "100000"))
# How long the signed object-store URLs of a download list stay valid (S3 allows at most 7 days).
DOWNLOAD_LIST_URL_SECONDS = int(os.environ.get("DOWNLOAD_LIST_URL_SECONDS", str(7 * 24 * 3600)))

# Portal rules (docs/design.md §5); each is enforced by one service.
ACCESSION_PREFIX = os.environ.get("ACCESSION_PREFIX", "S-BIAD")
PORTAL_NAME = os.environ.get("PORTAL_NAME", "BioImage Archive portal")
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{PORTAL_NAME}] "  # allauth's e-mails follow core.mail's subject convention
# The portal's public address for links in e-mails and records (core/links.py); unset, links built while
# answering a request use its host, and jobs the one-machine address.
PORTAL_URL = os.environ.get("PORTAL_URL", "")
DIRECT_SUBMISSION_LICENCE = "CC0-1.0"  # P-LICENCE
RELEASE_DATE_MAX_YEARS = 2  # P-RELEASE-DATE
RELEASE_JOB_MINUTES = 15
# DOIs through DataCite's REST API (archive/services/dois.py): on only when prefix, repository id and password
# are all set. Test mode (the default) talks to DataCite's test API, whose DOIs resolve nowhere.
DATACITE_PREFIX = os.environ.get("DATACITE_PREFIX", "")
DATACITE_REPOSITORY_ID = os.environ.get("DATACITE_REPOSITORY_ID", "")
DATACITE_PASSWORD = os.environ.get("DATACITE_PASSWORD", "")
DATACITE_TEST_MODE = env_bool("DATACITE_TEST_MODE", True)
DATACITE_URL = os.environ.get(
    "DATACITE_URL", "https://api.test.datacite.org" if DATACITE_TEST_MODE else "https://api.datacite.org"
)
DATACITE_TIMEOUT_SECONDS = 20
ARCHIVE_SUMMARY_CACHE_SECONDS = int(os.environ.get("ARCHIVE_SUMMARY_CACHE_SECONDS", "300"))  # facets, counts
SEARCH_CACHE_SECONDS = int(os.environ.get("SEARCH_CACHE_SECONDS", "60"))  # the public's ranked result lists
SEARCH_CACHE_RESULTS = 1000
# The search page counts and ranks at most this many (newest) matches; beyond, it says "more than".
SEARCH_COUNTED_RESULTS = int(os.environ.get("SEARCH_COUNTED_RESULTS", "200"))
# How many of the newest accessions a search first looks in for them (archive/selectors/search.py).
SEARCH_FIRST_WINDOW = 2**14
OAI_PAGE_SIZE = int(os.environ.get("OAI_PAGE_SIZE", "100"))  # records per ListRecords answer
OAI_IDENTIFIERS_PAGE_SIZE = int(os.environ.get("OAI_IDENTIFIERS_PAGE_SIZE", "500"))  # headers per ListIdentifiers
# Who answers for the OAI-PMH repository (Identify's adminEmail: the protocol wants a dotted domain).
OAI_ADMIN_EMAIL = os.environ.get("OAI_ADMIN_EMAIL", "archive@example.org")
UPLOAD_RETENTION_MONTHS = 3  # P-UPLOAD-RETENTION
UPLOAD_WARNING_DAYS = (14, 2)  # P-UPLOAD-RETENTION: e-mails this many days before deletion
UPLOAD_QUOTA_BYTES = int(os.environ.get("UPLOAD_QUOTA_BYTES", str(1024**4)))  # 1 TiB per area by default
UPLOAD_DIRECT_IO = env_bool("UPLOAD_DIRECT_IO", True)  # O_DIRECT appends; turn off on NFS
UPLOAD_MAX_FILE_BYTES = int(os.environ.get("UPLOAD_MAX_FILE_BYTES", str(200 * 1024**3)))
# P-INTEGRITY: bytes the scheduled fixity job re-hashes per run (hourly), least recently checked first.
FIXITY_BYTES_PER_RUN = int(os.environ.get("FIXITY_BYTES_PER_RUN", str(50 * 1024**3)))
# Folders on this host that imports of brokered datasets may read local files from (P-LICENCE).
IMPORT_LOCAL_ROOTS = [Path(p) for p in env_list("IMPORT_LOCAL_ROOTS", str(VAR_DIR / "imports"))]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    # Writes need an account unless a view says otherwise; services still check the actor.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PARSER_CLASSES": [
        "archive.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "archive.api.pagination.StandardPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "archive.api.errors.exception_handler",
    "DEFAULT_METADATA_CLASS": "archive.api.metadata.APIMetadata",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Bioimage archive API",
    "DESCRIPTION": "Search, read and download the archive; deposit and curate with a token.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "REDOC_DIST": "SIDECAR",  # /api/docs/ then loads nothing from outside the portal
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "archive.api.schema.document_error_answers",
    ],
}

REDIS_URL = os.environ.get("REDIS_URL", "")
# Search generations, facets and allauth's rate limits must be the same for every gunicorn worker and
# the task cluster: files under VAR_DIR on one machine (no per-process memory), Redis across hosts.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    )
}
Q_CLUSTER = {
    "name": "bioimage",
    "workers": int(os.environ.get("Q_WORKERS", "2")),
    "timeout": 3600,
    "retry": 4000,
    "max_attempts": 3,
    "catch_up": False,
    "orm": "default",
}
if REDIS_URL:
    Q_CLUSTER.pop("orm")
    Q_CLUSTER["redis"] = REDIS_URL
if env_bool("Q_SYNC", False):
    Q_CLUSTER["sync"] = True

email_config = dj_email_url.parse(os.environ.get("EMAIL_URL", "console://"))
EMAIL_BACKEND = email_config["EMAIL_BACKEND"]
EMAIL_HOST = email_config.get("EMAIL_HOST", "")
EMAIL_PORT = email_config.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = email_config.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = email_config.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = email_config.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = email_config.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "archive@localhost")

# Production hardening; all of it follows DEBUG so `check --deploy` passes.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = 0 if DEBUG else int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts, styles, images and requests come from the portal only,
# no inline script or style runs (templates keep them in static/js and static/css), no one frames a
# page. data: images are Bootstrap's icons, blob: ones Uppy's previews. A page that needs more widens
# it for itself with csp_update (only /api/docs/, for Redoc).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}
