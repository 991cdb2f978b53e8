"""Configuration classes, read from the environment."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url: str) -> str:
    """Point plain postgres URLs at the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def instance_secret_key(instance_path: str) -> str:
    """Return the development secret key kept in instance/, making it on first use."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    """Development defaults: everything embedded, nothing to configure."""

    ENV_NAME = "development"
    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    # None means "SQLite file in instance/", resolved by the factory once the path is known.
    SQLALCHEMY_DATABASE_URI: str | None = (
        normalise_database_url(os.environ["DATABASE_URL"])
        if os.environ.get("DATABASE_URL")
        else None
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLALCHEMY_RECORD_QUERIES = False

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE")
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 24 * 14
    MAX_CONTENT_LENGTH = 50 * 1024 * 1024  # several photos of up to 8 MB each per form
    IMAGE_MAX_BYTES = 8 * 1024 * 1024
    IMAGE_MAX_PIXELS = 40_000_000
    # None means instance/uploads (outside static/: photos are served by the media blueprint).
    UPLOAD_DIR: str | None = os.environ.get("UPLOAD_DIR")

    WTF_CSRF_TIME_LIMIT = 60 * 60 * 8

    BABEL_DEFAULT_LOCALE = "es"
    # Times are stored in UTC and shown in the marketplace's zone (classes use their own zone).
    BABEL_DEFAULT_TIMEZONE = os.environ.get("DISPLAY_TIMEZONE", "America/Guayaquil")
    LANGUAGES = ("es", "en")

    BOOTSTRAP_SERVE_LOCAL = True

    # Redis shared by every worker and host: rate limits (unless RATELIMIT_STORAGE_URI names
    # another store) and the job queue. Unset: limits in memory, jobs run inline.
    REDIS_URL: str | None = os.environ.get("REDIS_URL") or None
    # Anonymous public pages cached whole (shop/core/pagecache.py): seconds an entry lives
    # (anything time-dependent, e.g. "next session", is at most this stale) and LRU size.
    PAGE_CACHE_ENABLED = _bool("PAGE_CACHE_ENABLED", True)
    PAGE_CACHE_TTL = int(os.environ.get("PAGE_CACHE_TTL", "60"))
    PAGE_CACHE_SIZE = int(os.environ.get("PAGE_CACHE_SIZE", "512"))
    # Responses compressed in the app (Flask-Compress): brotli when the browser takes it, else
    # gzip; brotli 2 is as fast as gzip 1 and smaller than gzip 6 on our pages (~0.6 ms/25 KB).
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_BR_LEVEL = 2
    COMPRESS_LEVEL = 5
    COMPRESS_MIN_SIZE = 500
    # Not application/json: API clients (schemathesis among them) often ask for br without
    # decoding it; the reverse proxy may compress the API for clients that really take it.
    COMPRESS_MIMETYPES = [
        "text/html",
        "text/css",
        "text/plain",
        "text/xml",
        "text/calendar",
        "application/javascript",
        "text/javascript",
        "image/svg+xml",
    ]

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    # Log-in limits (see README): failed attempts per account and address, every attempt per
    # address, failed attempts per account from anywhere (the owner is e-mailed when it trips).
    AUTH_RATE_LIMIT = os.environ.get("AUTH_RATE_LIMIT", "10 per minute")
    AUTH_ADDRESS_RATE_LIMIT = os.environ.get("AUTH_ADDRESS_RATE_LIMIT", "30 per minute")
    AUTH_ACCOUNT_RATE_LIMIT = os.environ.get("AUTH_ACCOUNT_RATE_LIMIT", "100 per hour")

    # Jobs on RQ (only with REDIS_URL): attempts after the first, seconds before each retry,
    # and how fast a dead worker's job is taken back (heartbeat + grace seconds of silence).
    JOB_QUEUE = os.environ.get("JOB_QUEUE", "taller")
    JOB_RETRIES = int(os.environ.get("JOB_RETRIES", "3"))
    JOB_RETRY_DELAYS = tuple(
        int(part) for part in os.environ.get("JOB_RETRY_DELAYS", "10,60,300").split(",") if part
    )
    JOB_TIMEOUT = int(os.environ.get("JOB_TIMEOUT", "600"))
    JOB_HEARTBEAT_SECONDS = int(os.environ.get("JOB_HEARTBEAT_SECONDS", "30"))
    JOB_HEARTBEAT_GRACE = int(os.environ.get("JOB_HEARTBEAT_GRACE", "60"))
    JOB_MAINTENANCE_SECONDS = int(os.environ.get("JOB_MAINTENANCE_SECONDS", "60"))
    JOB_WORKER_TTL = int(os.environ.get("JOB_WORKER_TTL", "120"))
    # Seconds between runs of each periodic job (`flask scheduler`).
    SCHEDULER_TICK_SECONDS = int(os.environ.get("SCHEDULER_TICK_SECONDS", "5"))

    # Uploads in S3-compatible object storage when S3_BUCKET is set (else UPLOAD_DIR).
    S3_BUCKET = os.environ.get("S3_BUCKET") or None
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL") or None
    S3_REGION = os.environ.get("S3_REGION", "us-east-1")
    S3_ACCESS_KEY_ID = os.environ.get("S3_ACCESS_KEY_ID") or None
    S3_SECRET_ACCESS_KEY = os.environ.get("S3_SECRET_ACCESS_KEY") or None
    S3_PREFIX = os.environ.get("S3_PREFIX", "uploads/")
    # Public: photos are linked at S3_PUBLIC_URL/<key> (a public bucket or a CDN); otherwise
    # every link is a signed URL valid for S3_URL_EXPIRES seconds.
    S3_PUBLIC_URL = os.environ.get("S3_PUBLIC_URL") or None
    S3_URL_EXPIRES = int(os.environ.get("S3_URL_EXPIRES", "86400"))

    # Where the shop is reached; used for links in e-mails sent outside a request (CLI, jobs).
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000")
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Taller <no-reply@taller.local>")
    # None means instance/outbox.
    MAIL_OUTBOX_DIR: str | None = os.environ.get("MAIL_OUTBOX_DIR")

    PASSWORD_RESET_MAX_AGE = 60 * 60  # seconds a reset link stays valid
    EMAIL_VERIFY_MAX_AGE = 3 * 24 * 60 * 60  # seconds an address confirmation link stays valid
    PASSWORD_MIN_LENGTH = 12
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 · werkzeug's default cost (n=32768)

    # Minutes an unpaid order holds its stock and seats.
    ORDER_HOLD_MINUTES = int(os.environ.get("ORDER_HOLD_MINUTES", "30"))
    # Hours freed seats stay held for the next person on a full session's waitlist.
    WAITLIST_OFFER_HOURS = int(os.environ.get("WAITLIST_OFFER_HOURS", "12"))
    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY")
    STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY")
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET")
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE")

    # Trust X-Forwarded-* from this many proxies (0 when serving directly).
    PROXY_FIX_HOPS = int(os.environ.get("PROXY_FIX_HOPS", "0"))
    SECURITY_HSTS = False
    ALLOW_SQLITE_IN_PRODUCTION = _bool("ALLOW_SQLITE_IN_PRODUCTION")

    @classmethod
    def check(cls, app_config: dict) -> None:
        """Refuse settings that are unsafe for this environment."""


# The test suite (tests/conftest.py) sets this; TestConfig refuses to run without it.
TEST_SUITE_FLAG = "TALLER_TEST_SUITE"
# Shortest SECRET_KEY production accepts (it signs sessions, CSRF tokens and e-mailed links).
MIN_SECRET_KEY_LENGTH = 32


class TestConfig(Config):
    """Settings for the test suite: fast hashing, no real network."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = None
    WTF_CSRF_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    REDIS_URL = None
    S3_BUCKET = None
    MAIL_SERVER = None
    STRIPE_SECRET_KEY = None
    STRIPE_PUBLISHABLE_KEY = None
    STRIPE_WEBHOOK_SECRET = None
    SERVER_NAME = None
    # Cheap hashing keeps hundreds of test log-ins fast; production keeps the default cost.
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"  # noqa: S105
    # Off by default; tests of the cache turn it on per test (and clear it).
    PAGE_CACHE_ENABLED = False

    @classmethod
    def check(cls, app_config: dict) -> None:
        """Refuse to serve with a public secret and in-memory limits outside the test suite."""
        if not _bool(TEST_SUITE_FLAG):
            raise RuntimeError(
                f"TALLER_ENV=testing is only for the test suite (it sets {TEST_SUITE_FLAG}=1): "
                "its secret key is public. Use development or production."
            )


