"""/healthz checks the database and, when configured, Redis: 503 naming the failed part."""

from __future__ import annotations

import socket


def _closed_port() -> socket.socket:
    """A loopback port bound but never listening: connections to it are refused, and no
    other process (another xdist worker's server) can take it while the socket is open."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    return probe


def test_healthz_checks_redis_when_configured(queue_app, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_healthz_names_redis_when_it_is_down(app, client):
    with _closed_port() as closed:
        app.config["REDIS_URL"] = f"redis://127.0.0.1:{closed.getsockname()[1]}/0"
        app.extensions.pop("taller_redis", None)
        try:
            response = client.get("/healthz")
        finally:
            app.extensions.pop("taller_redis", None)
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "ok", "redis": "unavailable"}
