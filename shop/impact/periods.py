"""The period a visitor or an admin asks for: whole months on the public page and API (a
day-by-day choice would let two periods be subtracted down to one order), days in the
admins' exports."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l

from shop.impact.queries import Period
from shop.payouts.reports import add_months, month_of, parse_month

DEFAULT_MONTHS = 12
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Choice:
    """A parsed period choice: the period, what to call it, and what was wrong with it."""

    period: Period
    first: date | None  # first month (or day), for the form
    last: date | None  # last month (or day), inclusive
    every: bool = False  # all time
    error: str | None = None


def default_choice(now: datetime, zone: str) -> Choice:
    """The last twelve months, this one included."""
    last = month_of(now, zone)
    first = add_months(last, -(DEFAULT_MONTHS - 1))
    return Choice(Period(first, add_months(last, 1)), first, last)


def month_choice(args, now: datetime, zone: str) -> Choice:
    """`period=all`, or `from` and `to` as YYYY-MM (inclusive); the default otherwise."""
    if args.get("period") == "all":
        return Choice(Period(), None, None, every=True)
    raw_from, raw_to = args.get("from"), args.get("to")
    if not raw_from and not raw_to:
        return default_choice(now, zone)
    first, last = parse_month(raw_from or raw_to), parse_month(raw_to or raw_from)
    if first is None or last is None:
        error = _l("Choose the months as year and month, e.g. 2026-03.")
        return _failed(now, zone, str(error))
    if first > last:
        return _failed(now, zone, str(_l("The first month must come before the last.")))
    return Choice(Period(first, add_months(last, 1)), first, last)


def day_choice(args, now: datetime, zone: str) -> Choice:
    """`from` and `to` as YYYY-MM-DD (inclusive), for exports; the default otherwise."""
    raw_from, raw_to = args.get("from", ""), args.get("to", "")
    if not raw_from and not raw_to:
        return default_choice(now, zone)
    try:
        first = date.fromisoformat(raw_from) if _DAY.fullmatch(raw_from) else None
        last = date.fromisoformat(raw_to) if _DAY.fullmatch(raw_to) else None
    except ValueError:
        first = last = None
    if (raw_from and first is None) or (raw_to and last is None):
        return _failed(now, zone, str(_l("Choose the dates as year-month-day, e.g. 2026-03-31.")))
    if first and last and first > last:
        return _failed(now, zone, str(_l("The first day must come before the last.")))
    end = last + timedelta(days=1) if last else None
    return Choice(Period(first, end), first, last, every=not first and not last)


def _failed(now: datetime, zone: str, error: str) -> Choice:
    fallback = default_choice(now, zone)
    return Choice(fallback.period, fallback.first, fallback.last, error=error)