class ProductionConfig(Config):
    """Production: real secrets and a real database are mandatory."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    SECURITY_HSTS = True

    @classmethod
    def check(cls, app_config: dict) -> None:
        """Refuse to start with development secrets or the embedded database."""
        if not os.environ.get("SECRET_KEY") or not app_config.get("SECRET_KEY"):
            raise RuntimeError("ProductionConfig needs SECRET_KEY in the environment.")
        if len(app_config["SECRET_KEY"]) < MIN_SECRET_KEY_LENGTH:
            raise RuntimeError(
                f"ProductionConfig needs a SECRET_KEY of at least {MIN_SECRET_KEY_LENGTH} "
                "characters (e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')."
            )
        uri = app_config.get("SQLALCHEMY_DATABASE_URI") or ""
        if uri.startswith("sqlite") and not app_config.get("ALLOW_SQLITE_IN_PRODUCTION"):
            raise RuntimeError(
                "ProductionConfig refuses SQLite; set DATABASE_URL "
                "(or ALLOW_SQLITE_IN_PRODUCTION=1 for a single-host install)."
            )
        stripe_settings = ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET")
        if not all(app_config.get(name) for name in stripe_settings):
            raise RuntimeError(
                "ProductionConfig refuses demo payments; set STRIPE_SECRET_KEY, "
                "STRIPE_PUBLISHABLE_KEY and STRIPE_WEBHOOK_SECRET."
            )


CONFIGS: dict[str, type[Config]] = {
    "development": Config,
    "testing": TestConfig,
    "production": ProductionConfig,
}


def config_from_environment() -> type[Config]:
    """Pick the config class named by TALLER_ENV (development by default)."""
    name = os.environ.get("TALLER_ENV", "development").strip().lower()
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"Unknown TALLER_ENV {name!r}; use one of {sorted(CONFIGS)}") from None
