"""Scale-out benchmark: the shop under gunicorn with 1, 2 and 4 sync workers on PostgreSQL and
Redis, and the checkout figure (paid orders per second, oversold units counted in SQL).

    python -m bench.scaleout [--workers 1,2,4] [--seconds 5] [--connections 16]
                             [--buyers 150] [--stock 100] [--products 500] [--json FILE]

BENCH_DATABASE_URL names a PostgreSQL database whose public schema is DROPPED and rebuilt
(default postgresql+psycopg://postgres@127.0.0.1:5432/taller_bench); BENCH_REDIS_URL a Redis
database that is FLUSHED (default redis://127.0.0.1:6379/8). The load generator is Python
(processes x threads) on the same machine, so it takes CPU from the server: read the figures
as ratios between worker counts, not as what the shop does on its own hardware.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import redis
import requests
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from shop import create_app
from shop.config import TestConfig, normalise_database_url
from shop.extensions import db

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/taller_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/8"
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
TOKEN_RE = re.compile(r'name="checkout_token" type="hidden" value="([^"]+)"')
LOAD_PROCESSES = 2


def reset_and_seed(url: str, instance: Path, products: int, stock: int) -> dict:
    """Rebuild the schema from the migrations, then seed artisans and products."""
    from tests import factories  # the same builders the test suite uses

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    config = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    config.update(
        SQLALCHEMY_DATABASE_URI=url,
        MAIL_OUTBOX_DIR=str(instance / "outbox"),
        UPLOAD_DIR=str(instance / "uploads"),
    )
    os.environ.setdefault("TALLER_TEST_SUITE", "1")  # TestConfig's guard: this is a bench
    app = create_app(config)
    with app.test_request_context():
        upgrade()
        workshops = [factories.artisan(craft="Ceramics", city="Quito") for _ in range(10)]
        first = None
        for number in range(products):
            item = factories.product(
                artisan_workshop=workshops[number % len(workshops)],
                title=f"Taza de barro {number}",
                stock=50,
            )
            first = first or item
        limited = factories.product(
            artisan_workshop=workshops[0], title="Edición limitada", stock=stock
        )
        db.session.commit()
        seeded = {
            "product_slug": first.slug,
            "artisan_slug": workshops[0].slug,
            "limited_id": limited.id,
            "limited_artisan_id": limited.artisan_id,
            "limited_slug": limited.slug,
        }
        db.session.remove()
        db.engine.dispose()
    return seeded


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(workers: int, env: dict, log: Path) -> tuple[subprocess.Popen, str]:
    """gunicorn with the project's gunicorn.conf.py and `workers` sync workers."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "wsgi:app",
        ],
        cwd=ROOT,
        env={**env, "GUNICORN_ACCESSLOG": ""},
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300  # a busy machine boots workers slowly
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/healthz", timeout=10).status_code == 200:
                return process, base
        except requests.RequestException:  # still booting
            pass
        time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"gunicorn did not answer; see {log}")


