"""What every view does the same way: one commit per request, domain errors shown where they
belong, and objects only their owner may reach."""

from __future__ import annotations

from collections.abc import Callable
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


def perform(
    action: Callable[[], Any],
    *,
    form=None,
    success: str | None = None,
    aliases: dict[str, str] | None = None,
    show: bool = True,
) -> Outcome:
    """Run a request's change as one unit: commit once, or roll back and show the domain error
    (on the form field it names, else flashed; `show=False` leaves that to the caller).

    E-mails queued by the action go out after the commit (see shop.mail).
    """
    try:
        value = action()
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        if show:
            show_error(form, error, aliases)
        return Outcome(False, error=error)
    if success:
        flash(success, "success")
    return Outcome(True, value)


def commit() -> None:
    """Commit the request's one unit of work (for views with no domain error to map)."""
    db.session.commit()


def get_owned_or_404(model, ident, owner_id: int, owner_attr: str = "artisan_id"):
    """The row if it exists and belongs to the owner; else 404 (never confirm it exists)."""
    row = db.session.get(model, ident) if isinstance(ident, int) else None
    if row is None or getattr(row, owner_attr) != owner_id:
        abort(404)
    return row
