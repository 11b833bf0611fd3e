"""Settings for every environment, driven by the environment (see README "Configuration").

`DJANGO_ENV=development` (default) runs on a laptop with nothing but Python: SQLite, the in-memory
channel layer and a local-memory cache. `DJANGO_ENV=production` turns on the HTTPS settings and
refuses to start without real secrets.
"""

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from config.env import (
    MaskedStr,
    env,
    redis_connection,
    required_secret,
    secret,
    url_with_password,
)
from config.observability.errors import init_sentry
from config.observability.logs import logging_config, process_role

BASE_DIR = Path(__file__).resolve().parent.parent

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production", "test"}:
    raise ImproperlyConfigured("DJANGO_ENV must be development, production or test.")
IS_PRODUCTION = DJANGO_ENV == "production"

DEBUG = env.bool("DJANGO_DEBUG", default=False)
if IS_PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG cannot be on in production.")

if IS_PRODUCTION:
    SECRET_KEY = required_secret("DJANGO_SECRET_KEY", min_length=50)
    JWT_SIGNING_KEY = required_secret("JWT_SIGNING_KEY", min_length=32)
else:
    SECRET_KEY = secret("DJANGO_SECRET_KEY") or "dev-only-secret-key-not-for-production-0123456789"
    JWT_SIGNING_KEY = secret("JWT_SIGNING_KEY") or SECRET_KEY

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS",
    default=[] if IS_PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"],
)
if IS_PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must name the API host in production.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    # Listed for its translations (its messages reach clients); the blacklist app has none.
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    # Background jobs: the database backend's table and `db_worker`; `crontask` the scheduler.
    "django_tasks_db",
    "crontask",
    "accounts",
    "tasks",
    "goals",
    "checkins",
    # Issue 24: what the assistant remembers about the person, and the figures it reads.
    "memories",
    "insights",
    "summaries",
    # The day plan and the weekly review (issue 24): beside summaries, below chat.
    "planning",
    "chat",
    "notifications",
    # Leaving (issue 23): the data export; on top, it reads every app.
    "privacy",
    # Logs and errors (config/observability): carries the request id into background jobs.
    "config.observability",
]

MIDDLEWARE = [
    # First: the request id and the access line cover everything below (config/observability).
    "config.observability.middleware.RequestLogMiddleware",
    # Requests by route, status and latency, for Prometheus (config/metrics/middleware.py).
    "config.metrics.middleware.RequestMetricsMiddleware",
    "config.middleware.RequestGuardMiddleware",
    # Health probes come from internal addresses that are not allowed hosts (config/health.py).
    "config.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Sessions, session users and messages serve the admin; API requests skip them.
    "config.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "config.middleware.AuthenticationMiddleware",
    "config.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A database outage in a view that is not DRF's: 503 with Retry-After (config/outage.py).
    "config.middleware.DatabaseUnavailableMiddleware",
]