def _hammer(url: str, threads: int, seconds: float) -> tuple[int, int, list[float]]:
    """One load process: `threads` threads requesting url until the time is up."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def loop() -> None:
        mine, bad = [], 0
        with requests.Session() as session:
            while time.monotonic() < stop_at:
                started = time.perf_counter()
                try:
                    ok = session.get(url, timeout=30).status_code == 200
                except requests.RequestException:
                    ok = False
                if ok:
                    mine.append(time.perf_counter() - started)
                else:
                    bad += 1
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    pool = [threading.Thread(target=loop) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return len(latencies), errors[0], latencies


def load(url: str, connections: int, seconds: float) -> dict:
    """req/s, p50 and p99 (ms) at `connections` concurrent clients."""
    per_process = max(1, connections // LOAD_PROCESSES)
    with ProcessPoolExecutor(LOAD_PROCESSES) as pool:
        parts = list(pool.map(_hammer, [url] * LOAD_PROCESSES, [per_process] * 2, [seconds] * 2))
    latencies = sorted(x for _, _, part in parts for x in part)
    count = len(latencies)
    return {
        "rps": round(count / seconds, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p99_ms": round(latencies[int(count * 0.99) - 1] * 1000, 1) if latencies else None,
        "errors": sum(e for _, e, _ in parts),
    }


def _buyer(base: str, product: tuple, start_at: float) -> tuple[str, float, float]:
    """One guest: open the product, then (timed, from start_at) add to cart, check out, pay."""
    product_id, slug, artisan_id = product
    with requests.Session() as session:
        csrf = CSRF_RE.search(session.get(f"{base}/products/{slug}", timeout=60).text).group(1)
        time.sleep(max(0.0, start_at - time.time()))
        began = time.time()
        added = session.post(
            f"{base}/cart/add",
            data={"csrf_token": csrf, "product_id": product_id, "quantity": 1},
            allow_redirects=False,
            timeout=60,
        )
        if added.status_code != 302:
            return f"add {added.status_code}", began, time.time()
        page = session.get(f"{base}/checkout", timeout=60).text
        token = TOKEN_RE.search(page)
        if token is None:
            return "checkout page", began, time.time()
        placed = session.post(
            f"{base}/checkout",
            data={
                "csrf_token": csrf,
                "checkout_token": token.group(1),
                "name": "Gina Guest",
                "email": f"gina+{secrets.token_hex(4)}@example.com",
                "phone": "",
                "address": "",
                f"delivery_{artisan_id}": "pickup",
            },
            allow_redirects=False,
            timeout=60,
        )
        location = placed.headers.get("Location", "")
        if "/payments/demo/" not in location:
            outcome = "sold out" if "/cart" in location else f"checkout {placed.status_code}"
            return outcome, began, time.time()
        paid = session.post(
            requests.compat.urljoin(base, location),
            data={"csrf_token": csrf, "outcome": "pay"},
            allow_redirects=False,
            timeout=60,
        )
        outcome = "paid" if paid.status_code == 302 else f"pay {paid.status_code}"
        return outcome, began, time.time()


def _buyers(base: str, product: tuple, count: int, start_at: float) -> list:
    results: list = []
    lock = threading.Lock()

    def one() -> None:
        outcome = _buyer(base, product, start_at)
        with lock:
            results.append(outcome)

    pool = [threading.Thread(target=one) for _ in range(count)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return results


def checkout(base: str, url: str, seeded: dict, buyers: int, stock: int) -> dict:
    """N concurrent guests buy one unit each of a product with `stock` units."""
    processes = 4
    start_at = time.time() + 5 + buyers / 10  # everyone has a session and a token by then
    shares = [buyers // processes + (1 if i < buyers % processes else 0) for i in range(processes)]
    product = (seeded["limited_id"], seeded["limited_slug"], seeded["limited_artisan_id"])
    with ProcessPoolExecutor(processes) as pool:
        parts = list(
            pool.map(
                _buyers, [base] * processes, [product] * processes, shares, [start_at] * processes
            )
        )
    outcomes = [outcome for part in parts for outcome, _, _ in part]
    # From the first buyer's first timed request to the last buyer's payment.
    began = min(at for part in parts for _, at, _ in part)
    finished = max(at for part in parts for _, _, at in part)
    engine = create_engine(url)
    with engine.connect() as connection:
        left = connection.scalar(
            text("SELECT stock FROM products WHERE id = :id"), {"id": seeded["limited_id"]}
        )
        sold = connection.scalar(
            text(
                "SELECT coalesce(sum(l.quantity), 0) FROM order_lines l JOIN orders o"
                " ON o.id = l.order_id WHERE l.product_id = :id AND o.status = 'paid'"
            ),
            {"id": seeded["limited_id"]},
        )
        held = connection.scalar(
            text(
                "SELECT coalesce(sum(l.quantity), 0) FROM order_lines l JOIN orders o"
                " ON o.id = l.order_id WHERE l.product_id = :id"
                " AND o.status = 'pending_payment'"
            ),
            {"id": seeded["limited_id"]},
        )
    engine.dispose()
    paid = outcomes.count("paid")
    wall = finished - began
    return {
        "buyers": buyers,
        "stock": stock,
        "paid": paid,
        "sold_out": outcomes.count("sold out"),
        "other": sorted({o for o in outcomes if o not in ("paid", "sold out")}),
        "seconds": round(wall, 2),
        "paid_per_second": round(paid / wall, 1),
        "sql_paid_units": sold,
        "sql_units_left": left,
        "sql_units_held": held,
        "oversold": max(0, sold + held - stock) + (1 if left < 0 else 0),
        "units_add_up": left + sold + held == stock,
    }


PAGES = [
    ("/", "/"),
    ("/products", "/products"),
    ("product page", "/products/{product_slug}"),
    ("artisan shop", "/artisans/{artisan_slug}"),
    ("/api/v1/products", "/api/v1/products"),
    ("/healthz (db + redis)", "/healthz"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--buyers", type=int, default=150)
    parser.add_argument("--stock", type=int, default=100)
    parser.add_argument("--products", type=int, default=500)
    parser.add_argument("--json", default=None)
    options = parser.parse_args()

    url = normalise_database_url(os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE))
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS)
    if not url.startswith("postgresql"):
        raise SystemExit("bench.scaleout needs PostgreSQL (BENCH_DATABASE_URL)")
    redis.Redis.from_url(redis_url).flushdb()
    instance = Path(tempfile.mkdtemp(prefix="taller-scaleout-"))
    print(f"seeding {options.products} products on {url.rpartition('@')[2]} ...", flush=True)
    seeded = reset_and_seed(url, instance, options.products, options.stock)
    env = {
        **os.environ,
        "TALLER_ENV": "development",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "MAIL_OUTBOX_DIR": str(instance / "outbox"),
        "UPLOAD_DIR": str(instance / "uploads"),
    }
    results: dict = {"cpus": os.cpu_count(), "connections": options.connections, "pages": {}}
    counts = [int(n) for n in options.workers.split(",")]
    for workers in counts:
        process, base = start_gunicorn(workers, env, instance / f"gunicorn-{workers}.log")
        try:
            for name, path in PAGES:
                target = base + path.format(**seeded)
                load(target, 4, 1.0)  # warm every worker
                results["pages"].setdefault(name, {})[workers] = load(
                    target, options.connections, options.seconds
                )
                print(f"  {workers} workers  {name:<24} {results['pages'][name][workers]}")
            if workers == max(counts):
                results["checkout"] = checkout(base, url, seeded, options.buyers, options.stock)
                results["checkout"]["workers"] = workers
        finally:
            process.terminate()
            process.wait(timeout=30)
    print_table(results, counts)
    if options.json:
        Path(options.json).write_text(json.dumps(results, indent=2))


def print_table(results: dict, counts: list[int]) -> None:
    print(f"\nreq/s (p50 / p99 ms) at {results['connections']} connections, gunicorn sync workers")
    print("| page | " + " | ".join(f"{n} worker{'s' * (n > 1)}" for n in counts) + " |")
    print("|---|" + "---|" * len(counts))
    for name, by_workers in results["pages"].items():
        cells = [
            f"{by_workers[n]['rps']} ({by_workers[n]['p50_ms']} / {by_workers[n]['p99_ms']})"
            + (f" {by_workers[n]['errors']} errors" if by_workers[n]["errors"] else "")
            for n in counts
        ]
        print(f"| {name} | " + " | ".join(cells) + " |")
    figure = results.get("checkout")
    if figure:
        print(
            f"\ncheckout, {figure['workers']} workers: {figure['buyers']} concurrent guests, "
            f"{figure['stock']} in stock: {figure['paid']} paid in {figure['seconds']} s = "
            f"{figure['paid_per_second']} paid orders/s; {figure['sold_out']} told sold out; "
            f"other outcomes {figure['other'] or 'none'}"
        )
        print(
            f"SQL: {figure['sql_paid_units']} units paid, {figure['sql_units_held']} held, "
            f"{figure['sql_units_left']} left; oversold {figure['oversold']}; "
            f"stock adds up: {figure['units_add_up']}"
        )


if __name__ == "__main__":
    main()
