"""Showing session times the way the venue's clock shows them, with the zone named for people
(the formats themselves live in shop.core.dates)."""

from __future__ import annotations

from datetime import datetime

from shop.core.dates import format_clock, format_moment, format_when, zone_name


def zone_label(zone: str, locale: str | None = None) -> str:
    """'hora de Ecuador': the zone in words (the IANA name goes only in .ics and tooltips)."""
    return zone_name(zone, locale)


def local_datetime(value: datetime, zone: str, locale: str | None = None) -> str:
    """'vie 11 dic 2026, 10:00' in the zone (not the reader's, not the server's)."""
    return format_moment(value, zone, locale)


def local_time(value: datetime, zone: str, locale: str | None = None) -> str:
    """'10:00' in the zone."""
    return format_clock(value, zone, locale)


def when(value: datetime, zone: str, locale: str | None = None) -> str:
    """'vie 11 dic 2026, 10:00 (hora de Ecuador)'."""
    return format_when(value, zone, locale)
