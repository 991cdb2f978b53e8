"""Fixtures: an app per test on SQLite (and PostgreSQL when TEST_DATABASE_URL is set),
schema built from the migrations once per database, tables emptied after every test.

Parallel runs (pytest-xdist, `make test` uses `-n 2`): every worker process has its own
databases, Redis database, ports and temporary folders, so workers never see each other:

- PostgreSQL: worker gw0 uses TEST_DATABASE_URL as given; worker gwN (N > 0) the database
  named `<name>_gwN` on the same server, created here if missing (the suite drops and
  rebuilds its schema). CI's `test` becomes `test` and `test_gw1`.
- Redis: worker gw0 uses TEST_REDIS_URL's database D as given; worker gwN uses database
  (D + N) % 16 (CI's 15 becomes 15 and 0; a developer's 10 becomes 10 and 11).
- Both are rewritten in os.environ before any test module is imported, so every reader of
  TEST_DATABASE_URL / TEST_REDIS_URL (and every subprocess a test starts) sees its worker's.
- SQLite files, outboxes and uploads live under pytest's tmp_path, which xdist makes per
  worker; servers started by tests (live Flask servers, localstripe, moto) bind port 0.
"""

from __future__ import annotations

import contextvars
import dataclasses
import email
import email.policy
import hashlib
import os
import re
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, exists, literal, select, text, union_all
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from shop import create_app
from shop.config import TEST_SUITE_FLAG, TestConfig, normalise_database_url
from shop.extensions import db as _db
from shop.extensions import limiter
from tests import factories

# TALLER_ENV=testing (public secret, in-memory limits) runs only where this is set.
os.environ[TEST_SUITE_FLAG] = "1"


def _xdist_worker() -> int:
    """This process's xdist worker number (gw0 -> 0, gw1 -> 1); 0 without xdist."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(name[2:]) if name.startswith("gw") and name[2:].isdigit() else 0


def _worker_database(url: str, worker: int) -> str:
    """Worker N's own PostgreSQL database beside url's (`<name>_gwN`), created if missing."""
    base = make_url(normalise_database_url(url))
    name = f"{base.database}_gw{worker}"
    engine = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            known = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if not known:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _worker_redis(url: str, worker: int) -> str:
    """Worker N's own Redis database: TEST_REDIS_URL's number plus N, modulo 16."""
    parts = urlsplit(url)
    number = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(number + worker) % 16}"))


XDIST_WORKER = _xdist_worker()
if XDIST_WORKER:
    if os.environ.get("TEST_DATABASE_URL"):
        os.environ["TEST_DATABASE_URL"] = _worker_database(
            os.environ["TEST_DATABASE_URL"], XDIST_WORKER
        )
    if os.environ.get("TEST_REDIS_URL"):
        os.environ["TEST_REDIS_URL"] = _worker_redis(os.environ["TEST_REDIS_URL"], XDIST_WORKER)

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])
# Browser journeys run once, on the most production-like database available.
E2E_BACKEND = BACKENDS[-1]
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def pytest_collection_modifyitems(config, items):
    """Run e2e journeys on one backend only (deselected, not skipped, on the others)."""
    keep, drop = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("backend") if callspec else None
        if item.get_closest_marker("e2e") and backend and backend != E2E_BACKEND:
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
    if os.environ.get("PYTEST_XDIST_WORKER"):
        # In parallel, the browser journeys (a third of the run, a few seconds each) go first:
        # they are spread over the workers while the many short tests fill in around them,
        # instead of leaving one worker finishing long journeys at the end. Stable sort: the
        # order stays the same on every worker, as xdist requires.
        items.sort(key=lambda item: item.get_closest_marker("e2e") is None)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    """Name of the database engine this test runs on."""
    return request.param


# Built once per process and backend. pytest sets a parametrised session fixture up again
# whenever the parameter changes; run alone it orders the tests so that happens once, but an
# xdist worker receives SQLite and PostgreSQL tests interleaved and would otherwise rebuild
# the database from the migrations (seconds) at every switch.
_DATABASES: dict[str, str] = {}
_APPS: dict[str, Flask] = {}


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory) -> str:
    """A fresh database built by running every migration from empty."""
    if backend not in _DATABASES:
        _DATABASES[backend] = _build_database(backend, tmp_path_factory)
    return _DATABASES[backend]


def _build_database(backend: str, tmp_path_factory) -> str:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    else:
        url = normalise_database_url(POSTGRES_URL)
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app(_config(url, tmp_path_factory.mktemp("instance")))
    with app.app_context():
        upgrade()
        _db.engine.dispose()
    return url


def _config(url: str, tmp: Path) -> dict:
    base = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    base.update(
        SQLALCHEMY_DATABASE_URI=url,
        MAIL_OUTBOX_DIR=str(tmp / "outbox"),
        UPLOAD_DIR=str(tmp / "uploads"),
    )
    return base


# Reference data seeded by the migrations stays between tests.
KEEP_TABLES = {"categories"}


def _empty_tables(connection) -> None:
    """Delete the rows of the tables this test wrote to, children first.

    One query finds the tables with rows; deleting from those few is milliseconds, where
    TRUNCATE of every table cost PostgreSQL close to a second per test (a new file per table).
    Identity sequences restart so ids are as in a fresh database.
    """
    tables = [t for t in reversed(_db.metadata.sorted_tables) if t.name not in KEEP_TABLES]
    probe = union_all(*(select(literal(t.name)).where(exists().select_from(t)) for t in tables))
    used = set(connection.scalars(probe))
    # The search index is not a model (shop/catalog/search.py); it follows the products.
    connection.execute(text("DELETE FROM product_search"))
    for table in tables:
        if table.name in used:
            connection.execute(table.delete())
    if connection.dialect.name == "postgresql":
        for table in tables:
            if table.name in used and "id" in table.c:
                connection.execute(
                    text("SELECT setval(pg_get_serial_sequence(:t, 'id'), 1, false)"),
                    {"t": f'"{table.name}"'},
                )


class IsolatedClient(FlaskClient):
    """A test client whose requests get their own app context, as in production.

    Flask reuses an already pushed app context for a request; the tests keep one pushed,
    so without this `g`, the logged-in user, the locale and the db session would leak
    from one request into the next.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session")
