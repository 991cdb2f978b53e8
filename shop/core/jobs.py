"""Background jobs: run inline by default, on an RQ queue in Redis when REDIS_URL is set.

`enqueue(func, *args, job_id=...)` is the one way to hand work off. A job id makes the job
idempotent: enqueueing the same id twice runs it once, and a job whose id is marked done is
skipped when RQ runs it again (a retry after the work was done, e.g. a mail already sent).
A worker that dies mid-job loses nothing: a killed work horse is retried by its worker
(RQ Retry), and a whole worker killed (machine gone) stops its heartbeat, so the next worker's
maintenance finds the job abandoned and retries it.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Flask, current_app
from redis import Redis
from rq import Queue, Retry, Worker
from rq.job import Job

from shop.extensions import db

log = logging.getLogger(__name__)

# How long an enqueued or finished job id is remembered (a retry comes long before).
ID_MEMORY_SECONDS = 7 * 24 * 60 * 60
_CLAIM = "taller:job:claimed:{}"
_DONE = "taller:job:done:{}"


def redis_connection(app: Flask | None = None) -> Redis | None:
    """The app's Redis client (one per process), or None without REDIS_URL."""
    app = app or current_app._get_current_object()
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    cached = app.extensions.get("taller_redis")
    if cached is None or cached[0] != url:
        cached = (url, Redis.from_url(url))
        app.extensions["taller_redis"] = cached
    return cached[1]


def job_queue(app: Flask | None = None) -> Queue:
    """The RQ queue every job goes to."""
    app = app or current_app._get_current_object()
    connection = redis_connection(app)
    if connection is None:
        raise RuntimeError("job_queue() needs REDIS_URL")
    return Queue(app.config["JOB_QUEUE"], connection=connection)


def dotted_name(func: Callable | str) -> str:
    """'module.function' for a module-level function (what a worker imports)."""
    if isinstance(func, str):
        return func
    return f"{func.__module__}.{func.__qualname__}"


def _resolve(name: str) -> Callable:
    module, _, attribute = name.rpartition(".")
    return getattr(importlib.import_module(module), attribute)


def enqueue(func: Callable | str, *args, job_id: str | None = None, **kwargs) -> Job | None:
    """Run func(*args, **kwargs) now (no Redis) or hand it to a worker (REDIS_URL set).

    With a job_id, a second enqueue of the same id is ignored while the first is remembered.
    Returns the RQ job, or None when it ran inline or was already enqueued.
    """
    connection = redis_connection()
    if connection is None:
        (_resolve(func) if isinstance(func, str) else func)(*args, **kwargs)
        return None
    config = current_app.config
    if job_id is not None and not connection.set(
        _CLAIM.format(job_id), "1", nx=True, ex=ID_MEMORY_SECONDS
    ):
        log.info("job %s already enqueued: not again", job_id)
        return None
    delays = list(config["JOB_RETRY_DELAYS"]) or [0]
    return job_queue().enqueue(
        run_job,
        dotted_name(func),
        job_id,
        args,
        kwargs,
        job_id=job_id,
        retry=Retry(max=config["JOB_RETRIES"], interval=delays) if config["JOB_RETRIES"] else None,
        job_timeout=config["JOB_TIMEOUT"],
        result_ttl=ID_MEMORY_SECONDS,
        failure_ttl=ID_MEMORY_SECONDS,
    )


def run_job(name: str, job_id: str | None, args: Iterable, kwargs: dict) -> str:
    """What a worker runs: the named function once per job id."""
    connection = redis_connection()
    if job_id is not None and connection is not None and connection.exists(_DONE.format(job_id)):
        log.info("job %s already done: skipped", job_id)
        return "skipped"
    _resolve(name)(*args, **kwargs)
    if job_id is not None and connection is not None:
        connection.set(_DONE.format(job_id), "1", ex=ID_MEMORY_SECONDS)
    return "done"


class AppWorker(Worker):
    """An RQ worker that runs each job in a fresh app context (its own db session) and whose
    heartbeat silence marks a job abandoned after a configurable grace, not RQ's fixed 60 s."""

    def __init__(self, *args, app: Flask, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.app = app

    def get_heartbeat_ttl(self, job: Job) -> int:
        grace = self.app.config["JOB_HEARTBEAT_GRACE"]
        if job.timeout and job.timeout > 0:
            left = job.timeout - self.current_job_working_time
            return int(max(1, min(left, self.job_monitoring_interval))) + grace
        return self.job_monitoring_interval + grace

    def perform_job(self, job: Job, queue: Queue) -> bool:
        with self.app.app_context():
            # A forked work horse must not share the parent's database connections.
            db.engine.dispose(close=False)
            try:
                return super().perform_job(job, queue)
            finally:
                db.session.remove()


def work(app: Flask, burst: bool = False) -> bool:
    """Process jobs until stopped (or, with burst, until the queue is empty)."""
    config = app.config
    worker = AppWorker(
        [job_queue(app)],
        connection=redis_connection(app),
        app=app,
        job_monitoring_interval=config["JOB_HEARTBEAT_SECONDS"],
        maintenance_interval=config["JOB_MAINTENANCE_SECONDS"],
        default_worker_ttl=config["JOB_WORKER_TTL"],
    )
    return worker.work(burst=burst, with_scheduler=True)


@dataclass(frozen=True)
class Periodic:
    """A job the scheduler enqueues every `every` seconds."""

    name: str
    func: str
    every: int


def enqueue_due(periodic: Iterable[Periodic], now: float | None = None) -> list[str]:
    """Enqueue each periodic job once per period; the job id names the period, so several
    schedulers (one per host, say) never enqueue the same run twice. Returns the ids run."""
    now = time.time() if now is None else now
    started = []
    connection = redis_connection()
    for job in periodic:
        slot = int(now // job.every)
        job_id = f"periodic-{job.name}-{slot}"
        if connection is None:
            # Inline: remember the last slot in this process only.
            seen = current_app.extensions.setdefault("taller_periodic", {})
            if seen.get(job.name) == slot:
                continue
            seen[job.name] = slot
            enqueue(job.func, job_id=job_id)
            started.append(job_id)
        elif enqueue(job.func, job_id=job_id) is not None:
            started.append(job_id)
    return started


def run_scheduler(app: Flask, periodic: list[Periodic], ticks: int | None = None) -> None:
    """Loop: enqueue the periodic jobs that are due, then sleep a tick."""
    done = 0
    while ticks is None or done < ticks:
        try:
            for job_id in enqueue_due(periodic):
                log.info("scheduler: %s", job_id)
        except Exception:  # one failing run must not stop the schedule
            log.exception("scheduler: a periodic job failed")
        finally:
            db.session.remove()
        done += 1
        if ticks is None or done < ticks:
            time.sleep(app.config["SCHEDULER_TICK_SECONDS"])