# Every API route answers with and without a trailing slash itself; no redirects.
APPEND_SLASH = False
ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite when DATABASE_URL is unset. DATABASE_PASSWORD (or DATABASE_PASSWORD_FILE, the stack's
# db_password secret) is merged into the URL so the URL itself can live in plain config.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
_db_password = secret("DATABASE_PASSWORD")
if _db_password:
    DATABASES["default"]["PASSWORD"] = _db_password
# Which server runs this process, set by its entry point (config/wsgi.py, config/asgi.py); empty
# for manage.py commands and tests. It decides how database connections are kept, below.
APP_SERVER = env.str("APP_SERVER", default="")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions make SQLite take its write lock up front, the closest it gets to
    # select_for_update(); the timeout lets concurrent writers wait instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
    DATABASES["default"]["TEST"] = {"NAME": None}
else:
    _db_options = DATABASES["default"].setdefault("OPTIONS", {})
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend minus the health-check query on connections in steady use.
        DATABASES["default"]["ENGINE"] = "config.db_postgresql"
        # An unreachable database fails fast (readiness answers 503) instead of hanging a
        # worker for the OS's TCP timeout; `?connect_timeout=N` in DATABASE_URL overrides it.
        _db_options.setdefault("connect_timeout", 5)
        # Parameters sent apart from the SQL (the extended protocol), and a statement prepared
        # once it has run 5 times on a connection (psycopg's prepare_threshold; Django turns
        # preparing off unless told): PostgreSQL then skips parsing and planning it, which for
        # the task page cost more CPU than running it. Connections are persistent (below), so
        # the hot statements stay prepared. Both off (DATABASE_SERVER_SIDE_BINDING=false) for a
        # pooler in transaction mode, which would hand a prepared name to another connection.
        _server_side_binding = env.bool("DATABASE_SERVER_SIDE_BINDING", default=True)
        _db_options.setdefault("server_side_binding", _server_side_binding)
        _db_options.setdefault("prepare_threshold", 5 if _server_side_binding else None)
        # The servers (APP_SERVER set) bound how long PostgreSQL may hold a request: a statement,
        # including its wait for a row lock (select_for_update), is canceled after 30 s. The
        # HTTP role's granian workers have no per-request time limit and serve one request at a
        # time, so a request stuck on a lock would otherwise hold its worker (and the requests
        # queued on it) for as long as the lock is held (bin/http-server, deploy/README.md). The
        # client gets the 503 of a database error (config/outage.py) and retries. Background
        # jobs, migrations and manage.py have no limit. 0 turns it off (a pooler that refuses
        # startup options).
        _statement_timeout = env.float(
            "DATABASE_STATEMENT_TIMEOUT_SECONDS", default=30.0 if APP_SERVER else 0.0
        )
        if _statement_timeout > 0:
            # Added to any `?options=` of DATABASE_URL; psycopg sends them when it connects.
            _timeout = f"-c statement_timeout={round(_statement_timeout * 1000)}"
            _db_options["options"] = f"{_db_options.get('options', '')} {_timeout}".strip()
    if APP_SERVER == "asgi" and DATABASES["default"]["ENGINE"] == "config.db_postgresql":
        # Under Daphne, Django runs each request's sync code in a thread of its own (a fresh
        # thread-sensitive context per request) and consumers' database calls in executor
        # threads; connections belong to threads, so a persistent one is never reused and
        # every request would connect anew. Django's psycopg pool shares a few connections
        # between those threads instead (it requires CONN_MAX_AGE 0). Worst case:
        # DATABASE_POOL_MAX_SIZE connections per Daphne process; a caller waits up to
        # `timeout` seconds for a free one, then gets an error rather than hanging (also
        # while PostgreSQL is down: that error is the 503 of config/outage.py).
        # After an outage: CONN_HEALTH_CHECKS makes Django give the pool a check, so a
        # connection that broke while it sat in the pool is replaced, never handed out (an
        # empty query per checkout, on the websocket role only). The pool reconnects in the
        # background with growing pauses; `reconnect_timeout` ends such an attempt after a
        # few seconds, so the next caller starts a fresh one at once instead of waiting out a
        # pause that grew during a long outage.
        _db_options["pool"] = {
            "min_size": 1,
            "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=4),
            "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
            "reconnect_timeout": 5.0,
        }
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    else:
        # WSGI workers serve one request at a time on one thread, so a persistent connection
        # per worker is reused by every request (no connect per request) and health-checked
        # before reuse after an idle spell. Worst case: WEB_CONCURRENCY (granian workers) x
        # HTTP replicas connections, plus DATABASE_POOL_MAX_SIZE x Daphne replicas, plus one per
        # db_worker/scheduler/manage.py process: keep the sum under PostgreSQL's
        # max_connections (100 by default). Elsewhere (manage.py, tests) connections close
        # after each request as before unless DATABASE_CONN_MAX_AGE says otherwise.
        DATABASES["default"]["CONN_MAX_AGE"] = env.int(
            "DATABASE_CONN_MAX_AGE", default=600 if APP_SERVER == "wsgi" else 0
        )
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer and cache ---------------------------------------------------------
# REDIS_URL without its password; REDIS_PASSWORD from REDIS_PASSWORD_FILE (the stack's
# `redis_password` secret), REDIS_PASSWORD, or the URL's own. Every Redis client below gets
# the password as `password=` (its repr is a mask, and Django's error reports hide settings
# named so); only django-crontask, which takes nothing but a URL, gets it inside one.
# Without a password Redis is used without one (a laptop's, CI's): the stack always sets it
# (deploy/README.md, "Secrets"), and its Redis is reachable from the stack's network only.
REDIS_URL, REDIS_PASSWORD = redis_connection(secret("REDIS_URL"), secret("REDIS_PASSWORD"))
_REDIS_AUTH = {"password": REDIS_PASSWORD} if REDIS_PASSWORD else {}
if REDIS_URL:
    # Every open socket waits on the layer: channels_redis 4.3 keeps one BZPOPMIN pending per
    # process, blocking `RedisChannelLayer.brpop_timeout` (5 s, a class attribute) in Redis.
    # redis-py >= 6 gives every connection a 5 s socket timeout by default, so an idle receive
    # raced its own timeout and lost now and then (TimeoutError, the socket closed with 1011;
    # channels_redis issue 422). The read timeout must exceed the blocking time by more than the
    # event loop can lag under load; a dead or unreachable Redis is still noticed, by that
    # timeout, by TCP keepalive, and by a PING before reusing a connection idle for 30 s.
    # Whatever error the layer still raises (Redis restarting, a network blip), the chat
    # consumer logs it and asks again instead of closing the socket (chat/layer.py).
    # The pool (one per process and event loop; redis-py's default of 100, then
    # MaxConnectionsError) holds one connection per Redis command in flight. Its peak is bounded
    # by the chat consumer, which runs at most LAYER_CONCURRENCY (chat/layer.py) group
    # joins/leaves at a time, so 1,000 sockets opening or closing together queue instead of
    # failing; the rest is headroom for the receive loop and its cleanup commands. Idle
    # connections stay open, so the pool only grows to the peak actually needed.
    # capacity: every socket of one Daphne process receives through one Redis sorted set (the
    # process's `specific.<id>!` inbox), and channels_redis's capacity (default 100) counts per
    # set, not per socket: a burst of more than 100 live updates to one process before it had
    # drained them was dropped silently (make bench-ws: 50 of 300 sent at once were lost). 5,000
    # leaves about five per socket at 1,000 sockets; expiry (60 s, the default) still bounds
    # what waits in Redis, since a message nobody read in a minute is stale.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": 15.0,  # 3 x brpop_timeout
                        "socket_connect_timeout": 5.0,
                        "socket_keepalive": True,
                        "health_check_interval": 30,
                        "max_connections": 256,
                        **_REDIS_AUTH,
                    }
                ],
                "prefix": env.str("CHANNELS_PREFIX", "asgi"),
                "capacity": 5000,
            },
        }
    }
    # The cache holds throttle counters. With Redis away, throttles fail open
    # (config/outage.py); short timeouts keep an unreachable Redis from holding a request for
    # redis-py's default 5 s before that happens.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_PREFIX", "agente"),
            "OPTIONS": {"socket_connect_timeout": 1.0, "socket_timeout": 1.0, **_REDIS_AUTH},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Accounts and auth ----------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    # Django's Argon2 (100 MiB per hash) with at most PASSWORD_HASHING_CONCURRENCY hashes at
    # once per process (accounts/hashers.py): parallel logins cannot exhaust the memory.
    "accounts.hashers.BoundedArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    # The Node service stored bcrypt hashes; imported as "bcrypt$<hash>" they keep working and
    # are upgraded to Argon2 at the next login (Node-compatible: see accounts/hashers.py).
    "accounts.hashers.NodeBCryptPasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
]
PASSWORD_HASHING_CONCURRENCY = env.int("PASSWORD_HASHING_CONCURRENCY", default=2)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=30)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": JWT_SIGNING_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
}

