# Long on purpose: Django reads settings from one module; each sits by its comment.
"""pantry's settings: the one module that reads the environment.

Every variable is documented in .env.example. A .env file in the working
directory is loaded first; real environment variables win over it.
"""

from __future__ import annotations

import os
import secrets
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent.parent
load_dotenv(Path.cwd() / ".env", override=False)

ENVIRONMENTS = ("development", "test", "production")


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = env(name)
    if not raw:
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1 or 0, not {raw!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = env(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be a whole number, not {raw!r}"
        ) from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def env_rate(name: str, default: str) -> tuple[int, int] | None:
    """``REQUESTS/SECONDS`` (``30/60``) from the environment; ``off``: None."""
    raw = env(name) or default
    if raw.lower() == "off":
        return None
    requests, _, seconds = raw.partition("/")
    try:
        limit = (int(requests), int(seconds))
    except ValueError:
        limit = (0, 0)
    if limit[0] < 1 or limit[1] < 1:
        raise ImproperlyConfigured(
            f"{name} must be REQUESTS/SECONDS (30/60) or off, not {raw!r}"
        )
    return limit


PANTRY_ENV = env("PANTRY_ENV", "development")
if PANTRY_ENV not in ENVIRONMENTS:
    raise ImproperlyConfigured(
        f"PANTRY_ENV must be one of {', '.join(ENVIRONMENTS)}, not {PANTRY_ENV!r}"
    )
PRODUCTION = PANTRY_ENV == "production"
DEBUG = PANTRY_ENV == "development" and env_bool("DEBUG", True)

VAR_DIR = Path(env("PANTRY_VAR_DIR") or Path.cwd() / "var").resolve()


def _secret_key() -> str:
    if key := env("SECRET_KEY"):
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when PANTRY_ENV=production")
    # Outside production, keep a random key per checkout so sessions survive
    # restarts without any key living in the repository.
    path = VAR_DIR / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        path.write_text(key)
        path.chmod(0o600)
        return key


SECRET_KEY = _secret_key()
# Old keys, newest first, still accepted for signatures during a key rotation.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when PANTRY_ENV=production")
if not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "ninja",
    "django_htmx",
    "axes",
    "pantry.core",
    "pantry.events",
    "pantry.catalog",
    "pantry.customers",
    "pantry.journal",
    "pantry.search",
    "pantry.shipping",
    "pantry.tax",
    "pantry.vouchers",
    "pantry.payments",
    "pantry.orders",
    "pantry.storefront",
    "pantry.platform",
]

MIDDLEWARE = [
    "pantry.platform.observability.RequestLogMiddleware",
    "pantry.core.middleware.ServerTimingMiddleware",
    # A down or hung database: 503 with Retry-After, never a 500 or a hang.
    "pantry.core.unavailable.DatabaseUnavailableMiddleware",
    "pantry.platform.replicas.ReplicaMiddleware",
    # Refuses text pantry cannot store or show before anything reads it.
    "pantry.core.edge.HostileInputMiddleware",
    # Before any view, and outside the request's transaction so that its
    # counter row is not held locked while the request runs: a request past
    # its limit is refused and writes nothing.
    "pantry.core.ratelimit.RateLimitMiddleware",
    # A write request is one transaction, undone by any 5xx.
    "pantry.core.transactions.WriteTransactionMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "pantry.events.middleware.AuditActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Turns a locked-out admin sign-in into a 429 page.
    "axes.middleware.AxesMiddleware",
    "pantry.core.middleware.ApiErrorShapeMiddleware",
]

# Development tools, present when the dev dependencies are installed.
if not PRODUCTION and find_spec("zeal"):
    # N+1 queries raise in tests and are logged in development.
    INSTALLED_APPS.append("zeal")
    ZEAL_RAISE = PANTRY_ENV == "test"
    # Signing out loads the session, then deletes it by key: Django's own
    # two lookups, not an N+1.
    ZEAL_ALLOWLIST = [
        {"model": "sessions.Session", "field": "get()"},
        # An admin inline formset checks each row's id with one get(): Django's
        # own lookups, bounded by the rows on the page.
        {"model": "catalog.ProductImage", "field": "get()"},
    ]
    MIDDLEWARE.insert(1, "zeal.middleware.zeal_middleware")
