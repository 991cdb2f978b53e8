"""What every view does the same way: one commit per request, domain errors shown where they
belong, and objects only their owner may reach."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import abort, flash

from shop.core.errors import DomainError
from shop.extensions import db


@dataclass
class Outcome:
    """What perform() did: `ok` (also its truth value), the action's value or the error."""

    ok: bool
    value: Any = None
    error: DomainError | None = None

    def __bool__(self) -> bool:
        return self.ok


def show_error(form, error: DomainError, aliases: dict[str, str] | None = None) -> None:
    """Put a domain error on the form field it names, else flash it."""
    name = (aliases or {}).get(error.field, error.field) if error.field else None
    field = form._fields.get(name) if form is not None and name else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "danger")


@contextmanager
def unit_of_work(form=None, *, aliases: dict[str, str] | None = None, show: bool = True):
    """The request's change as one unit: the block's writes commit once at its end; a domain
    error rolls them back and is shown (on the form field it names, else flashed; `show=False`
    leaves that to the caller). Yields the Outcome, whose `ok` is set when the block is done:

        with unit_of_work(form) as work:
            klass = services.create_class(artisan, data)
        if work:
            return redirect(...)

    E-mails queued by the block go out after the commit (see shop.mail).
    """
    outcome = Outcome(False)
    try:
        yield outcome
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        outcome.error = error
        if show:
            show_error(form, error, aliases)
    else:
        outcome.ok = True


def perform(
    action: Callable[[], Any],
    *,
    form=None,
    success: str | None = None,
    aliases: dict[str, str] | None = None,
    show: bool = True,
) -> Outcome:
    """unit_of_work() for one call: run it, commit, flash `success`; the Outcome has its value."""
    with unit_of_work(form, aliases=aliases, show=show) as work:
        work.value = action()
    if work and success:
        flash(success, "success")
    return work


def commit() -> None:
    """Commit the request's one unit of work (for views with no domain error to map)."""
    db.session.commit()


def rollback() -> None:
    """Drop the request's writes (a view that turns an error into a page of its own)."""
    db.session.rollback()


def get_owned_or_404(model, ident, owner_id: int, owner_attr: str = "artisan_id"):
    """The row if it exists and belongs to the owner; else 404 (never confirm it exists)."""
    row = db.session.get(model, ident) if isinstance(ident, int) else None
    if row is None or getattr(row, owner_attr) != owner_id:
        abort(404)
    return row