# Client addresses: behind Cloudflare -> Traefik the app sees the proxy's address. Trust exactly
# the proxies in front (see config/client_ip.py); with none configured, headers are ignored.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
TRUST_CF_CONNECTING_IP = env.bool("TRUST_CF_CONNECTING_IP", default=False)

# A network (IPv6 /64, IPv4 address) an email signed in from is exempt from that email's
# failure limit across networks (THROTTLE_LOGIN_EMAIL) for this long after the sign-in, so an
# attacker who keeps that limit full cannot keep the owner out where they usually sign in.
LOGIN_KNOWN_NETWORK_SECONDS = env.int("LOGIN_KNOWN_NETWORK_DAYS", default=30) * 86400

# Rates for config.throttling: "N/[k]second|min|hour|day" ("10/15min"), None for no limit.
THROTTLE_RATES = {
    # Failed password checks only (successes never count): per network (an IPv6 /64, an IPv4
    # address: config/client_ip.py), per email from one network, per email from every network
    # but those it signed in from lately (LOGIN_KNOWN_NETWORK_DAYS), and wrong current
    # passwords per user on POST /auth/password.
    "login_ip": env.str("THROTTLE_LOGIN_IP", "30/15min"),
    "login_email_ip": env.str("THROTTLE_LOGIN_EMAIL_IP", "10/15min"),
    "login_email": env.str("THROTTLE_LOGIN_EMAIL", "20/15min"),
    "password_user": env.str("THROTTLE_PASSWORD_USER", "10/15min"),
    # The Django admin's login form: failures per network and per email (staff accounts).
    "admin_login_ip": env.str("THROTTLE_ADMIN_LOGIN_IP", "20/15min"),
    "admin_login_email": env.str("THROTTLE_ADMIN_LOGIN_EMAIL", "10/15min"),
    "register_ip": env.str("THROTTLE_REGISTER_IP", "10/min"),
    "register_email": env.str("THROTTLE_REGISTER_EMAIL", "5/min"),
    "refresh_ip": env.str("THROTTLE_REFRESH_IP", "60/min"),
    "chat_user": env.str("THROTTLE_CHAT_USER", "30/min"),
    # POST /summaries/{date}/generate: each one may be a model call.
    "summary_generate_user": env.str("THROTTLE_SUMMARY_GENERATE_USER", "30/hour"),
    # GET /export (issue 23): each one reads everything the user has.
    "export_user": env.str("THROTTLE_EXPORT_USER", "3/hour"),
    # Every authenticated request, in units of its weight (THROTTLE_WEIGHTS). Counted ahead in
    # each process (config/throttle_counters.LocalCounts): exact within a quarter of the limit,
    # below that a process sends its units to Redis up to 0.5 s or 16 units late, so the worst
    # over-admission is 16 units per process. Limits under 64 units are always exact.
    "user": env.str("THROTTLE_USER", "1200/min"),
}
# What one request costs against THROTTLE_RATES["user"] (everything else costs 1).
THROTTLE_WEIGHTS = {
    "chat_message": env.int("THROTTLE_WEIGHT_CHAT", default=10),
    "chat_voice": env.int("THROTTLE_WEIGHT_VOICE", default=30),
    # The time report costs one unit per this many days it spans (a year: 53 units).
    "report_days_per_unit": env.int("THROTTLE_REPORT_DAYS_PER_UNIT", default=7),
}

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.JWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": ["config.renderers.ORJSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "config.exceptions.exception_handler",
    # Every authenticated request spends from the user's THROTTLE_RATES["user"].
    "DEFAULT_THROTTLE_CLASSES": ["config.throttling.UserRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Agente de seguimiento API",
    "DESCRIPTION": (
        "Tasks with timers, goals, check-ins, daily summaries and an AI assistant. "
        'Every error uses the envelope `{"error": {"code", "message", "fields"?}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema is public: a stale token in Swagger UI must not make it a 401.
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Two fields named "kind": check-ins keep the name they had, nudges get their own.
    "ENUM_NAME_OVERRIDES": {
        "KindEnum": "checkins.models.CheckIn.Kind",
        "NudgeKindEnum": "chat.models.Nudge.Kind",
    },
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "PREPROCESSING_HOOKS": ["config.schema.canonical_paths"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.schema.add_error_responses",
    ],
}

# Request bodies: JSON up to API_MAX_BODY_BYTES; the voice upload route gets its own limit.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)
VOICE_MAX_BODY_BYTES = env.int("VOICE_MAX_BODY_BYTES", default=25 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Assistant and voice (chat) -------------------------------------------------------------
OPENAI_API_KEY = secret("OPENAI_API_KEY")
OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="") or None
OPENAI_MODEL = env.str("OPENAI_MODEL", default="gpt-4o-mini")
OPENAI_TIMEOUT_SECONDS = env.float("OPENAI_TIMEOUT_SECONDS", default=60.0)
OPENAI_MAX_RETRIES = env.int("OPENAI_MAX_RETRIES", default=2)
DEEPGRAM_API_KEY = secret("DEEPGRAM_API_KEY")
DEEPGRAM_BASE_URL = env.str("DEEPGRAM_BASE_URL", default="") or None
DEEPGRAM_MODEL = env.str("DEEPGRAM_MODEL", default="nova-2")
DEEPGRAM_TIMEOUT_SECONDS = env.float("DEEPGRAM_TIMEOUT_SECONDS", default=60.0)
DEEPGRAM_MAX_RETRIES = env.int("DEEPGRAM_MAX_RETRIES", default=1)
# Voice messages one user may have in flight at once (chat/voice_uploads.py); 0 = no limit.
VOICE_MAX_CONCURRENT_UPLOADS = env.int("VOICE_MAX_CONCURRENT_UPLOADS", default=2)
# Earlier turns sent to the model are trimmed, whole turns at a time, to about this many tokens.
CHAT_HISTORY_TOKEN_BUDGET = env.int("CHAT_HISTORY_TOKEN_BUDGET", default=6000)
# The share of the system prompt given to the user's memories, in characters (about a quarter
# of that in tokens); newest first, the rest left out and said so (docs/memories.md).
ASSISTANT_MEMORY_PROMPT_CHARS = env.int("ASSISTANT_MEMORY_PROMPT_CHARS", default=2000)
# The assistant's cost limits (docs/assistant.md "Limits"). Tool calls past these are not run;
# the model is told so in their results.
ASSISTANT_MAX_TOOL_CALLS_PER_ROUND = env.int("ASSISTANT_MAX_TOOL_CALLS_PER_ROUND", default=8)
ASSISTANT_MAX_TOOL_CALLS_PER_TURN = env.int("ASSISTANT_MAX_TOOL_CALLS_PER_TURN", default=20)
# Tokens (prompt + completion, as the model reports them) per user per local day; 0: no limit.
ASSISTANT_DAILY_TOKEN_BUDGET = env.int("ASSISTANT_DAILY_TOKEN_BUDGET", default=200_000)
# Wall-clock limit of one turn (every model call, retry and tool of it): 504 assistant_timeout.
ASSISTANT_TURN_TIMEOUT_SECONDS = env.float("ASSISTANT_TURN_TIMEOUT_SECONDS", default=120.0)
# What the model's tokens cost, US dollars per million, for `agente_model_cost_usd_total`
# (config/metrics). Defaults are gpt-4o-mini's list prices, and 0 (no cost reported) for any
# other OPENAI_MODEL: set both when you change the model.
_gpt_4o_mini = OPENAI_MODEL == "gpt-4o-mini"
OPENAI_PRICE_PROMPT_PER_MILLION = env.float(
    "OPENAI_PRICE_PROMPT_PER_MILLION", default=0.15 if _gpt_4o_mini else 0.0
)
OPENAI_PRICE_COMPLETION_PER_MILLION = env.float(
    "OPENAI_PRICE_COMPLETION_PER_MILLION", default=0.60 if _gpt_4o_mini else 0.0
)

# --- Background jobs (summaries/tasks.py, docs/summaries.md) -------------------------------
# Django's own django.tasks. TASKS_BACKEND=database stores jobs in PostgreSQL for
# `manage.py db_worker` (production: the worker role); the default, immediate, runs each job
# inside `enqueue()`, so development and tests need no worker.
TASKS_BACKEND = env.str("TASKS_BACKEND", default="immediate")
_TASK_BACKENDS = {
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured("TASKS_BACKEND must be immediate or database.")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND]}}
# Finished job rows older than this are pruned daily (database backend).
TASKS_RESULT_DAYS = env.int("TASKS_RESULT_DAYS", default=7)
# A job RUNNING longer than this lost its worker (killed, out of memory, node lost): the
# 5-minute fail_lost_jobs marks it FAILED (summaries/tasks.py). Above the longest job (a summary
# waits on the model up to 60 s x 3 tries).
TASKS_LOST_AFTER_MINUTES = env.int("TASKS_LOST_AFTER_MINUTES", default=15)
if not 5 <= TASKS_LOST_AFTER_MINUTES <= 1440:
    raise ImproperlyConfigured("TASKS_LOST_AFTER_MINUTES must be from 5 to 1440.")
