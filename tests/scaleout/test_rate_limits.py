"""REDIS_URL alone puts the rate limits in Redis, shared by every worker and host."""

from __future__ import annotations

import redis

from shop import create_app
from tests.conftest import IsolatedClient, _config, post_form


def test_redis_url_moves_rate_limits_to_redis_shared_by_two_workers(
    database_url, tmp_path, redis_url
):
    config = _config(database_url, tmp_path)
    config.update(REDIS_URL=redis_url, AUTH_RATE_LIMIT="2 per minute")
    workers = [create_app(config), create_app(config)]
    assert workers[0].config["RATELIMIT_STORAGE_URI"] == redis_url
    statuses = []
    for attempt in range(3):
        worker = workers[attempt % 2]
        worker.test_client_class = IsolatedClient
        with worker.app_context():
            statuses.append(
                post_form(
                    worker.test_client(),
                    "/auth/login",
                    {"email": "who@example.com", "password": "not the password"},
                ).status_code
            )
    assert statuses == [200, 200, 429]
    assert any(b"LIMITS" in key for key in redis.Redis.from_url(redis_url).scan_iter())


def test_without_redis_url_limits_stay_in_memory(database_url, tmp_path):
    app = create_app(_config(database_url, tmp_path))
    assert app.config["REDIS_URL"] is None
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