def shared_app(database_url: str, tmp_path_factory) -> Flask:
    """One application per database for the whole run: building one costs ~0.1 s (werkzeug
    compiles every URL rule), which over two thousand tests was minutes of the suite."""
    if database_url not in _APPS:
        application = create_app(_config(database_url, tmp_path_factory.mktemp("instance")))
        application.test_client_class = IsolatedClient
        _APPS[database_url] = application
    return _APPS[database_url]


@pytest.fixture
def app(shared_app: Flask, tmp_path: Path) -> Iterator[Flask]:
    """The application, bound to the test database, with its own outbox and uploads.

    Everything a test may change on the shared app is put back afterwards: the config, the
    rate-limit counters (and storage, which an app built by a test may have rebound) and the
    rows of every table.
    """
    application = shared_app
    saved_config = dict(application.config)
    application.config.update(
        MAIL_OUTBOX_DIR=str(tmp_path / "outbox"), UPLOAD_DIR=str(tmp_path / "uploads")
    )
    limiter.init_app(application)
    limiter.reset()
    try:
        with application.app_context():
            yield application
            _db.session.remove()
            with _db.engine.begin() as connection:
                _empty_tables(connection)
            _db.engine.dispose()
    finally:
        application.config.clear()
        application.config.update(saved_config)


@pytest.fixture
def fresh_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An application of the test's own, for tests that add routes or hooks to it."""
    application = create_app(_config(database_url, tmp_path))
    application.test_client_class = IsolatedClient
    with application.app_context():
        yield application
        _db.session.remove()
        with _db.engine.begin() as connection:
            _empty_tables(connection)
        _db.engine.dispose()


# Encodings of pictures already made in this process, by input (see `reuse_encoded_pictures`).
_ENCODED: dict[tuple, object] = {}


