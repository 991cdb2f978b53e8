"""Showing session times the way the venue's clock shows them, with the zone named."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton, format_time, get_timezone, get_timezone_location
from flask_babel import get_locale
from flask_babel import gettext as _


def _locale() -> str:
    return str(get_locale() or "es")


def zone_label(zone: str, locale: str | None = None) -> str:
    """'hora de Guayaquil / America/Guayaquil': the city in words, plus the IANA name."""
    locale = locale or _locale()
    city = get_timezone_location(get_timezone(zone), locale=locale, return_city=True)
    return _("%(city)s time", city=city) + f" / {zone}"


def local_datetime(value: datetime, zone: str, locale: str | None = None) -> str:
    """'sáb, 5 dic 2026, 10:00' in the zone (not the reader's, not the server's)."""
    locale = locale or _locale()
    tz = ZoneInfo(zone)
    day = format_skeleton("yMMMEd", value, tzinfo=tz, locale=locale)
    clock = format_time(value, "short", tzinfo=tz, locale=locale)
    return f"{day}, {clock}"


def local_time(value: datetime, zone: str, locale: str | None = None) -> str:
    """'10:00' in the zone."""
    return format_time(value, "short", tzinfo=ZoneInfo(zone), locale=locale or _locale())


def when(value: datetime, zone: str, locale: str | None = None) -> str:
    """'sáb, 5 dic 2026, 10:00 (hora de Guayaquil / America/Guayaquil)'."""
    return f"{local_datetime(value, zone, locale)} ({zone_label(zone, locale)})"
