"""planboard settings: one file, everything that differs between machines comes from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = os.environ.get("DEBUG") == "1"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for a development machine).")
    SECRET_KEY = "insecure-development-key-only-for-debug"
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
# `make run HOST=… PORT=…` serves a development machine to the network (a phone on the same Wi-Fi): the host it
# listens on is allowed too, and listening on every address (0.0.0.0) answers to any name it is reached by.
if DEBUG and os.environ.get("HOST"):
    ALLOWED_HOSTS += ["*"] if os.environ["HOST"] in ("0.0.0.0", "::") else [os.environ["HOST"]]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "simple_history",
    "csp",
    "axes",
    # Apps in layers, each depending only on those above it in this list (README, "The layout").
    "plans",
    "figures",
    "dashboards",
    "tasks",
    "exports",
    "planboard",
    # Holds only the migrations that created the first tables, so that databases from before the layout migrate.
    "indicators",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Inside SessionMiddleware, so that a session it refreshes is saved on the way out.
    "planboard.middleware.SlidingSessionMiddleware",
    # Chinese whatever the browser asks for; English only when chosen with the language switch (a cookie).
    "planboard.middleware.ChosenLanguageMiddleware",
    # A control character in the address is a 400, not a database error (PostgreSQL refuses NUL).
    "planboard.middleware.PlainAddressMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The plan of /plans/<code>/… pages (request.plan, and links that stay in it); old addresses redirect.
    "planboard.middleware.PlanMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    # Under DEBUG, templates/404.html instead of Django's technical 404 page (500s keep the debug page).
    "planboard.middleware.FriendlyNotFoundMiddleware",
]

ROOT_URLCONF = "planboard.urls"
WSGI_APPLICATION = "planboard.wsgi.application"

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
                "planboard.context_processors.planboard",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(default=f"sqlite:///{BASE_DIR / 'var' / 'planboard.sqlite3'}", conn_max_age=60)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers take SQLite's write lock when their transaction begins (not halfway, where they could only fail),
    # and wait up to 20 s for it; the write pipeline turns a wait that runs out into a conflict message.
    DATABASES["default"].setdefault("OPTIONS", {}).update(transaction_mode="IMMEDIATE", timeout=20)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache: Django's local memory in each process by default; with REDIS_URL (or CACHE_URL), e.g.
# redis://cache.intranet:6379/0, one Redis that every worker on every app server shares, so the first worker to
# render a page after a write serves all the others. A Redis that cannot be reached only makes pages slower
# (planboard.shared_cache); sessions then live in the database and, while it answers, in Redis too.
CACHE_URL = os.environ.get("REDIS_URL") or os.environ.get("CACHE_URL", "")
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("REDIS_URL (or CACHE_URL) must be a redis://, rediss:// or unix:// address.")
    CACHES = {
        "default": {
            "BACKEND": "planboard.shared_cache.FailSafeRedisCache",
            "LOCATION": CACHE_URL,
            # A cache that does not answer within a second is treated as down: the page is computed instead.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Permissions in one query (it logs nobody in); logins and sessions are ModelBackend's.
    "planboard.auth_backend.OneQueryPermissions",
    "django.contrib.auth.backends.ModelBackend",
]
# Password guessing: five failures lock that username from that address for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind PROXY_COUNT reverse proxies (each appending the address it received from to X-Forwarded-For), the client
# is read from that header by django-ipware, as axes documents. ipware counts the proxies listed in the header,
# and the nearest proxy's own address arrives as REMOTE_ADDR, not in it: hence one less. Counting from the right
# end, an address a client writes into the header itself is never taken for its own: not strict, so that a header
# longer than expected is still read from the right instead of being skipped for the proxy's REMOTE_ADDR.
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", 0))
IPWARE_STRICT = False
if PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = PROXY_COUNT - 1
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
else:
    AXES_IPWARE_PROXY_COUNT = None
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)

LOGIN_URL = "login"
# 待办 for officials and reviewers, the dashboard for leaders (figures.season_views.start).
LOGIN_REDIRECT_URL = "/start/"
LOGOUT_REDIRECT_URL = "login"
# Officials share office computers: a session ends after an hour without a request. It is refreshed at most every
# five minutes (planboard.middleware.SlidingSessionMiddleware), not written on every page view.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 60 * 60))
SESSION_REFRESH_SECONDS = 5 * 60

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# locale/en: the English catalogue; locale/zh_Hans: only overrides of Django's own Chinese (the "：" label suffix).
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Uploaded evidence (task reports). It is served only through a logged-in view, never as public files.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
MEDIA_URL = "media/"
# Where uploaded files go: STORAGE_BACKEND=filesystem (the default: MEDIA_ROOT, a folder every app server shares)
# or s3, an S3-compatible store such as MinIO, through django-storages with the AWS_* variables (README).
STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "filesystem")
if STORAGE_BACKEND == "filesystem":
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif STORAGE_BACKEND == "s3":
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("AWS_STORAGE_BUCKET_NAME", ""),
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
            # MinIO serves buckets under the path (http://minio:9000/bucket/...), not as sub-domains.
            "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE", "path"),
            # Evidence is private: no public ACL, and a new file never replaces another of the same name.
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
    if not DEFAULT_STORAGE["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME.")
else:
    raise ImproperlyConfigured("STORAGE_BACKEND must be filesystem or s3.")
STORAGES = {
    "default": DEFAULT_STORAGE,
    # Production serves compressed, content-hashed files through WhiteNoise (run collectstatic first).
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

ADMIN_URL = os.environ.get("ADMIN_URL", "admin/")

# Security. HTTPS=1 when the site is served over TLS (directly or by a proxy that sets X-Forwarded-Proto).
HTTPS = os.environ.get("HTTPS") == "1"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
# The balancer checks each app server directly, over plain HTTP: a redirect would take every host out of service.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", 60 * 60 * 24 * 365)) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
# Scripts only from our own files: charts read their data from json_script blocks, never inline code.
# Plotly sets inline styles on the elements it draws, so styles may be inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# E-mail for notices (figures/notices.py), sent by `manage.py send_notices` from cron, never during a request.
# `make run` prints mails to the console; production sets an SMTP server.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS") == "1"
EMAIL_USE_SSL = os.environ.get("EMAIL_USE_SSL") == "1"
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", 30))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "planboard@localhost")

DJANGO_TABLES2_TEMPLATE = "django_tables2/table.html"