@pytest.fixture
def reuse_encoded_pictures(monkeypatch) -> None:
    """Re-encode each distinct picture once per process for the tests of the demo's contents.

    The demo draws the same sixty-odd pictures from fixed seeds every time it is seeded, and
    their re-encoding (and size variants) was half of every seed, in a dozen tests. Both steps
    are pure functions of their input, so a repeated input gets the first result again (a new
    random key, as a fresh encoding would have). tests/core/test_images.py tests the encoder.
    """
    from shop.media import services as media

    process, resize = media.process_image, media.resize_variants

    def process_image(data: bytes, **options):
        key = ("process", hashlib.sha256(data).digest(), tuple(sorted(options.items())))
        if key not in _ENCODED:
            _ENCODED[key] = process(data, **options)
        return dataclasses.replace(_ENCODED[key], key=secrets.token_urlsafe(16))

    def resize_variants(full: bytes, ext: str, *args, **kwargs) -> dict:
        key = ("resize", hashlib.sha256(full).digest(), ext, args, tuple(sorted(kwargs.items())))
        if key not in _ENCODED:
            _ENCODED[key] = resize(full, ext, *args, **kwargs)
        return dict(_ENCODED[key])

    monkeypatch.setattr(media, "process_image", process_image)
    monkeypatch.setattr(media, "resize_variants", resize_variants)


@pytest.fixture
def db(app: Flask):
    """The Flask-SQLAlchemy handle, inside an app context."""
    return _db


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client that keeps cookies between requests."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    """A CLI runner for the app's commands."""
    return app.test_cli_runner()


def csrf_token(client: FlaskClient, path: str = "/") -> str:
    """Fetch a page and return the session's CSRF token from its forms."""
    response = client.get(path)
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def post_form(client: FlaskClient, path: str, data: dict | None = None, **kwargs):
    """POST a form the way a browser would: with the CSRF token from the page."""
    payload = {"csrf_token": csrf_token(client), **(data or {})}
    return client.post(path, data=payload, **kwargs)


def login(client: FlaskClient, email_address: str, password: str = factories.PASSWORD):
    """Log a client in through the real form."""
    response = post_form(client, "/auth/login", {"email": email_address, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


@pytest.fixture
def customer(db):
    """A plain customer account."""
    user = factories.user(name="Carla Customer")
    db.session.commit()
    return user


@pytest.fixture
def admin(db):
    """An administrator account."""
    user = factories.user(name="Ana Admin", is_admin=True)
    db.session.commit()
    return user


@pytest.fixture
def customer_client(client, customer):
    """A client logged in as a customer."""
    login(client, customer.email)
    return client


@pytest.fixture
def admin_client(client, admin):
    """A client logged in as an administrator."""
    login(client, admin.email)
    return client


class Outbox:
    """Reads the e-mails the outbox backend wrote for this test."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def messages(self) -> list[email.message.EmailMessage]:
        if not self.folder.exists():
            return []
        return [
            email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in sorted(self.folder.glob("*.eml"))
        ]

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages() if m["To"] == address]

    @staticmethod
    def body(message: email.message.EmailMessage) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def outbox(app: Flask) -> Outbox:
    """The test's e-mail outbox."""
    return Outbox(Path(app.config["MAIL_OUTBOX_DIR"]))


@contextmanager
def count_queries(engine) -> Iterator[list[str]]:
    """Collect the SQL statements run on engine inside the block."""
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


class LiveServer:
    """The app served by a real threaded HTTP server on 127.0.0.1."""

    def __init__(self, app: Flask) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        # serve_forever checks for shutdown every 0.5 s by default: stop() waited that long.
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def start(self) -> LiveServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    """Serve the test's app over HTTP for browser journeys."""
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture
def pg_app(backend, database_url, tmp_path, app) -> Iterator[Flask]:
    """A second app on the same PostgreSQL database, with a pool big enough for every
    thread of a race (each thread gets its own connection)."""
    if backend != "postgresql":
        pytest.skip("row-level races need PostgreSQL (SQLite serialises all writers)")
    config = _config(database_url, tmp_path)
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_size": 60, "max_overflow": 0}
    racing = create_app(config)
    racing.test_client_class = IsolatedClient
    yield racing
    with racing.app_context():
        _db.engine.dispose()
