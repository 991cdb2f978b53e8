"""Benchmarks. `python -m bench` (make bench) runs the load benchmark (bench/load.py: the
shop under gunicorn beside a hello-world, wrk, ratios, queries per page, a JSON file).

In-process catalogue timing: seed N products, then time pages and count their SQL queries:

    python -m bench --inprocess [--products 10000] [--database-url URL] [--repeat 20]

Uses a throw-away SQLite file unless --database-url (or BENCH_DATABASE_URL) names a database;
a PostgreSQL database named there has its public schema dropped and rebuilt.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, event, insert, select, text

from shop import create_app
from shop.config import TestConfig, normalise_database_url
from shop.extensions import db


def build_app(url: str, instance: Path):
    config = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    config.update(
        SQLALCHEMY_DATABASE_URI=url,
        MAIL_OUTBOX_DIR=str(instance / "outbox"),
        UPLOAD_DIR=str(instance / "uploads"),
        RATELIMIT_ENABLED=False,
    )
    return create_app(config)


def seed(count: int) -> None:
    """Insert artisans and products in bulk, then index them for search."""
    from shop.artisans.models import Artisan, ArtisanGoal, ArtisanStatus
    from shop.auth.models import User
    from shop.catalog import search
    from shop.catalog.models import Category, Product, ProductGoal, ProductStatus
    from shop.core.time import utcnow

    now = utcnow()
    category_ids = list(db.session.scalars(select(Category.id)))
    artisans = max(count // 50, 1)
    crafts = ["Ceramics", "Textiles", "Jewellery", "Woodwork"]
    cities = ["Quito", "Cuenca", "Guayaquil", "Loja"]
    words = [
        "taza",
        "cuenco",
        "bufanda",
        "collar",
        "mesa",
        "plato",
        "jarra",
        "manta",
        "anillo",
        "cesta",
        "alpaca",
        "gres",
        "plata",
        "cedro",
        "lana",
        "barro",
    ]
    db.session.execute(
        insert(User),
        [
            {
                "email": f"bench{i}@example.com",
                "name": f"Bench {i}",
                "password_hash": "x",
                "is_admin": False,
                "locale": "es",
                "session_token": f"t{i}",
                "created_at": now,
            }
            for i in range(artisans)
        ],
    )
    user_ids = list(db.session.scalars(select(User.id).order_by(User.id)))
    db.session.execute(
        insert(Artisan),
        [
            {
                "user_id": uid,
                "shop_name": f"Taller {i}",
                "slug": f"taller-{i}",
                "first_name": "Ana",
                "public_name_choice": "shop_name",
                "craft": crafts[i % 4],
                "city": cities[i % 4],
                "country": "EC",
                "show_origin": False,
                "languages": "",
                "tagline": "",
                "story": "x",
                "status": ArtisanStatus.APPROVED.value,
                "consent_at": now,
                "submitted_at": now,
                "approved_at": now,
                "created_at": now,
                "updated_at": now,
            }
            for i, uid in enumerate(user_ids)
        ],
    )
    artisan_ids = list(db.session.scalars(select(Artisan.id).order_by(Artisan.id)))
    db.session.execute(
        insert(ArtisanGoal),
        [{"artisan_id": aid, "kind": "sdg", "number": 8, "statement": ""} for aid in artisan_ids],
    )
    rows = []
    for i in range(count):
        title = f"{words[i % 16].title()} {words[(i * 7) % 16]} {i}"
        rows.append(
            {
                "artisan_id": artisan_ids[i % len(artisan_ids)],
                "category_id": category_ids[i % len(category_ids)],
                "slug": f"bench-{i}",
                "title": title,
                "description": " ".join(words[(i + j) % 16] for j in range(30)),
                "materials": words[(i * 3) % 16],
                "dimensions": "",
                "price_cents": 500 + (i * 37) % 20000,
                "currency": "USD",
                "stock": i % 5,
                "made_to_order": False,
                "pickup": True,
                "shipping": False,
                "status": ProductStatus.ACTIVE.value,
                "created_at": now,
                "updated_at": now,
                "published_at": now,
            }
        )
    for start in range(0, len(rows), 2000):
        db.session.execute(insert(Product), rows[start : start + 2000])
    product_ids = list(db.session.scalars(select(Product.id)))
    db.session.execute(
        insert(ProductGoal),
        [{"product_id": pid, "kind": "sdg", "number": 8 if pid % 2 else 12} for pid in product_ids],
    )
    db.session.commit()
    search.reindex_all()
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))  # what autovacuum would do after a bulk load
        db.session.commit()


def measure(client, engine, path: str, repeat: int) -> tuple[float, float, int]:
    """Median and p95 milliseconds, and SQL statements per request."""
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    client.get(path)  # warm caches and templates
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    event.listen(engine, "before_cursor_execute", count)
    client.get(path)
    event.remove(engine, "before_cursor_execute", count)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], len(statements)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--inprocess", action="store_true", help="in-process timing only")
    args = parser.parse_args()
    if not args.inprocess:
        from bench import load

        load.main()
        return
    with tempfile.TemporaryDirectory() as folder:
        instance = Path(folder)
        url = (
            normalise_database_url(args.database_url)
            if args.database_url
            else f"sqlite:///{instance / 'bench.db'}"
        )
        if url.startswith("postgresql"):
            engine = create_engine(url)
            with engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            engine.dispose()
        app = build_app(url, instance)
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            seed(args.products)
            print(
                f"{db.engine.dialect.name}: seeded {args.products} products in "
                f"{time.perf_counter() - started:.1f} s"
            )
            client = app.test_client()
            for path in [
                "/products",
                "/products?per_page=48",
                "/products?q=taza",
                "/products?q=taza%20gres&sort=relevance",
                "/products?category=ceramics&goal=sdg-8&in_stock=1&sort=price_asc",
                "/products?page=150",
                "/products/bench-5000",
                "/api/v1/products",
                "/artisans",
            ]:
                median, p95, queries = measure(client, db.engine, path, args.repeat)
                print(f"  {path:<66} median {median:7.1f} ms  p95 {p95:7.1f} ms  {queries} queries")
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