# `manage.py crontask`: with Redis, one scheduler holds a lock and fires the jobs; other
# replicas wait for it. The lock lives 10 s and is renewed every 5 s.
CRONTASK = {"REDIS_URL": url_with_password(REDIS_URL, REDIS_PASSWORD) if REDIS_URL else None}
# Set by bin/drain while a server stops: GET /health answers 503 "draining" while this file
# exists, so the load balancer stops routing to the task before it closes (deploy/README.md).
HEALTH_DRAIN_FILE = env.str("HEALTH_DRAIN_FILE", default="")
# --- Metrics and heartbeats (config/metrics/; deploy/README.md, "Observability: metrics") -----
# Each process's Prometheus endpoint, on a port of its own (never a route of the app); 0: off.
# The stack sets 9100 on 0.0.0.0 (the stack's networks only: Traefik routes to 8000).
METRICS_PORT = env.int("METRICS_PORT", default=0)
METRICS_ADDRESS = env.str("METRICS_ADDRESS", default="127.0.0.1")
# Roles whose heartbeat /health/ready checks: the background roles, which exist only with the
# database task backend.
HEARTBEAT_ROLES = env.list(
    "HEARTBEAT_ROLES", default=["worker", "scheduler"] if TASKS_BACKEND == "database" else []
)
HEARTBEAT_STALE_SECONDS = env.int("HEARTBEAT_STALE_SECONDS", default=60)
# When the scheduler looks for users whose summary hour has passed (cron syntax, UTC). Every 15
# minutes by default; the rehearsal (deploy/rehearsal/) runs it every minute to watch it fire.
SUMMARY_SWEEP_CRON = env.str("SUMMARY_SWEEP_CRON", default="*/15 * * * *")
# When the scheduler looks for users whose weekly review moment has come (cron syntax, UTC):
# hourly, since the moment is a local weekday and hour (docs/planning.md).
WEEKLY_REVIEWS_CRON = env.str("WEEKLY_REVIEWS_CRON", default="5 * * * *")
# Timers running longer than this are paused by the 15-minute job (tasks' stale rule).
STALE_TIMER_HOURS = env.int("STALE_TIMER_HOURS", default=10)
if not 1 <= STALE_TIMER_HOURS <= 720:
    raise ImproperlyConfigured("STALE_TIMER_HOURS must be from 1 to 720.")
