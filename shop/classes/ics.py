"""iCalendar files for class sessions (RFC 5545), built with the icalendar package.

Times are written in the class's own zone: DTSTART/DTEND carry TZID=<IANA zone> and the file
holds the matching VTIMEZONE (icalendar's add_missing_timezones). Calendar apps then show the
session at the venue's wall-clock time and place it at the right instant, also for a reader
in another zone, and the zone is visible when someone opens the event. The reminders are
relative to the start: one day before (a nominal day, RFC 5545 3.3.6, so the same wall-clock
time the day before, even across a clock change) and two hours before.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from icalendar import Alarm, Calendar, Event

from shop.classes.models import ClassSession
from shop.classes.policy import describe_policy
from shop.core.markdown import plain_excerpt
from shop.core.time import utcnow

PRODID = "-//Taller//Classes//ES"
REMINDERS = (timedelta(days=1), timedelta(hours=2))


def session_uid(session: ClassSession, domain: str | None = None) -> str:
    """A stable UID for a session: the same event however often (and from wherever) the file
    is downloaded. The domain defaults to the host of PUBLIC_URL, never the request's Host."""
    if domain is None:
        domain = urlsplit(current_app.config["PUBLIC_URL"]).hostname or "taller"
    return f"class-session-{session.id}@{domain}"


def _description(session: ClassSession, attendee_count: int, url: str | None) -> str:
    klass = session.class_
    lines = [
        _("A class by %(name)s.", name=klass.artisan.public_name),
        plain_excerpt(klass.description, 400),
    ]
    if klass.included:
        lines.append(_("Included: %(included)s", included=plain_excerpt(klass.included, 300)))
    if attendee_count > 0:
        lines.append(
            ngettext("%(num)d participant booked.", "%(num)d participants booked.", attendee_count)
        )
    lines.append(
        _("Cancellation policy: %(policy)s", policy=describe_policy(klass.cancellation_policy))
    )
    if url:
        lines.append(url)
    return "\n\n".join(line for line in lines if line)


def session_ics(
    session: ClassSession,
    *,
    include_address: bool,
    attendee_count: int,
    uid: str,
    url: str | None = None,
) -> bytes:
    """One VEVENT for the session; LOCATION is the private address only if include_address."""
    klass = session.class_
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", utcnow())
    event.add("dtstart", session.local_start())
    event.add("dtend", session.local_end())
    event.add("summary", klass.title)
    event.add("description", _description(session, attendee_count, url))
    if include_address:
        event.add("location", klass.address)
    else:
        event.add("location", f"{klass.meeting_area}, {klass.artisan.city}")
    event.add("status", "CANCELLED" if session.is_cancelled else "CONFIRMED")
    if url:
        event.add("url", url)
    if not session.is_cancelled:
        for before in REMINDERS:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", _("Reminder: %(title)s", title=klass.title))
            alarm.add("trigger", -before)
            event.add_component(alarm)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
