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
    # JSON nested too deeply is a 400, not a RecursionError (core.api_parsing.JSONParser).
    "DEFAULT_PARSER_CLASSES": [
        "cakupan.core.api_parsing.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # OPTIONS without DRF's body description, which needs a `serializer_class` our views do not declare.
    "DEFAULT_METADATA_CLASS": "cakupan.core.api_parsing.Metadata",
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
    # The error answers any operation can give (400/401/403/404/413/415), declared once for all of them.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "cakupan.core.openapi.error_responses_hook",
    ],
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