# --- Push notifications (accounts/push.py, notifications/tasks.py; docs/push.md) -------------
# Expo's push service needs no credentials unless the Expo project turned on "enhanced push
# security"; then EXPO_ACCESS_TOKEN is required. Without EXPO_PUSH_ENABLED (on by default in
# production, or when a token or base URL is given) notifications are logged, not sent.
EXPO_ACCESS_TOKEN = secret("EXPO_ACCESS_TOKEN")
EXPO_BASE_URL = env.str("EXPO_BASE_URL", default="") or "https://exp.host"
EXPO_TIMEOUT_SECONDS = env.float("EXPO_TIMEOUT_SECONDS", default=15.0)
EXPO_PUSH_ENABLED = env.bool(
    "EXPO_PUSH_ENABLED",
    default=IS_PRODUCTION or bool(EXPO_ACCESS_TOKEN) or bool(env.str("EXPO_BASE_URL", default="")),
)
# At most this many notifications per person per local day (test pushes do not count).
PUSH_MAX_PER_DAY = env.int("PUSH_MAX_PER_DAY", default=6)
# Pauses (seconds) before re-sending a batch Expo answered with 429/5xx, within one job run;
# after the last one the batch waits for the retry job (and gives up after PUSH_MAX_ATTEMPTS).
PUSH_RETRY_DELAYS = [float(v) for v in env.list("PUSH_RETRY_DELAYS", default=["1", "4", "16"])]
PUSH_MAX_ATTEMPTS = env.int("PUSH_MAX_ATTEMPTS", default=8)
# A check-in reminder is due from its time until this many minutes later (missed runs catch up).
PUSH_REMINDER_WINDOW_MINUTES = env.int("PUSH_REMINDER_WINDOW_MINUTES", default=30)
# A running timer gets its nudge after this many hours, or once it passes its estimate.
PUSH_STALE_TIMER_HOURS = env.float("PUSH_STALE_TIMER_HOURS", default=3.0)
# From this local hour a periodic goal behind pace is asked about (once per goal and period).
PUSH_GOAL_PACE_HOUR = env.int("PUSH_GOAL_PACE_HOUR", default=18)
if not 0 <= PUSH_GOAL_PACE_HOUR <= 23:
    raise ImproperlyConfigured("PUSH_GOAL_PACE_HOUR must be from 0 to 23.")

