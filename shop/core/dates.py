"""Dates and times written for people, one way on every page and in every e-mail.

"vie 11 dic 2026, 10:00" in Spanish; time zones named in the reader's language ("hora de
Ecuador", from Babel's CLDR names). The IANA name (America/Guayaquil) is for machines: the
.ics file and a tooltip, never the sentence.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_skeleton, format_time, get_timezone_name
from flask import current_app, has_app_context
from flask_babel import get_locale

DEFAULT_ZONE = "America/Guayaquil"
# Where CLDR's own medium date reads stiffly, the pattern people write ("vie 11 dic 2026").
DAY_PATTERNS = {"es": "EEE d MMM y"}


def _language(locale: str | None) -> str:
    return str(locale or get_locale() or "es")


def display_zone() -> str:
    """The zone for times that belong to no class (orders, messages): the shop's own."""
    if has_app_context():
        return current_app.config.get("BABEL_DEFAULT_TIMEZONE") or DEFAULT_ZONE
    return DEFAULT_ZONE


def _in_zone(value: datetime, zone: str | None) -> datetime:
    return value.astimezone(ZoneInfo(zone or display_zone()))


def format_day(value: date | datetime, zone: str | None = None, locale: str | None = None) -> str:
    """'vie 11 dic 2026' (a datetime is first moved to the zone)."""
    language = _language(locale)
    if isinstance(value, datetime):
        value = _in_zone(value, zone)
    pattern = DAY_PATTERNS.get(language.split("_")[0])
    if pattern:
        return format_date(value, pattern, locale=language)
    return format_skeleton("yMMMEd", value, locale=language)


def format_clock(value: datetime, zone: str | None = None, locale: str | None = None) -> str:
    """'10:00' (or '10:00 AM' in English) on the zone's clock."""
    return format_time(_in_zone(value, zone), "short", locale=_language(locale))


def format_moment(value: datetime, zone: str | None = None, locale: str | None = None) -> str:
    """'vie 11 dic 2026, 10:00': the one date-and-time format of the shop."""
    return f"{format_day(value, zone, locale)}, {format_clock(value, zone, locale)}"


def zone_name(zone: str, locale: str | None = None, at: datetime | None = None) -> str:
    """'hora de Ecuador': the zone as people call it, in the reader's language."""
    language = _language(locale)
    try:
        tz = ZoneInfo(zone)
    except (KeyError, ValueError):
        return zone
    moment = (at or datetime.now(tz)).astimezone(tz)
    # The generic name ("hora de Colombia") reads best; CLDR has none for some zones (it
    # answers "GMT-05:00"), where the name of the moment ("hora de Ecuador") is the right one.
    for variant in ("generic", None):
        name = get_timezone_name(moment, "long", zone_variant=variant, locale=language)
        if not name.startswith("GMT"):
            return name
    return zone


def format_when(value: datetime, zone: str, locale: str | None = None) -> str:
    """'vie 11 dic 2026, 10:00 (hora de Ecuador)': a class's time on its venue's clock."""
    return f"{format_moment(value, zone, locale)} ({zone_name(zone, locale, value)})"