if not PRODUCTION and find_spec("django_migration_linter"):
    INSTALLED_APPS.append("django_migration_linter")
    MIGRATION_LINTER_OPTIONS = {
        "include_apps": [
            "core",
            "events",
            "catalog",
            "customers",
            "journal",
            "search",
            "shipping",
            "tax",
            "vouchers",
            "payments",
            "orders",
            "storefront",
            "platform",
        ],
        # Reviewed: see each migration's docstring.
        "ignore_name": [
            "0010_productsummary_category_not_null",
            "0013_add_orderline_tax",
        ],
    }

ROOT_URLCONF = "pantry.urls"
WSGI_APPLICATION = "pantry.wsgi.application"
ASGI_APPLICATION = "pantry.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "src" / "pantry" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

# -- database ---------------------------------------------------------------

PGBOUNCER = env_bool("PANTRY_PGBOUNCER", False)
# Parameters bound by the server; in write transactions, statements a
# connection repeats are prepared on their fifth run (psycopg's default) and
# neither parsed nor planned again (docs/operations.md). PgBouncer in
# transaction mode gets neither.
SERVER_SIDE_BINDING = not PGBOUNCER and env_bool("PANTRY_DB_SERVER_SIDE_BINDING", True)
PANTRY_WRITE_PREPARE_THRESHOLD = 5 if SERVER_SIDE_BINDING else None
# Set by pantry.wsgi and pantry.asgi before Django starts: this process serves
# web requests, which get short database limits (a down or hung database is a
# quick 503, docs/operations.md); commands and migrations do not.
WEB_PROCESS = env_bool("PANTRY_WEB_PROCESS", False)
# PostgreSQL settings of web connections, in seconds (0: no limit).
WEB_DATABASE_LIMITS = {
    "statement_timeout": env_int("PANTRY_WEB_STATEMENT_TIMEOUT", 5),
    "lock_timeout": env_int("PANTRY_WEB_LOCK_TIMEOUT", 2),
    "idle_in_transaction_session_timeout": env_int(
        "PANTRY_WEB_IDLE_IN_TRANSACTION_TIMEOUT", 10
    ),
}
# A web request gives up on a query the server has not answered within
# statement_timeout and this many milliseconds more (a hung server cannot
# enforce its own statement_timeout); 0 waits for ever.
PANTRY_WEB_QUERY_GRACE_MS = env_int("PANTRY_WEB_QUERY_GRACE_MS", 500)
# Retry-After, in seconds, of a 503 while the database is unavailable.
PANTRY_UNAVAILABLE_RETRY_AFTER = env_int("PANTRY_UNAVAILABLE_RETRY_AFTER", 5, minimum=1)
# /readyz's own connection gives up after this many milliseconds in all.
PANTRY_READYZ_TIMEOUT_MS = env_int("PANTRY_READYZ_TIMEOUT_MS", 1500, minimum=100)
DATABASE_URL = env("DATABASE_URL")
EMBEDDED_DATABASE = not DATABASE_URL