# --- Email (accounts/emails.py, accounts/tasks.py; docs/accounts.md) -------------------------
# EMAIL_URL picks the mailer (django-environ's email_url, into Django 6.1's MAILERS):
# `smtp+tls://user@host:587` (STARTTLS) or `smtp+ssl://user@host:465` (TLS from the start;
# django-environ reads `smtps://` as STARTTLS too) in production; unset, mails are printed on
# the console, so `make run` needs nothing (production then fails Django's own deploy check,
# mail.E001). The SMTP password is the `email_password` secret
# (EMAIL_PASSWORD or EMAIL_PASSWORD_FILE), or the URL's own; both at once is refused.
# Production refuses a URL that would send the password in clear (`smtp://` without TLS).
# In production an unset EMAIL_URL sends nothing and prints nothing: a mail's links are
# secrets (a reset link signs the account in), and the console backend would put them in the
# container logs. The stack requires EMAIL_URL; `check --deploy` fails without it (mail.E001).
_email_url = secret("EMAIL_URL")
_email = (
    env.email_url_config(_email_url)
    if _email_url
    else {
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"
        if IS_PRODUCTION
        else "django.core.mail.backends.console.EmailBackend"
    }
)
_email_password = secret("EMAIL_PASSWORD")
if _email_password and _email.get("EMAIL_HOST_PASSWORD"):
    raise ImproperlyConfigured(
        "EMAIL_URL carries a password and EMAIL_PASSWORD (or EMAIL_PASSWORD_FILE) is set too:"
        " keep the password in one place."
    )
