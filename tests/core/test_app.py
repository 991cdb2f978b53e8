"""The application shell: health check, error pages, security headers, config guards."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text

from shop import create_app
from shop.config import TEST_SUITE_FLAG, ProductionConfig, TestConfig, normalise_database_url
from tests.conftest import csrf_token


def test_home_page_renders_with_navigation(client):
    response = client.get("/", headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert 'href="#content"' in html  # skip link
    assert "Log in" in html and "Create account" in html
    assert "<footer" in html


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_names_the_failing_database(app, client, monkeypatch):
    from shop.extensions import db

    def broken(*args, **kwargs):
        raise RuntimeError("connection refused")

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unavailable"}


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/no-such-page", 404), ("POST", "/", 405), ("GET", "/auth/logout", 405)],
)
def test_error_pages_use_the_layout_and_carry_headers(client, method, path, status):
    response = client.open(path, method=method, headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == status
    assert "<nav" in html and "Back to the home page" in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_500_rolls_back_and_renders_error_page(fresh_app):
    app, client = fresh_app, fresh_app.test_client()
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from shop.extensions import db

    rollbacks = []

    @app.route("/boom")
    def boom():
        db.session.execute(text("SELECT 1"))
        raise RuntimeError("kaboom")

    def record(session):
        rollbacks.append(session)

    event.listen(Session, "after_rollback", record)
    try:
        response = client.get("/boom", headers={"Accept-Language": "es"})
    finally:
        event.remove(Session, "after_rollback", record)
    assert response.status_code == 500
    assert "Algo salió mal" in response.get_data(as_text=True)
    assert rollbacks, "the 500 handler did not roll the session back"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_post_without_csrf_token_is_refused_with_error_page(client):
    response = client.post(
        "/auth/login",
        data={"email": "a@example.com", "password": "x" * 12},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "Your form expired" in response.get_data(as_text=True)


def test_security_headers_on_every_response(client):
    for path in ["/", "/auth/login", "/healthz", "/static/css/app.css"]:
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "Strict-Transport-Security" not in response.headers  # development: no HSTS


def test_session_cookie_is_httponly_and_lax(client):
    csrf_token(client)  # a page with a form starts the session
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"


def test_templates_have_no_inline_scripts_or_handlers():
    from shop import ROOT

    pattern_inline = ("<script>", "onclick=", "onload=", "onsubmit=", "onchange=", "javascript:")
    for path in (ROOT / "templates").rglob("*.html"):
        source = path.read_text()
        for bad in pattern_inline:
            assert bad not in source, f"{path.name} contains {bad}"
        # JSON-LD is data, never run (the CSP still allows no inline script).
        allowed = source.replace('<script src="', "").replace(
            '<script type="application/ld+json">', ""
        )
        assert "<script" not in allowed, path.name
        assert "style=" not in source, f"{path.name} has an inline style"


def test_production_refuses_missing_secret(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)


def test_production_refuses_a_short_secret(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "x" * 31)
    with pytest.raises(RuntimeError, match="at least 32 characters"):
        create_app(ProductionConfig)


def _production_ready(monkeypatch, tmp_path) -> None:
    """Every production setting present (SQLite allowed), so a test can remove one."""
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "x" * 40)
    monkeypatch.setattr(
        ProductionConfig, "SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path / 'prod.db'}"
    )
    monkeypatch.setattr(ProductionConfig, "ALLOW_SQLITE_IN_PRODUCTION", True)
    monkeypatch.setattr(ProductionConfig, "STRIPE_SECRET_KEY", "sk_test_x")
    monkeypatch.setattr(ProductionConfig, "STRIPE_PUBLISHABLE_KEY", "pk_test_x")
    monkeypatch.setattr(ProductionConfig, "STRIPE_WEBHOOK_SECRET", "whsec_x")


def test_production_accepts_a_32_character_secret(monkeypatch, tmp_path):
    _production_ready(monkeypatch, tmp_path)
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "s" * 32)
    assert create_app(ProductionConfig).config["SECRET_KEY"] == "s" * 32


def test_production_refuses_missing_publishable_key(monkeypatch, tmp_path):
    _production_ready(monkeypatch, tmp_path)
    monkeypatch.setattr(ProductionConfig, "STRIPE_PUBLISHABLE_KEY", None)
    with pytest.raises(RuntimeError, match="STRIPE_PUBLISHABLE_KEY"):
        create_app(ProductionConfig)


def test_testing_config_refuses_to_run_outside_the_test_suite(monkeypatch, tmp_path):
    monkeypatch.delenv(TEST_SUITE_FLAG)
    monkeypatch.setenv("TALLER_ENV", "testing")
    with pytest.raises(RuntimeError, match="only for the test suite"):
        create_app(TestConfig)
    with pytest.raises(RuntimeError, match="only for the test suite"):
        create_app()  # what wsgi.py does under gunicorn with TALLER_ENV=testing


def test_testing_config_runs_inside_the_test_suite(monkeypatch, tmp_path):
    monkeypatch.setattr(TestConfig, "SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path / 't.db'}")
    assert create_app(TestConfig).config["TESTING"] is True


def test_production_refuses_default_sqlite(monkeypatch, tmp_path):
    _production_ready(monkeypatch, tmp_path)
    monkeypatch.setattr(ProductionConfig, "SQLALCHEMY_DATABASE_URI", None)
    monkeypatch.setattr(ProductionConfig, "ALLOW_SQLITE_IN_PRODUCTION", False)
    with pytest.raises(RuntimeError, match="SQLite"):
        create_app(ProductionConfig)


def test_production_refuses_demo_payments(monkeypatch, tmp_path):
    _production_ready(monkeypatch, tmp_path)
    monkeypatch.setattr(ProductionConfig, "STRIPE_SECRET_KEY", None)
    with pytest.raises(RuntimeError, match="demo payments"):
        create_app(ProductionConfig)


def test_production_sends_hsts_and_secure_cookies(monkeypatch, tmp_path):
    _production_ready(monkeypatch, tmp_path)
    app = create_app(ProductionConfig)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    response = app.test_client().get("/", headers={"Accept-Language": "en"})
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_development_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    from shop.config import Config, instance_secret_key

    monkeypatch.setattr(Config, "SECRET_KEY", None)
    first = instance_secret_key(str(tmp_path))
    second = instance_secret_key(str(tmp_path))
    assert first == second and len(first) >= 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_database_url_normalisation():
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_every_module_imports_first_without_a_cycle():
    """Any module may be the first one imported (a CLI job, a worker, a test): feature
    packages import their views, so a module-level import between views makes a cycle that
    only shows in some import orders."""
    import subprocess
    import sys

    from shop import ROOT

    # The parent imports the shop once so the libraries it uses are loaded, forgets the shop's
    # own modules, then forks one child per module: each child starts as a fresh interpreter
    # would, minus the library imports, and the children run on every core.
    script = (
        "import importlib, multiprocessing, os, pathlib, sys\n"
        "names = sorted('.'.join(p.with_suffix('').parts).removesuffix('.__init__')"
        " for p in pathlib.Path('shop').rglob('*.py'))\n"
        "import shop.models, wsgi\n"
        "for loaded in [m for m in sys.modules if m.split('.')[0] in ('shop', 'wsgi')]:\n"
        "    del sys.modules[loaded]\n"
        "def first(name):\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception as error:\n"
        "        return f'{name}: {error!r}'\n"
        "fork = multiprocessing.get_context('fork')\n"
        "with fork.Pool(os.cpu_count(), maxtasksperchild=1) as pool:\n"
        "    failed = [f for f in pool.map(first, names, chunksize=1) if f]\n"
        "print(len(names)); print('\\n'.join(failed))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    count, *failures = result.stdout.strip().splitlines()
    assert int(count) > 40 and failures == [], failures


def _too_large_records(caplog) -> list:
    return [r for r in caplog.records if r.levelno >= logging.WARNING and r.name.startswith("shop")]


@pytest.mark.parametrize("path", ["/auth/login", "/cart/add", "/api/v1/products"])
def test_a_body_over_the_limit_gets_the_shops_413_page(app, client, caplog, path):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    token = csrf_token(client)
    with caplog.at_level(logging.INFO):
        response = client.post(
            path,
            data={"csrf_token": token, "email": "x" * 5000},
            headers={"Accept-Language": "en"},
        )
    assert response.status_code == 413
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    if path.startswith("/api/"):
        assert response.get_json()["error"]["code"] == 413
    else:
        html = response.get_data(as_text=True)
        assert "Upload too large" in html and "<nav" in html
    records = _too_large_records(caplog)
    assert [r.levelname for r in records] == ["WARNING"], [r.getMessage() for r in records]
    assert "MAX_CONTENT_LENGTH" in records[0].getMessage()


def _raw_post(url: str, head: str, body: bytes = b"") -> tuple[str, dict, str]:
    """Send a request over a socket (the claimed length need not be sent) and read the answer."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(head.encode() + body)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            chunks.append(chunk)
    raw = b"".join(chunks).decode("utf-8", "replace")
    header_text, _, html = raw.partition("\r\n\r\n")
    status_line, *header_lines = header_text.split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines if ": " in line)
    return status_line, headers, html


@pytest.mark.parametrize("claimed", [10**9, 5000])
def test_a_real_server_answers_413_with_headers_and_one_log_line(app, caplog, claimed):
    from tests.conftest import LiveServer

    app.config["MAX_CONTENT_LENGTH"] = 1000
    server = LiveServer(app).start()
    try:
        head = (
            "POST /auth/login HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{server.server.server_port}\r\n"
            "Accept-Language: en\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {claimed}\r\n"
            "Connection: close\r\n\r\n"
        )
        body = b"email=" + b"x" * (claimed - 6) if claimed < 10**6 else b"email=xx"
        with caplog.at_level(logging.INFO):
            status, headers, html = _raw_post(server.url, head, body)
    finally:
        server.stop()
    assert status.split(" ")[1] == "413", status
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "Upload too large" in html and "<nav" in html
    records = _too_large_records(caplog)
    assert [r.levelname for r in records] == ["WARNING"], [r.getMessage() for r in records]
