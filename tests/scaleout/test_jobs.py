"""Jobs: inline by default, on RQ with REDIS_URL; idempotent ids; nothing lost when a worker
process is killed mid-job (real `flask worker` processes, real SIGKILL)."""

from __future__ import annotations

import io
import os
import signal
from datetime import timedelta
from pathlib import Path

from PIL import Image as PILImage
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry

from shop.cli import PERIODIC
from shop.core.jobs import enqueue, enqueue_due, job_queue
from shop.core.time import utcnow
from shop.extensions import db as _db
from shop.media.services import save_image
from shop.orders.models import Order
from tests import factories
from tests.conftest import post_form
from tests.scaleout.conftest import wait_for
from tests.scaleout.sample_jobs import record
from tests.support.images import jpeg_bytes


def test_without_redis_a_job_runs_at_once(app, tmp_path):
    assert enqueue(record, str(tmp_path), "ran", job_id="inline-1") is None
    assert (tmp_path / "ran").read_text() == str(os.getpid())


def test_mail_is_sent_by_a_worker_once_even_when_the_job_runs_again(
    queue_app, workers, client, outbox
):
    user = factories.user(email="queued@example.com")
    _db.session.commit()
    post_form(client, "/auth/forgot", {"email": user.email})
    assert outbox.to(user.email) == []  # committed, queued, not sent by the web request
    queue = job_queue()
    [job_id] = queue.job_ids
    assert job_id.startswith("mail-")

    workers.burst()
    assert len(outbox.to(user.email)) == 1
    assert Job.fetch(job_id, connection=queue.connection).get_status() == JobStatus.FINISHED

    # RQ runs the same job again (as a retry would): the mail is not sent twice,
    # and enqueueing the same id again is refused.
    queue.enqueue_job(Job.fetch(job_id, connection=queue.connection))
    assert enqueue("shop.mail.send_now", None, job_id=job_id) is None
    workers.burst()
    assert len(outbox.to(user.email)) == 1
    assert Job.fetch(job_id, connection=queue.connection).return_value() == "skipped"


def _start_slow_job(workers, tmp_path: Path) -> tuple[Job, int]:
    """Enqueue a job whose first attempt hangs; return it and the pid running it."""
    folder = tmp_path / "marks"
    folder.mkdir()
    job = enqueue("tests.scaleout.sample_jobs.slow_first_attempt", str(folder), job_id="slow-1")
    wait_for(lambda: (folder / "attempt-1").exists(), what="the first attempt to start")
    return job, int((folder / "attempt-1").read_text())


def test_a_killed_work_horse_is_retried_by_its_worker(workers, tmp_path):
    workers.start()
    job, horse = _start_slow_job(workers, tmp_path)
    os.kill(horse, signal.SIGKILL)
    folder = tmp_path / "marks"
    wait_for(lambda: (folder / "done").exists(), what="the retry to finish")
    assert (folder / "attempt-2").exists() and not (folder / "attempt-3").exists()
    assert int((folder / "attempt-2").read_text()) != horse
    wait_for(lambda: job.get_status(refresh=True) == JobStatus.FINISHED, what="finished")


def test_a_job_of_a_killed_worker_is_finished_by_the_next_worker(workers, tmp_path):
    first = workers.start()
    job, horse = _start_slow_job(workers, tmp_path)
    # The whole worker dies (the machine is gone): the worker and its work horse.
    os.kill(horse, signal.SIGKILL)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    folder = tmp_path / "marks"
    assert not (folder / "done").exists()
    registry = StartedJobRegistry(queue=job_queue())
    assert job.id in registry.get_job_ids(cleanup=False)  # abandoned, not lost

    workers.start()  # a new worker finds it once the dead one's heartbeat has lapsed
    wait_for(lambda: (folder / "done").exists(), timeout=45, what="the new worker to finish it")
    assert int((folder / "done").read_text()) not in (horse, first.pid)
    assert not (folder / "attempt-3").exists()
    wait_for(lambda: job.get_status(refresh=True) == JobStatus.FINISHED, what="finished")


def test_scheduler_enqueues_each_periodic_job_once_per_period_and_workers_run_them(
    queue_app, workers, db, outbox
):
    product = factories.product(stock=3)
    order = factories.order([(product, 2)])
    order.hold_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    now = 1_000_000.0
    started = enqueue_due(PERIODIC, now=now)
    assert len(started) == len(PERIODIC)
    assert enqueue_due(PERIODIC, now=now + 1) == []  # a second scheduler, same period
    assert len(job_queue()) == len(PERIODIC)

    workers.burst()
    db.session.expire_all()
    assert db.session.get(Order, order.id).status.value == "cancelled"
    assert db.session.get(type(product), product.id).stock == 3  # released exactly once
    statuses = {Job.fetch(i, connection=job_queue().connection).get_status() for i in started}
    assert statuses == {JobStatus.FINISHED}


def test_scheduler_without_redis_runs_the_jobs_itself_once_per_period(app, db):
    product = factories.product(stock=2)
    order = factories.order([(product, 1)])
    order.hold_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert len(enqueue_due(PERIODIC, now=2_000_000.0)) == len(PERIODIC)
    assert enqueue_due(PERIODIC, now=2_000_001.0) == []
    db.session.expire_all()
    assert db.session.get(Order, order.id).status.value == "cancelled"


def test_photo_sizes_are_made_by_a_worker_and_the_full_photo_stands_in_meanwhile(
    queue_app, workers, db, client
):
    image = save_image(jpeg_bytes(size=(1600, 1200)), None)
    db.session.commit()
    small = f"/media/{image.filename('400')}"
    waiting = client.get(small)
    assert waiting.status_code == 200 and waiting.cache_control.max_age == 60
    assert PILImage.open(io.BytesIO(waiting.data)).size == (1600, 1200)  # the full photo

    workers.burst()
    ready = client.get(small)
    assert ready.status_code == 200 and ready.cache_control.max_age == 31536000
    assert PILImage.open(io.BytesIO(ready.data)).size == (400, 300)


def test_scheduler_command_runs_the_periodic_jobs_inline_without_redis(app, runner, db):
    product = factories.product(stock=2)
    order = factories.order([(product, 1)])
    order.hold_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    order_id = order.id
    app.extensions.pop("taller_periodic", None)
    result = runner.invoke(args=["scheduler", "--ticks", "1"])
    assert result.exit_code == 0, result.output
    assert db.session.get(Order, order_id).status.value == "cancelled"
    refused = runner.invoke(args=["worker", "--burst"])
    assert refused.exit_code != 0 and "REDIS_URL" in refused.output
