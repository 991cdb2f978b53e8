"""Load benchmark: the shop under gunicorn beside a bare hello-world, measured from outside.

    python -m bench            (make bench)

For each catalogue size in BENCH_SIZES (default "1000,10000"): seed a fresh database (SQLite
file, or BENCH_DATABASE_URL, whose public schema is dropped and rebuilt), count the SQL
statements of every page in-process (page cache cold, then warm), start the shop and a Flask
hello-world under gunicorn (BENCH_WORKERS sync workers, default 2), and load every page with
wrk (or a Python load generator when wrk is missing) at BENCH_CONNECTIONS (16) for
BENCH_SECONDS (10), with the page cache on and, when BENCH_UNCACHED=1 (default), off.
Prints a table and writes BENCH_OUTPUT (default bench-results.json).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, event, insert, select, text

from shop import create_app
from shop.config import normalise_database_url
from shop.extensions import db

ROOT = Path(__file__).resolve().parent.parent
PAGE_ROWS = 24


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _app(url: str, instance: Path, cache: bool = True):
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench-secret-key-bench-secret-key-0123456789",
            "RATELIMIT_ENABLED": False,
            "PAGE_CACHE_ENABLED": cache,
            "MAIL_OUTBOX_DIR": str(instance / "outbox"),
            "UPLOAD_DIR": str(instance / "uploads"),
        }
    )


def seed_classes(count: int) -> None:
    """A class per 20 artisans with four upcoming sessions each."""
    from shop.artisans.models import Artisan
    from shop.classes.models import Class, ClassSession
    from shop.core.time import utcnow

    now = utcnow()
    artisan_ids = list(db.session.scalars(select(Artisan.id).order_by(Artisan.id)))
    rows = [
        {
            "artisan_id": aid,
            "slug": f"bench-class-{n}",
            "title": f"Taller de cerámica {n}",
            "description": "Hacemos un cuenco de barro.",
            "included": "Barro y té",
            "skill_level": "beginner",
            "languages": "Español",
            "duration_minutes": 120,
            "price_cents": 3500,
            "currency": "USD",
            "min_participants": 1,
            "max_participants": 8,
            "decision_hours": 48,
            "meeting_area": "Centro",
            "address": "Calle 1",
            "timezone": "America/Guayaquil",
            "cancellation_policy": "flexible",
            "status": "active",
            "created_at": now,
            "updated_at": now,
        }
        for n, aid in enumerate(artisan_ids[:: max(count // 1000, 1) * 20] or artisan_ids[:1])
    ]
    db.session.execute(insert(Class), rows)
    class_ids = list(db.session.scalars(select(Class.id)))
    db.session.execute(
        insert(ClassSession),
        [
            {
                "class_id": cid,
                "starts_at": now + timedelta(days=7 * week, hours=cid % 12),
                "capacity": 8,
                "seats_taken": week,
                "seats_held": 0,
                "status": "scheduled",
                "created_at": now,
            }
            for cid in class_ids
            for week in range(1, 5)
        ],
    )
    db.session.commit()


def prepare(url: str, instance: Path, count: int) -> dict[str, str]:
    """Build and seed the database; return the pages to load (label -> path)."""
    from bench.__main__ import seed
    from shop.catalog.services import ProductFilters, public_products
    from shop.classes.models import Class
    from shop.core.pagination import encode_cursor

    app = _app(url, instance)
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        seed(count)
        seed_classes(count)
        print(f"  seeded {count} products in {time.perf_counter() - started:.1f} s", flush=True)
        page = min(200, max(count // PAGE_ROWS, 1))
        offset = (page - 1) * PAGE_ROWS - 1
        query = public_products(ProductFilters())
        product = db.session.scalars(query.offset(max(offset, 0)).limit(1)).first()
        cursor = encode_cursor([product.published_at, product.id])
        klass = db.session.scalar(select(Class.slug).order_by(Class.id))
        db.session.remove()
        db.engine.dispose()
    return {
        "hello-world": "HELLO /",
        "/": "/",
        "/products": "/products",
        f"/products?page={page}": f"/products?page={page}",
        f"page {page} by cursor": f"/products?page={page}&after={cursor}",
        "/products?q=taza": "/products?q=taza",
        "product page": f"/products/bench-{count // 2}",
        "artisan shop": "/artisans/taller-3",
        "class page": f"/classes/{klass}",
        "/artisans": "/artisans",
        "/api/v1/products": "/api/v1/products",
    }


def count_queries(url: str, instance: Path, pages: dict[str, str]) -> dict[str, list[int]]:
    """SQL statements per page with the page cache cold, then warm (in-process)."""
    app = _app(url, instance)
    counts = {}
    with app.app_context():
        statements: list[str] = []

        def note(conn, cursor, statement, *args):
            statements.append(statement)

        client = app.test_client()
        for label, path in pages.items():
            if path.startswith("HELLO"):
                continue
            found = []
            for _ in range(2):
                db.session.remove()
                statements.clear()
                event.listen(db.engine, "before_cursor_execute", note)
                client.get(path)
                event.remove(db.engine, "before_cursor_execute", note)
                found.append(len(statements))
            counts[label] = found
        db.engine.dispose()
    return counts


class Server:
    """A gunicorn serving one WSGI app on a free loopback port."""

    def __init__(self, module: str, env: dict[str, str], workers: int) -> None:
        self.port = _free_port()
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(workers),
            "-k",
            "sync",
            "-b",
            f"127.0.0.1:{self.port}",
            "--log-level",
            "warning",
            module,
        ]
        # gunicorn reads ./gunicorn.conf.py (the production settings) for both servers; the
        # access log to a pipe and worker recycling would measure the logger, not the app.
        quiet = {"GUNICORN_ACCESSLOG": "", "GUNICORN_MAX_REQUESTS": "0"}
        self.process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **quiet, **env}, start_new_session=True
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{module} did not start")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=20)


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(url: str, seconds: int, connections: int) -> dict:
    output = subprocess.run(
        [
            shutil.which("wrk"),
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-H",
            "Accept-Encoding: br, gzip",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    latency = {
        pct: _ms(value, unit)
        for pct, value, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
    }
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": latency.get("50"),
        "p99": latency.get("99"),
        "errors": int(errors.group(1)) if errors else 0,
    }


def run_python(url: str, seconds: int, connections: int) -> dict:
    """Keep-alive clients in threads: a fallback when wrk is not installed (it measures
    less, as the generator shares the CPU with the server and Python's GIL)."""
    host, port, path = re.match(r"http://([^:/]+):(\d+)(.*)", url).groups()
    timings: list[float] = []
    errors = [0]
    stop = time.monotonic() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        while time.monotonic() < stop:
            started = time.perf_counter()
            conn.request("GET", path, headers={"Accept-Encoding": "br, gzip"})
            response = conn.getresponse()
            response.read()
            timings.append((time.perf_counter() - started) * 1000)
            if response.status >= 400:
                errors[0] += 1

    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    timings.sort()
    return {
        "rps": len(timings) / seconds,
        "p50": statistics.median(timings),
        "p99": timings[int(len(timings) * 0.99) - 1],
        "errors": errors[0],
    }


def load(shop: Server, hello: Server, pages: dict[str, str], seconds: int, conns: int) -> dict:
    runner = run_wrk if shutil.which("wrk") else run_python
    results = {}
    for label, path in pages.items():
        target = hello.url("/") if path.startswith("HELLO") else shop.url(path)
        urlopen_warm(target)
        results[label] = runner(target, seconds, conns)
        print(f"    {label:<28} {results[label]['rps']:8.0f} req/s", flush=True)
    return results


def urlopen_warm(url: str) -> None:
    host, port, path = re.match(r"http://([^:/]+):(\d+)(.*)", url).groups()
    for _ in range(4):  # every worker renders (and caches) the page once before timing
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        conn.request("GET", path)
        conn.getresponse().read()
        conn.close()


def table(size: int, mode: str, results: dict, queries: dict) -> str:
    base = results["hello-world"]["rps"]
    lines = [
        f"\n{size} products, page cache {mode}",
        "| page | req/s | p50 / p99 ms | ratio to hello-world | queries cold / warm |",
        "|---|---|---|---|---|",
    ]
    for label, row in results.items():
        cold_warm = queries.get(label)
        shown = f"{cold_warm[0]} / {cold_warm[1]}" if cold_warm else ""
        lines.append(
            f"| {label} | {row['rps']:.0f} | {row['p50']:.1f} / {row['p99']:.1f} "
            f"| {row['rps'] / base:.3f} | {shown} |"
        )
    return "\n".join(lines)


def main() -> None:
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "1000,10000").split(",") if s]
    seconds = int(os.environ.get("BENCH_SECONDS", "10"))
    conns = int(os.environ.get("BENCH_CONNECTIONS", "16"))
    workers = int(os.environ.get("BENCH_WORKERS", "2"))
    modes = ["on"] + (["off"] if os.environ.get("BENCH_UNCACHED", "1") == "1" else [])
    output = Path(os.environ.get("BENCH_OUTPUT", "bench-results.json"))
    database_url = os.environ.get("BENCH_DATABASE_URL")
    report = {"generator": "wrk" if shutil.which("wrk") else "python", "runs": []}
    for size in sizes:
        with tempfile.TemporaryDirectory() as folder:
            instance = Path(folder)
            url = (
                normalise_database_url(database_url)
                if database_url
                else f"sqlite:///{instance / 'bench.db'}"
            )
            if url.startswith("postgresql"):
                engine = create_engine(url)
                with engine.begin() as connection:
                    connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
                engine.dispose()
            print(f"{url.split(':')[0]}: {size} products", flush=True)
            pages = prepare(url, instance, size)
            queries = count_queries(url, instance, pages)
            hello = Server("bench.hello:app", {}, workers)
            try:
                for mode in modes:
                    env = {
                        "BENCH_DB_URL": url,
                        "BENCH_INSTANCE": str(instance),
                        "BENCH_PAGE_CACHE": "1" if mode == "on" else "0",
                    }
                    shop = Server("bench.wsgi_shop:app", env, workers)
                    try:
                        results = load(shop, hello, pages, seconds, conns)
                    finally:
                        shop.stop()
                    print(table(size, mode, results, queries), flush=True)
                    report["runs"].append(
                        {
                            "products": size,
                            "database": url.split(":")[0],
                            "page_cache": mode,
                            "workers": workers,
                            "connections": conns,
                            "seconds": seconds,
                            "pages": pages,
                            "results": results,
                            "queries_cold_warm": queries,
                        }
                    )
            finally:
                hello.stop()
    output.write_text(json.dumps(report, indent=2))
    print(f"\nwritten {output}")