def _database() -> dict[str, Any]:
    if EMBEDDED_DATABASE:
        from pantry.platform.embedded import EmbeddedPostgres

        server = EmbeddedPostgres()
        config: dict[str, Any] = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "pantry",
            "USER": "postgres",
            "HOST": str(server.socket_dir),
            "PORT": str(server.port),
        }
    else:
        try:
            config = dict(dj_database_url.parse(DATABASE_URL))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"DATABASE_URL is not a usable URL: {exc}"
            ) from None
    if config.get("ENGINE") != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            "DATABASE_URL must be a postgres:// or postgresql:// URL; pantry "
            "runs on PostgreSQL only"
        )
    if not config.get("NAME"):
        raise ImproperlyConfigured("DATABASE_URL must name a database")
    options = config.setdefault("OPTIONS", {})
    options.setdefault(
        "connect_timeout", env_int("PANTRY_DB_CONNECT_TIMEOUT", 5, minimum=1)
    )
    options.setdefault("application_name", "pantry")
    options["server_side_binding"] = SERVER_SIDE_BINDING
    if WEB_PROCESS and not PGBOUNCER:
        # Limits for web requests only, sent as startup options so every
        # pooled connection carries them; commands and migrations keep the
        # server's defaults (PgBouncer drops startup options: docs/operations.md).
        limits = " ".join(
            f"-c {name}={seconds * 1000}"
            for name, seconds in WEB_DATABASE_LIMITS.items()
        )
        options["options"] = f"{options.get('options', '')} {limits}".strip()
    if PGBOUNCER:
        # PgBouncer pools in transaction mode: no in-app pool, no server-side
        # cursors (they outlive a transaction), no prepared statements.
        config["CONN_MAX_AGE"] = 0
        config["DISABLE_SERVER_SIDE_CURSORS"] = True
        options["prepare_threshold"] = None
    else:
        config["CONN_MAX_AGE"] = 0
        options["pool"] = {
            "min_size": env_int("PANTRY_DB_POOL_MIN_SIZE", 2),
            "max_size": env_int("PANTRY_DB_POOL_MAX_SIZE", 10, minimum=1),
            "timeout": (
                env_int("PANTRY_WEB_POOL_TIMEOUT", 3, minimum=1)
                if WEB_PROCESS
                else env_int("PANTRY_DB_POOL_TIMEOUT", 10, minimum=1)
            ),
        }
    config["TEST"] = {"NAME": env("PANTRY_TEST_DATABASE") or None}
    return config


DATABASES = {"default": _database()}


def _replica(url: str) -> dict[str, Any]:
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(url))
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_REPLICA_URLS: {url!r}: {exc}") from None
    if config.get("ENGINE") != "django.db.backends.postgresql" or not config.get(
        "NAME"
    ):
        raise ImproperlyConfigured(
            f"DATABASE_REPLICA_URLS: {url!r} is not a postgres:// URL with a database"
        )
    # No pool: a pool waits its whole timeout for a replica that is down,
    # where one failed connect marks it down at once (platform/replicas.py).
    config["CONN_MAX_AGE"] = 0 if PGBOUNCER else 60
    config["CONN_HEALTH_CHECKS"] = True
    config["DISABLE_SERVER_SIDE_CURSORS"] = PGBOUNCER
    config["OPTIONS"] = {
        "connect_timeout": env_int("PANTRY_REPLICA_CONNECT_TIMEOUT", 1, minimum=1),
        "application_name": "pantry",
        "server_side_binding": SERVER_SIDE_BINDING,
        **({"prepare_threshold": None} if PGBOUNCER else {}),
    }
    config["TEST"] = {"MIRROR": "default"}
    return config


PANTRY_REPLICAS = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS")):
    DATABASES[f"replica_{_number}"] = _replica(_url)
    PANTRY_REPLICAS.append(f"replica_{_number}")
