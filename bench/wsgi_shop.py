"""The shop as the load benchmark serves it: development config (the production one demands
Stripe keys and PostgreSQL), no rate limits, page cache as BENCH_PAGE_CACHE says."""

import os

from shop import create_app

app = create_app(
    {
        "SQLALCHEMY_DATABASE_URI": os.environ["BENCH_DB_URL"],
        "SECRET_KEY": "bench-secret-key-bench-secret-key-0123456789",
        "RATELIMIT_ENABLED": False,
        "PAGE_CACHE_ENABLED": os.environ.get("BENCH_PAGE_CACHE", "1") == "1",
        "MAIL_OUTBOX_DIR": os.environ["BENCH_INSTANCE"] + "/outbox",
        "UPLOAD_DIR": os.environ["BENCH_INSTANCE"] + "/uploads",
    }
)
