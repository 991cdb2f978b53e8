"""Scale-out tests need the Redis on the machine: TEST_REDIS_URL (CI sets it)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL")


@pytest.fixture
def redis_url() -> Iterator[str]:
    """An empty Redis database for this test (skipped without TEST_REDIS_URL)."""
    if not REDIS_URL:
        pytest.skip("TEST_REDIS_URL not set: the queue tests need a Redis server")
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


@pytest.fixture
def queue_app(app, redis_url):
    """The test app with jobs on the Redis queue (its config is restored afterwards)."""
    app.config.update(
        REDIS_URL=redis_url, JOB_RETRY_DELAYS=(0,), JOB_RETRIES=3, JOB_QUEUE="taller-test"
    )
    app.extensions.pop("taller_redis", None)
    yield app
    app.extensions.pop("taller_redis", None)


class Workers:
    """`flask worker` processes started by a test, all stopped at its end."""

    def __init__(self, app, tmp_path: Path) -> None:
        self.app, self.tmp_path, self.processes = app, tmp_path, []

    def env(self) -> dict:
        config = self.app.config
        return {
            **os.environ,
            "TALLER_ENV": "development",
            "SECRET_KEY": "scale-out-test-secret-key-not-for-production",
            "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
            "REDIS_URL": config["REDIS_URL"],
            "JOB_QUEUE": config["JOB_QUEUE"],
            "MAIL_OUTBOX_DIR": config["MAIL_OUTBOX_DIR"],
            "UPLOAD_DIR": config["UPLOAD_DIR"],
            "JOB_RETRY_DELAYS": "0",
            # A silent worker's job is abandoned after 1 + 2 s; registries checked every second.
            "JOB_HEARTBEAT_SECONDS": "1",
            "JOB_HEARTBEAT_GRACE": "2",
            "JOB_MAINTENANCE_SECONDS": "1",
            "JOB_WORKER_TTL": "16",
        }

    def start(self, *args: str) -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "worker", *args],
            cwd=ROOT,
            env=self.env(),
            stdout=subprocess.DEVNULL,
            stderr=open(self.tmp_path / f"worker-{len(self.processes)}.log", "wb"),  # noqa: SIM115
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def burst(self) -> None:
        """Run one worker until the queue is empty."""
        process = self.start("--burst")
        assert process.wait(timeout=60) == 0, self.log()

    def log(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.tmp_path.glob("worker-*.log")))

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


@pytest.fixture
def workers(queue_app, tmp_path) -> Iterator[Workers]:
    """Start real worker processes against the test database and Redis."""
    started = Workers(queue_app, tmp_path)
    yield started
    started.stop_all()


def wait_for(predicate, timeout: float = 30.0, what: str = "condition") -> None:
    """Poll until predicate() is true."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")