DATABASE_ROUTERS = ["pantry.platform.replicas.ReplicaRouter"]
# A replica lagging more than this many seconds is not read from.
PANTRY_REPLICA_MAX_LAG = env_int("PANTRY_REPLICA_MAX_LAG", 5)
PANTRY_REPLICA_RETRY_SECONDS = env_int("PANTRY_REPLICA_RETRY_SECONDS", 5)
# How long a page client's last write position is kept (its cookie).
PANTRY_REPLICA_COOKIE_SECONDS = env_int("PANTRY_REPLICA_COOKIE_SECONDS", 300)
# Paths whose reads always use the primary (carts, checkout, staff pages).
PANTRY_PRIMARY_PATHS = env_list(
    "PANTRY_PRIMARY_PATHS", "/cart/,/checkout/,/account/,/admin/,/api/v1/checkout/"
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# -- auth, i18n, static -----------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "pantry.core.hashers.PantryArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if PANTRY_ENV == "test" and not env_bool("PANTRY_TEST_REAL_HASHER", False):
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTHENTICATION_BACKENDS = [
    # First: refuses any sign-in while its account or address is locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "pantry.customers.backends.CustomerBackend",
]
# Failed sign-ins (admin and customers) lock out an account, and separately
# an address, after this many failures, for this many minutes.
AXES_FAILURE_LIMIT = env_int("PANTRY_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("PANTRY_LOGIN_COOLOFF_MINUTES", 15, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "pantry.customers.backends.login_name"
AXES_LOCKOUT_CALLABLE = "pantry.customers.backends.lockout_response"
AXES_VERBOSE = False


# Requests per client address and window (core/ratelimit.py). Outside
# production at least 600 a minute: test suites place many orders from one
# address (API.md).
_RATE_DEFAULTS = (
    {"orders": "30/60", "signup": "10/600", "login": "30/60", "password_reset": "5/600"}
    if PRODUCTION
    else dict.fromkeys(("orders", "signup", "login", "password_reset"), "600/60")
)
PANTRY_RATE_LIMITS = {
    name: env_rate(f"PANTRY_RATE_LIMIT_{name.upper()}", default)
    for name, default in _RATE_DEFAULTS.items()
}
# Seconds a verification link and a password reset link stay valid.
PANTRY_VERIFY_MAX_AGE = env_int("PANTRY_VERIFY_MAX_AGE", 3 * 86400, minimum=60)
PASSWORD_RESET_TIMEOUT = env_int("PANTRY_PASSWORD_RESET_MAX_AGE", 86400, minimum=60)
# Days a signed-in customer's cart is kept untouched before `pantry purge`.
PANTRY_CART_MAX_AGE_DAYS = env_int("PANTRY_CART_MAX_AGE_DAYS", 90, minimum=1)
LOGIN_URL = "/account/login/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Uploaded files (product images): on the filesystem under MEDIA_ROOT, or in
# an S3-compatible bucket when PANTRY_S3_BUCKET is set (docs/images.md).
MEDIA_ROOT = Path(env("PANTRY_MEDIA_ROOT") or VAR_DIR / "media").resolve()
MEDIA_URL = env("PANTRY_MEDIA_URL", "/media/")
# pantry's own server serves MEDIA_ROOT outside production; in production a
# web server or the bucket does.
PANTRY_SERVE_MEDIA = env_bool("PANTRY_SERVE_MEDIA", not PRODUCTION)
PANTRY_S3_BUCKET = env("PANTRY_S3_BUCKET")
_default_storage: dict[str, Any] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage"
}
if PANTRY_S3_BUCKET:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": PANTRY_S3_BUCKET,
            "endpoint_url": env("PANTRY_S3_ENDPOINT_URL") or None,
            "region_name": env("PANTRY_S3_REGION") or None,
            "access_key": env("PANTRY_S3_ACCESS_KEY_ID") or None,
            "secret_key": env("PANTRY_S3_SECRET_ACCESS_KEY") or None,
            "custom_domain": env("PANTRY_S3_CUSTOM_DOMAIN") or None,
            # Names are content hashes: public, cacheable, never overwritten.
            "querystring_auth": False,
            "file_overwrite": False,
            "default_acl": None,
            "object_parameters": {"CacheControl": "public, max-age=31536000"},
        },
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Outside production, whitenoise serves static files straight from the apps
# (no collectstatic step), so test and development servers show the site's
# styles and scripts.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

# -- security ---------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Scripts and styles come only from our own static files: no inline script,
# no inline event handler, no CDN. Pico's icons are data: SVGs.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", *env_list("PANTRY_MEDIA_ORIGINS")],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("PANTRY_SSL_REDIRECT", True)
    # Load balancers probe health over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = env_int("PANTRY_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
