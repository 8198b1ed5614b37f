"""Settings, read from the environment (12-factor). Defaults give a working embedded SQLite set-up."""

import datetime as dt
from pathlib import Path

import environ
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parents[2]
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("CAKUPAN_DEBUG", default=False)
# Demo mode: the embedded demo and development (`make demo` and `make serve` set CAKUPAN_DEMO=1). Only
# there may the public demo key sign sessions and tokens.
DEMO_MODE = DEBUG or env.bool("CAKUPAN_DEMO", default=False)
DEMO_SECRET_KEY = "cakupan-demo-only-not-for-production"  # noqa: S105 - public on purpose, refused outside demo
# Outside demo mode a missing key stops the server (wsgi.py, `cakupan serve`: core/deployment.py) and fails
# `check --deploy`; other commands and the tests still run, so a fresh clone migrates and tests unset.
SECRET_KEY = env.str("CAKUPAN_SECRET_KEY", default=DEMO_SECRET_KEY)
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
# Read replica (core/db_router.py, core/replica_middleware.py): read-only pages, dashboards and exports read
# from it when DATABASE_REPLICA_URL is set; writes, transactions, sign-in state and a browser's requests for
# CAKUPAN_REPLICA_STICKY_SECONDS after one of its requests wrote use the primary. The same engine options as
# the primary's; tests treat it as a mirror of the default database (they never create or flush it).
if env.str("DATABASE_REPLICA_URL", default=""):
    _replica = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"] = {
        **DATABASES["default"],
        **_replica,
        "OPTIONS": {
            # A replica that does not answer in seconds is passed over for the primary (replica_middleware).
            "connect_timeout": 3,
            **DATABASES["default"].get("OPTIONS", {}),
            **_replica.get("OPTIONS", {}),
        },
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["cakupan.core.db_router.ReplicaRouter"]
CAKUPAN_REPLICA_STICKY_SECONDS = env.int("CAKUPAN_REPLICA_STICKY_SECONDS", default=15)
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
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
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
    "cakupan.cards",
    "cakupan.sponsorship",
    "cakupan.outreach",
    "cakupan.field",
    "cakupan.fieldapp",
]

