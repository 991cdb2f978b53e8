"""Health of the parts a request needs: the database always, Redis when configured."""

from __future__ import annotations

import logging

from redis.exceptions import RedisError
from sqlalchemy import text

from shop.core.jobs import redis_connection
from shop.extensions import db

log = logging.getLogger(__name__)


def check_parts() -> dict[str, str]:
    """'ok' or 'unavailable' for each part in use (database, and redis with REDIS_URL)."""
    parts = {"database": "ok"}
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # any failure means a load balancer should look elsewhere
        log.error("health check: database unavailable: %s", type(error).__name__)
        db.session.rollback()
        parts["database"] = "unavailable"
    connection = redis_connection()
    if connection is not None:
        try:
            connection.ping()
            parts["redis"] = "ok"
        except (RedisError, OSError) as error:
            log.error("health check: redis unavailable: %s", type(error).__name__)
            parts["redis"] = "unavailable"
    return parts