if env_bool("PANTRY_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# -- pantry -----------------------------------------------------------------

PANTRY_SERVER_TIMING = env_bool("PANTRY_SERVER_TIMING", False)
PANTRY_CURRENCY = env("PANTRY_CURRENCY", "EUR").upper()
PANTRY_SEARCH_CONFIG = env("PANTRY_SEARCH_CONFIG", "english")
# Facet counts are exact up to this many matching products, then estimated
# from a sample of at most this many catalog rows.
PANTRY_FACET_EXACT_LIMIT = env_int("PANTRY_FACET_EXACT_LIMIT", 10_000, minimum=1)
# Pages and API responses each worker keeps under generations that every
# write moves (pantry.core.pagecache; never stale): how many, 0 for none.
# Off by default with DEBUG, so that template edits show at once.
PANTRY_PAGE_CACHE_ENTRIES = env_int(
    "PANTRY_PAGE_CACHE_ENTRIES", 0 if DEBUG else 500, minimum=0
)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pantry-pages",
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": max(PANTRY_PAGE_CACHE_ENTRIES, 1)},
    },
}
PANTRY_FACET_SAMPLE_ROWS = env_int("PANTRY_FACET_SAMPLE_ROWS", 5_000, minimum=100)
# Milliseconds the bounded exact pass may take before the sample answers.
# Tests allow far more, so exact counts stay exact on a loaded machine.
PANTRY_FACET_EXACT_BUDGET_MS = env_int(
    "PANTRY_FACET_EXACT_BUDGET_MS", 5_000 if PANTRY_ENV == "test" else 40, minimum=1
)
PANTRY_SITE_URL = env("PANTRY_SITE_URL", "http://127.0.0.1:8000")
# Server processes and threads per process (granian) of `pantry run`.
PANTRY_WORKERS = env_int("PANTRY_WORKERS", os.cpu_count() or 1, minimum=1)
PANTRY_THREADS = env_int("PANTRY_THREADS", 4, minimum=1)

# -- product images (docs/images.md) ----------------------------------------
# An upload larger than this many bytes, or with more pixels, is refused.
PANTRY_IMAGE_MAX_BYTES = env_int("PANTRY_IMAGE_MAX_BYTES", 10_000_000, minimum=1)
PANTRY_IMAGE_MAX_PIXELS = env_int("PANTRY_IMAGE_MAX_PIXELS", 40_000_000, minimum=1)
# Seconds an import waits for an image URL, and whether it may fetch from
# private, loopback or link-local addresses (tests serve images locally).
PANTRY_IMAGE_FETCH_TIMEOUT = env_int("PANTRY_IMAGE_FETCH_TIMEOUT", 10, minimum=1)
PANTRY_IMAGE_FETCH_ALLOW_PRIVATE = env_bool("PANTRY_IMAGE_FETCH_ALLOW_PRIVATE", False)