_smtp = _email["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
if IS_PRODUCTION and _smtp and not (_email.get("EMAIL_USE_TLS") or _email.get("EMAIL_USE_SSL")):
    raise ImproperlyConfigured(
        "EMAIL_URL must use TLS in production: smtp+tls://host:587 or smtp+ssl://host:465."
    )
_email_options = {}
if _smtp:
    _email_options = {
        "host": _email.get("EMAIL_HOST") or "localhost",
        "port": _email.get("EMAIL_PORT") or (465 if _email.get("EMAIL_USE_SSL") else 587),
        "username": _email.get("EMAIL_HOST_USER") or "",
        # Sent as it is; a settings dump or a %r in a log line shows a mask.
        "password": MaskedStr(_email_password or _email.get("EMAIL_HOST_PASSWORD") or ""),
        "use_tls": bool(_email.get("EMAIL_USE_TLS")),
        "use_ssl": bool(_email.get("EMAIL_USE_SSL")),
        "timeout": env.int("EMAIL_TIMEOUT_SECONDS", default=20),
    }
elif _email.get("EMAIL_FILE_PATH"):
    _email_options = {"file_path": _email["EMAIL_FILE_PATH"]}
MAILERS = {"default": {"BACKEND": _email["EMAIL_BACKEND"], "OPTIONS": _email_options}}
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Agente de seguimiento <no-reply@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The app's pages the mails link to; `{uid}` and `{token}` are filled in (URL-safe already).
PASSWORD_RESET_URL = env.str(
    "PASSWORD_RESET_URL", default="http://localhost:8081/reset-password?uid={uid}&token={token}"
)
EMAIL_VERIFY_URL = env.str(
    "EMAIL_VERIFY_URL", default="http://localhost:8081/verify-email?uid={uid}&token={token}"
)
for _name, _url in (
    ("PASSWORD_RESET_URL", PASSWORD_RESET_URL),
    ("EMAIL_VERIFY_URL", EMAIL_VERIFY_URL),
):
    if "{uid}" not in _url or "{token}" not in _url:
        raise ImproperlyConfigured(f"{_name} must contain {{uid}} and {{token}}.")
# A reset link works once, until the password changes, and for this long at most.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT_MINUTES", default=60) * 60
# A verification link works until the address is verified or changed, and this long at most.
EMAIL_VERIFY_TIMEOUT = env.int("EMAIL_VERIFY_TIMEOUT_DAYS", default=7) * 86400
# False (the default): an unverified account uses the app as any other; `/auth/me` says
# `email_verified: false` and the app reminds the person. True: an unverified account may only
# use /api/v1/auth/* (403 `email_not_verified` elsewhere) until it verifies its address.
EMAIL_VERIFICATION_REQUIRED = env.bool("EMAIL_VERIFICATION_REQUIRED", default=False)
if EMAIL_VERIFICATION_REQUIRED:
    REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"] = [
        "accounts.permissions.IsAuthenticatedWithVerifiedEmail"
    ]
