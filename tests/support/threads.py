"""The thread harness of the race tests: real threads, each with its own connection.

- `run_together` releases functions in threads at the same instant and returns their
  results (any exception is raised in the caller's thread);
- `race` runs named jobs that way, each in its own app and request context and its own
  transaction (committed if the job returns, rolled back if it raises), and reports every
  outcome as a string: "ok", "ok <result>", "refused <DomainError class>" or
  "error <type>: <message>" (deadlocks, constraint violations: the test should fail);
- `Worker`, `Gate` and `gate_function` force an interleaving step by step: a worker runs one
  transaction in its own thread and stops at a gated call until the test lets it go on.

Races need PostgreSQL (the `pg_app` fixture: SQLite serialises all writers).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import text

from shop.core.errors import DomainError
from shop.extensions import db as _db


class Timeout(Exception):
    """A bounded wait ran out."""


def run_together(
    *functions: Callable[[], Any],
    seconds: float = 60,
    context: Callable[[], AbstractContextManager] | None = None,
) -> list[Any]:
    """Run the functions in threads released at the same instant; return their results.

    `context`, if given, makes the context each thread enters before it waits to be
    released (an app context, say), so that setting it up does not spread the start.
    An exception in any thread is raised here (threads do not swallow failures).
    """
    barrier = threading.Barrier(len(functions))
    results: list[Any] = [None] * len(functions)
    errors: list[BaseException] = []

    def run(index: int, function: Callable[[], Any]) -> None:
        try:
            with context() if context else _nothing():
                barrier.wait(timeout=seconds)
                results[index] = function()
        except BaseException as error:  # re-raised in the caller's thread
            errors.append(error)

    threads = [
        threading.Thread(target=run, args=(index, function), daemon=True)
        for index, function in enumerate(functions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds)
    if any(thread.is_alive() for thread in threads):
        raise Timeout(f"threads still running after {seconds:.0f} s")
    if errors:
        raise errors[0]
    return results


@contextmanager
def _nothing() -> Iterator[None]:
    yield


@contextmanager
def in_request(app: Flask) -> Iterator[None]:
    """The app and request context a thread needs to use the app's services."""
    with app.app_context(), app.test_request_context():
        yield


def refusal(error: DomainError) -> str:
    """How `race` reports a business rule's refusal by default."""
    return f"refused {type(error).__name__}"


def transaction(job: Callable[[], object], refused: Callable[[DomainError], str] = refusal) -> str:
    """Run job in one transaction of the current context's session; describe the outcome."""
    try:
        outcome = job()
        _db.session.commit()
        return f"ok {outcome}" if outcome is not None else "ok"
    except DomainError as error:  # OutOfStock, OfferExpired, InvalidTransition...
        _db.session.rollback()
        return refused(error)
    except Exception as error:  # deadlocks, constraint violations: the test fails
        _db.session.rollback()
        return f"error {type(error).__name__}: {str(error)[:900]}"
    finally:
        _db.session.remove()


def race(
    app: Flask,
    jobs: list[tuple[str, Callable[[], object]]],
    *,
    refused: Callable[[DomainError], str] = refusal,
    seconds: float = 120,
) -> list[tuple[str, str]]:
    """Run every named job in its own thread, connection and transaction, released at once;
    return (name, outcome) pairs in the order of `jobs` (see `transaction` for outcomes)."""

    def named(name: str, job: Callable[[], object]) -> Callable[[], tuple[str, str]]:
        return lambda: (name, transaction(job, refused))

    return run_together(
        *(named(name, job) for name, job in jobs),
        seconds=seconds,
        context=lambda: in_request(app),
    )


class Gate:
    """Stops one named thread at a chosen call until the test lets it go on."""

    def __init__(self) -> None:
        self.arrived = threading.Event()
        self.go = threading.Event()

    def pass_(self) -> None:
        self.arrived.set()
        assert self.go.wait(60), "the gate was never opened"


def gate_function(monkeypatch, module, name: str, gates: dict[str, Gate]) -> None:
    """Make module.name wait at its gate (once) when called from a gated thread."""
    original = getattr(module, name)

    def gated(*args, **kwargs):
        gate = gates.get(threading.current_thread().name)
        if gate is not None and not gate.arrived.is_set():
            gate.pass_()
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, gated)


class Worker(threading.Thread):
    """One transaction in its own thread and connection; remembers its result or error."""

    def __init__(self, app, name: str, job: Callable[[], object], before_commit=None) -> None:
        super().__init__(name=name, daemon=True)
        self.app, self.job, self.before_commit = app, job, before_commit
        self.result = None
        self.error: BaseException | None = None

    def run(self) -> None:
        with self.app.app_context(), self.app.test_request_context():
            try:
                self.result = self.job()
                if self.before_commit:
                    self.before_commit()
                _db.session.commit()
            except BaseException as error:
                _db.session.rollback()
                self.error = error
            finally:
                _db.session.remove()


def wait_for_lock_waiters(db, count: int = 1, timeout: float = 15) -> None:
    """Block until `count` PostgreSQL backends wait on a row lock."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with db.engine.connect() as connection:
            waiting = connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar()
        if waiting >= count:
            return
        time.sleep(0.05)
    raise AssertionError("no transaction started waiting on a lock")


def finish(*workers: Worker) -> None:
    """Wait for the workers; fail if one hangs."""
    for worker in workers:
        worker.join(timeout=60)
        assert not worker.is_alive(), f"{worker.name} hung"


def errors_of(*workers: Worker) -> dict[str, str]:
    """The workers' unexpected errors (a business rule's refusal is not one)."""
    return {
        w.name: f"{type(w.error).__name__}: {str(w.error)[:200]}"
        for w in workers
        if w.error is not None and not isinstance(w.error, DomainError)
    }