# -- events and webhooks (docs/events.md) ------------------------------------
PANTRY_WEBHOOK_TIMEOUT = env_int("PANTRY_WEBHOOK_TIMEOUT", 10, minimum=1)
PANTRY_WEBHOOK_MAX_ATTEMPTS = env_int("PANTRY_WEBHOOK_MAX_ATTEMPTS", 15, minimum=1)
PANTRY_WEBHOOK_RETRY_BASE = env_int("PANTRY_WEBHOOK_RETRY_BASE", 10)
PANTRY_WEBHOOK_ALLOW_PRIVATE = env_bool("PANTRY_WEBHOOK_ALLOW_PRIVATE", not PRODUCTION)
PANTRY_EVENTS_POLL_INTERVAL = env_int("PANTRY_EVENTS_POLL_INTERVAL", 1, minimum=1)
PANTRY_EVENTS_LISTEN_URL = env("PANTRY_EVENTS_LISTEN_URL")
# Migrations give up on a lock after this long rather than queue every
# query behind them; statements of a migration stop after the second.
PANTRY_MIGRATION_LOCK_TIMEOUT = env("PANTRY_MIGRATION_LOCK_TIMEOUT", "5s")
PANTRY_MIGRATION_STATEMENT_TIMEOUT = env("PANTRY_MIGRATION_STATEMENT_TIMEOUT", "30min")
# Addresses (or networks) that may read GET /metrics.
PANTRY_METRICS_ALLOW = env_list("PANTRY_METRICS_ALLOW", "127.0.0.1,::1")
# Read by the embedded server at start (platform/embedded.py); checked here.
PANTRY_AUTO_EXPLAIN_MS = env_int("PANTRY_AUTO_EXPLAIN_MS", 500, minimum=-1)
# Checkout (docs/checkout.md): whether catalog and shipping prices include tax.
PANTRY_PRICES_INCLUDE_TAX = env_bool("PANTRY_PRICES_INCLUDE_TAX", True)
# Payment providers orders may choose, and the one used when none is named.
PANTRY_PAYMENT_PROVIDERS = [
    code.strip()
    for code in env(
        "PANTRY_PAYMENT_PROVIDERS", "manual" if PRODUCTION else "manual,fake,stripe"
    ).split(",")
    if code.strip()
]
PANTRY_PAYMENT_DEFAULT = env(
    "PANTRY_PAYMENT_DEFAULT", "manual" if PRODUCTION else "fake"
)
# Minutes an order may stay unpaid before the sweeper expires it.
PANTRY_PAYMENT_WINDOW_MINUTES = env_int("PANTRY_PAYMENT_WINDOW_MINUTES", 30, minimum=1)
# Signs the fake provider's webhooks (default: derived from SECRET_KEY).
PANTRY_FAKE_PAYMENT_SECRET = env("PANTRY_FAKE_PAYMENT_SECRET", "")
# Where the fake provider posts its webhooks (default: this site's endpoint).
PANTRY_FAKE_PAYMENT_WEBHOOK_URL = env("PANTRY_FAKE_PAYMENT_WEBHOOK_URL", "")
PANTRY_STRIPE_API_KEY = env("PANTRY_STRIPE_API_KEY", "")
PANTRY_STRIPE_WEBHOOK_SECRET = env("PANTRY_STRIPE_WEBHOOK_SECRET", "")
# Stripe's API address; tests point it at a local stub.
PANTRY_STRIPE_API_BASE = env("PANTRY_STRIPE_API_BASE", "https://api.stripe.com")

# -- email and background tasks ---------------------------------------------

_MAIL_BACKEND = env(
    "PANTRY_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
MAILERS: dict[str, dict[str, Any]] = {"default": {"BACKEND": _MAIL_BACKEND}}
if _MAIL_BACKEND.endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": env("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25, minimum=1),
        "username": env("EMAIL_HOST_USER") or None,
        "password": env("EMAIL_HOST_PASSWORD") or None,
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "timeout": 10,
    }
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "pantry <shop@localhost>")
# Immediate (in the request, after commit) unless a queue is configured; see
# README "Background tasks" for the database-backed worker in production.
TASKS = {
    "default": {
        "BACKEND": env(
            "PANTRY_TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend"
        )
    }
}
if TASKS["default"]["BACKEND"].startswith("django_tasks_db."):
    INSTALLED_APPS.append("django_tasks_db")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"format": "%(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "json": {"class": "logging.StreamHandler", "formatter": "json"},
    },
    "root": {"handlers": ["console"], "level": env("PANTRY_LOG_LEVEL", "INFO").upper()},
    # Replace Django's own console handler so each line is logged once, and
    # follow PANTRY_LOG_LEVEL (WARNING silences a line per task run).
    "loggers": {
        # One JSON object per request (platform/observability.py).
        "pantry.request": {
            "handlers": ["json"],
            "level": (
                env("PANTRY_REQUEST_LOG_LEVEL")
                or (
                    "WARNING"
                    if PANTRY_ENV == "test"
                    else env("PANTRY_LOG_LEVEL", "INFO")
                )
            ).upper(),
            "propagate": False,
        },
        "django": {
            "handlers": ["console"],
            "level": env("PANTRY_LOG_LEVEL", "INFO").upper(),
            "propagate": False,
        },
    },
}