THROTTLE_RATES.update(
    {
        # POST /auth/password/reset: every request counts, per network and per address.
        "password_reset_ip": env.str("THROTTLE_PASSWORD_RESET_IP", "10/hour"),
        "password_reset_email": env.str("THROTTLE_PASSWORD_RESET_EMAIL", "3/hour"),
        # POST /auth/password/reset/confirm and /auth/email/verify: per network.
        "reset_confirm_ip": env.str("THROTTLE_RESET_CONFIRM_IP", "30/hour"),
        # POST /auth/email/verify/resend: per user.
        "email_verify_resend_user": env.str("THROTTLE_EMAIL_VERIFY_RESEND_USER", "3/hour"),
    }
)

# --- i18n and time --------------------------------------------------------------------------
LANGUAGE_CODE = "es"
LANGUAGES = [("es", "Español"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# --- Static files: WhiteNoise serves admin and Swagger UI assets from Daphne itself ----------
STATIC_URL = "/static/"
# Collected in the image (deploy/Dockerfile); in development the finders serve the assets.
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles") if IS_PRODUCTION else None
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

# --- Security -------------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if IS_PRODUCTION:
    # Traefik terminates TLS and says so in X-Forwarded-Proto; Daphne only ever sees HTTP.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    # Container health checks call the app directly over HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^health/?$", r"^health/ready/?$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Logging and errors (config/observability; deploy/README.md, "Observability") ---------
# One line per event on stderr: a JSON object in production (LOG_FORMAT=json), readable text
# elsewhere; every line names the process's role and its request id. Never bodies, headers,
# tokens or message text.
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if IS_PRODUCTION else "text")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured("LOG_FORMAT must be json or text.")
# http, ws, worker, scheduler, migrate, manage: exported by deploy/docker-entrypoint.sh.
APP_ROLE = process_role()
LOGGING = logging_config(log_format=LOG_FORMAT, level=LOG_LEVEL, role=APP_ROLE)
# Exceptions and ERROR lines to Sentry from every role when SENTRY_DSN (or SENTRY_DSN_FILE) is
# set, without personal data; off by default.
init_sentry(dsn=secret("SENTRY_DSN"), role=APP_ROLE, environment=DJANGO_ENV)
