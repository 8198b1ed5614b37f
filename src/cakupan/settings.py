"""Settings, read from the environment (12-factor). Defaults give a working embedded SQLite set-up."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parents[2]
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("CAKUPAN_DEBUG", default=False)
# The default key is for the embedded demo only; any deployment sets CAKUPAN_SECRET_KEY.
SECRET_KEY = env.str("CAKUPAN_SECRET_KEY", default="cakupan-demo-only-not-for-production")
ALLOWED_HOSTS = env.list("CAKUPAN_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

VAR_DIR = Path(env.str("CAKUPAN_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'cakupan.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while a long job writes; a busy timeout instead of "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 30, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "cakupan.core",
    "cakupan.accounts",
    "cakupan.regions",
    "cakupan.partners",
    "cakupan.registry",
    "cakupan.demo",
    "cakupan.web",
    "cakupan.calculations",
    "cakupan.jobs",
    "cakupan.contributions",
    "cakupan.coverage",
    "cakupan.enrolment",
    "cakupan.benefits",
    "cakupan.compliance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cakupan.web.middleware.DefaultLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "cakupan.urls"
WSGI_APPLICATION = "cakupan.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Bahasa Indonesia first; English on request (the language switch in every page's header).
LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [Path(__file__).resolve().parent / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Jakarta"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# collectstatic fills it; WhiteNoise warns on every request while the folder is absent.
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "cakupan.core.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "cakupan.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Cakupan API",
    "DESCRIPTION": "Registry, contributions and coverage of BPJS Ketenagakerjaan participants.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets that share a field name need their own component names (else a warning, and CI fails).
    "ENUM_NAME_OVERRIDES": {
        "RegionKindEnum": "cakupan.regions.models.Region.Kind",
        "SponsorKindEnum": "cakupan.registry.models.Sponsor.Kind",
        "SegmentEnum": "cakupan.registry.models.Segment",
        "ProgramEnum": "cakupan.registry.models.Program",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("CAKUPAN_LOG_LEVEL", default="WARNING")},
}

# Claim notifications by e-mail (benefits app): console by default; tests use locmem (pytest-django).
EMAIL_BACKEND = env("CAKUPAN_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("CAKUPAN_MAIL_FROM", default="cakupan@localhost")

# Roster files (enrolment/limits.py): checked before any spreadsheet parser sees them. A million-row
# roster is some 40 MB as .xlsx (485 MB of XML, compressed 13 times) or 90 MB as CSV.
CAKUPAN_UPLOAD_MAX_BYTES = env.int("CAKUPAN_UPLOAD_MAX_BYTES", default=200 * 1024 * 1024)
CAKUPAN_UPLOAD_MAX_UNCOMPRESSED_BYTES = env.int("CAKUPAN_UPLOAD_MAX_UNCOMPRESSED_BYTES", default=1024**3)
# Apache POI refuses entries compressed more than 100 times (ZipSecureFile's minimum inflate ratio 0.01).
CAKUPAN_UPLOAD_MAX_RATIO = env.int("CAKUPAN_UPLOAD_MAX_RATIO", default=100)
CAKUPAN_UPLOAD_MAX_SHEETS = env.int("CAKUPAN_UPLOAD_MAX_SHEETS", default=50)
# The sheet maximum of Excel and LibreOffice; the benchmark imports a million rows.
CAKUPAN_UPLOAD_MAX_ROWS = env.int("CAKUPAN_UPLOAD_MAX_ROWS", default=1_048_576)
CAKUPAN_UPLOAD_MAX_COLUMNS = env.int("CAKUPAN_UPLOAD_MAX_COLUMNS", default=64)
# The parser holds rows x columns cells (some 40 bytes each with their text): 20 million stay under 1 GB.
CAKUPAN_UPLOAD_MAX_CELLS = env.int("CAKUPAN_UPLOAD_MAX_CELLS", default=20_000_000)
# Background jobs (cakupan jobs run): the worker process's address space, CPU seconds and wall clock.
CAKUPAN_JOB_MEMORY_BYTES = env.int("CAKUPAN_JOB_MEMORY_BYTES", default=4 * 1024**3)
CAKUPAN_JOB_CPU_SECONDS = env.int("CAKUPAN_JOB_CPU_SECONDS", default=3600)
CAKUPAN_JOB_WALL_SECONDS = env.int("CAKUPAN_JOB_WALL_SECONDS", default=2 * 3600)
# Reports and stored uploads hold NIKs (UU 27/2022: kept no longer than needed): deleted after this many
# days by `cakupan retention purge` (README, "Scheduled jobs").
CAKUPAN_RETENTION_DAYS = env.int("CAKUPAN_RETENTION_DAYS", default=90)
