"""Who is coming to a session: the roster page and its CSV download."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from shop.bookings.services import bookings_for_session
from shop.classes.models import ClassSession

# No e-mail: artisans reach customers through messages. The phone is there when the customer
# gave it at checkout (it is asked for pickups and classes, to be reached on the day).
CSV_HEADER = (_l("Name"), _l("Phone"), _l("Seats"), _l("Order"))
# Spreadsheets run cells that start with these as formulas (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class RosterEntry:
    """One booking on a session, as the artisan sees it."""

    name: str
    phone: str
    seats: int
    reference: str
    line_id: int = 0
    has_account: bool = False  # a conversation needs the customer's account


def roster_entries(session: ClassSession) -> list[RosterEntry]:
    """The paid, not cancelled bookings of a session, in booking order (one row each,
    the attendee names joined)."""
    return [
        RosterEntry(
            name=", ".join(line.attendees) or line.order.name,
            phone=line.order.phone,
            seats=line.quantity,
            reference=line.order.reference,
            line_id=line.id,
            has_account=line.order.user_id is not None,
        )
        for line in bookings_for_session(session.id)
    ]


def _cell(value: object) -> str:
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_row(entry: RosterEntry) -> list[str]:
    """A roster line for the CSV file, safe to open in a spreadsheet."""
    return [
        _cell(entry.name),
        _cell(entry.phone),
        str(entry.seats),
        _cell(entry.reference),
    ]