MIDDLEWARE = [
    # First: times, names and logs every request, static files included (core.observability).
    "cakupan.core.observability.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise: static files answer before these run (no CSP, no no-store on them).
    "csp.middleware.CSPMiddleware",
    # Before anything that reads the database: it decides whether this request may read the replica.
    "cakupan.core.replica_middleware.ReplicaReadsMiddleware",
    # Every query of a request, the session's and the sign-in lockout's too, under
    # CAKUPAN_WEB_STATEMENT_TIMEOUT_MS (core.statement_timeout).
    "cakupan.core.statement_timeout.StatementTimeoutMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cakupan.web.middleware.DefaultLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cakupan.accounts.middleware.RequestScopeMiddleware",
    "cakupan.web.middleware.PrivateResponseMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout answer.
    "axes.middleware.AxesMiddleware",
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
            # Formatting filters every template may use without a load tag (core/templatetags/display.py).
            "builtins": ["cakupan.core.templatetags.display"],
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# The lockout backend comes first: a locked username and address is refused before any password is checked.
AUTHENTICATION_BACKENDS = [
    "cakupan.accounts.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Django's four validators; ten characters, because these accounts open personal data of many people.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in lockout (django-axes) on the login page, the admin's login and the token endpoint. Attempts are
# rows in the database, so every gunicorn worker sees them with no shared cache. Locked per username AND
# address: an attacker cannot lock a whole office out from behind its NAT, nor one user out from anywhere.
AXES_FAILURE_LIMIT = env.int("CAKUPAN_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("CAKUPAN_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The cool-off runs from the last failure before the lock, so a user who retries is not locked longer.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "cakupan.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "cakupan.accounts.lockout.client_ip"
# Failed sign-ins are audit events (accounts.lockout); successful ones stay in axes' access log.

# Reverse proxies in front of the server that append to X-Forwarded-For (0: the peer is the client).
CAKUPAN_PROXY_COUNT = env.int("CAKUPAN_PROXY_COUNT", default=0)

# API tokens expire (accounts.tokens); sessions too, after a working day rather than Django's two weeks.
CAKUPAN_TOKEN_TTL_HOURS = env.int("CAKUPAN_TOKEN_TTL_HOURS", default=12)
SESSION_COOKIE_AGE = env.int("CAKUPAN_SESSION_HOURS", default=12) * 3600
# The schema and interactive docs list every endpoint and field: behind sign-in unless made public.
CAKUPAN_PUBLIC_API_DOCS = env.bool("CAKUPAN_PUBLIC_API_DOCS", default=False)

# HTTPS behind the deployment's proxy, all from the environment (README, "Production settings").
# `cakupan check --deploy` reports nothing once they are set as the README says.
SECURE_PROXY_SSL_HEADER = tuple(env.list("CAKUPAN_PROXY_SSL_HEADER", default=[])) or None
SECURE_SSL_REDIRECT = env.bool("CAKUPAN_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("CAKUPAN_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("CAKUPAN_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("CAKUPAN_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("CAKUPAN_SECURE_COOKIES", default=False)
CSRF_TRUSTED_ORIGINS = env.list("CAKUPAN_CSRF_TRUSTED_ORIGINS", default=[])
SESSION_COOKIE_HTTPONLY = True
# Pages and htmx send the CSRF token from the page itself (base.html), never from script reading the cookie.
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Leaving out includeSubDomains or preload is a deliberate choice when the variable says so; its warning
# would otherwise keep `check --deploy` from ever being clean.
SILENCED_SYSTEM_CHECKS = [
    *(["security.W005"] if not SECURE_HSTS_INCLUDE_SUBDOMAINS else []),
    *(["security.W021"] if not SECURE_HSTS_PRELOAD else []),
]

# Content-Security-Policy (django-csp 4): no inline script or style anywhere in our pages; the API docs
# pages relax it for themselves (api_urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

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
        "cakupan.accounts.tokens.ExpiringTokenAuthentication",
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
    # The public outreach sign-up (outreach/throttles.py): per address and per event, counted in the
    # "throttle" cache below so every gunicorn worker shares the count. Mobile carriers put many phones
    # behind one address (CGNAT): the per-address rate is generous, the per-event one caps a flood.
    "DEFAULT_THROTTLE_RATES": {
        "signup_address": env.str("CAKUPAN_SIGNUP_RATE_ADDRESS", default="30/hour"),
        "signup_event": env.str("CAKUPAN_SIGNUP_RATE_EVENT", default="2000/hour"),
    },
}
# Django's default cache is per process; counts that must hold across gunicorn workers (the sign-up
# throttles) live in a database table, on SQLite and PostgreSQL alike (created by outreach's migration
# 0002 and by the test runner).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "cakupan_throttle_cache",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
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

# Operations (README, "Operations"). Logs: JSON lines on standard error (core.observability), one per
# request at INFO with its id, user, role, path, status and duration; CAKUPAN_LOG_FORMAT=text for humans.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "cakupan.core.observability.RequestContextFilter"}},
    "formatters": {
        "json": {"()": "cakupan.core.observability.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request"],
            "formatter": env.str("CAKUPAN_LOG_FORMAT", default="json"),
        }
    },
    "loggers": {"cakupan.request": {"level": env.str("CAKUPAN_REQUEST_LOG_LEVEL", default="INFO")}},
    "root": {"handlers": ["console"], "level": env.str("CAKUPAN_LOG_LEVEL", default="WARNING")},
}
# A web request's queries may run this long together (core.statement_timeout), then the database stops
# the one running and the page answers 503. Jobs and commands have none. 0 turns it off.
CAKUPAN_WEB_STATEMENT_TIMEOUT_MS = env.int("CAKUPAN_WEB_STATEMENT_TIMEOUT_MS", default=15_000)
# /readyz fails below this much free space on the disk of VAR_DIR (reports, uploads).
CAKUPAN_READY_MIN_FREE_BYTES = env.int("CAKUPAN_READY_MIN_FREE_BYTES", default=1024**3)
# /metrics answers with `Authorization: Bearer <token>`; unset, only to this machine and without a proxy.
CAKUPAN_METRICS_TOKEN = env.str("CAKUPAN_METRICS_TOKEN", default="")
# `cakupan serve`: gunicorn workers and threads per worker (0: sized to the machine, core.deployment).
CAKUPAN_WEB_WORKERS = env.int("CAKUPAN_WEB_WORKERS", default=0)
CAKUPAN_WEB_THREADS = env.int("CAKUPAN_WEB_THREADS", default=0)
# Probes come over plain HTTP from inside the network: not redirected to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

# Claim notifications by e-mail (benefits app): console by default; tests use locmem (pytest-django).
EMAIL_BACKEND = env("CAKUPAN_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("CAKUPAN_MAIL_FROM", default="cakupan@localhost")

# Roster files (core/upload_limits.py): checked before any spreadsheet parser sees them. A million-row
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

# The job queue (docs/design.md, "Jobs"): django-tasks' database backend, the same database as the rest, so
# SQLite and PostgreSQL both work with nothing more; `cakupan worker` runs the tasks (`cakupan serve` starts
# CAKUPAN_WORKERS of them beside gunicorn). Heavy kinds (billing, roster imports) run at most
# CAKUPAN_HEAVY_JOBS at a time on one machine; a worker writes a heartbeat every CAKUPAN_JOB_HEARTBEAT_SECONDS
# and a running job on another host whose heartbeat is older than CAKUPAN_JOB_LEASE_SECONDS is dead.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
CAKUPAN_WORKERS = env.int("CAKUPAN_WORKERS", default=2)
CAKUPAN_HEAVY_JOBS = env.int("CAKUPAN_HEAVY_JOBS", default=1)
CAKUPAN_JOB_HEARTBEAT_SECONDS = env.float("CAKUPAN_JOB_HEARTBEAT_SECONDS", default=10.0)
CAKUPAN_JOB_LEASE_SECONDS = env.float("CAKUPAN_JOB_LEASE_SECONDS", default=120.0)
# First retry this many seconds after a failure, doubling each time (kinds that are safe to repeat).
CAKUPAN_JOB_RETRY_SECONDS = env.float("CAKUPAN_JOB_RETRY_SECONDS", default=30.0)
# Schedule entries (jobs/schedule.py) are due in this zone; the worker checks them every so many seconds.
CAKUPAN_SCHEDULE_SECONDS = env.float("CAKUPAN_SCHEDULE_SECONDS", default=30.0)
# Modules imported at start-up that register more job kinds (the queue tests' kinds, a site's own).
CAKUPAN_JOB_MODULES = env.list("CAKUPAN_JOB_MODULES", default=[])
# Reports and stored uploads hold NIKs (UU 27/2022: kept no longer than needed): deleted after this many
# days by `cakupan retention purge` (README, "Scheduled jobs").
CAKUPAN_RETENTION_DAYS = env.int("CAKUPAN_RETENTION_DAYS", default=90)

# Membership cards (cards app): the address people reach the site at, for the verify URL in each card's QR
# code. Set it to the public HTTPS address in production; a card printed with another address stays valid
# only as long as that address answers.
CAKUPAN_PUBLIC_URL = env.str("CAKUPAN_PUBLIC_URL", default="http://127.0.0.1:8000")

# Lists and home figures at national size (issue 13; core.pagination, registry.figures): a list counts
# at most this many rows ("more than 10.000" past it); a home page counts a scope not yet cached up to
# the inline bound, and the scheduled `home_figures_refresh` recounts figures older than the max age.
LIST_COUNT_BOUND = env.int("CAKUPAN_LIST_COUNT_BOUND", default=10_000)
HOME_FIGURES_INLINE_BOUND = env.int("CAKUPAN_HOME_FIGURES_INLINE_BOUND", default=2_000)
HOME_FIGURES_MAX_AGE_MINUTES = env.int("CAKUPAN_HOME_FIGURES_MAX_AGE_MINUTES", default=15)
HOME_FIGURES_KEEP_DAYS = env.int("CAKUPAN_HOME_FIGURES_KEEP_DAYS", default=7)
