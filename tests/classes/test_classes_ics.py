"""Calendar files: the right instant in the class's zone, reminders, private address only
when asked, a stable UID."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from shop.classes.ics import session_ics, session_uid
from tests import factories


@pytest.fixture
def madrid_session(db):
    klass = factories.class_(
        title="Encuadernación, a mano", timezone="Europe/Madrid", duration_minutes=150
    )
    return factories.session(
        klass=klass, starts_at=datetime(2026, 10, 31, 9, 0, tzinfo=UTC), seats_taken=3
    )


def _event(body: bytes):
    calendar = Calendar.from_ical(body)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


def test_event_lands_at_the_sessions_instant_in_its_zone(madrid_session):
    body = session_ics(madrid_session, include_address=False, attendee_count=3, uid="u-1@test")
    calendar, event = _event(body)
    start = event.decoded("dtstart")
    end = event.decoded("dtend")
    assert start == madrid_session.starts_at  # same instant
    assert start.tzinfo is not None and str(start.tzinfo) == "Europe/Madrid"
    assert start.replace(tzinfo=None) == datetime(2026, 10, 31, 10, 0)  # CET wall time
    assert end - start == timedelta(minutes=150)
    assert b"DTSTART;TZID=Europe/Madrid:20261031T100000" in body
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Madrid"]
    assert str(event["UID"]) == "u-1@test"
    assert str(event["SUMMARY"]) == "Encuadernación, a mano"


def test_two_reminders_before_the_start(madrid_session):
    _calendar, event = _event(
        session_ics(madrid_session, include_address=True, attendee_count=0, uid="u@test")
    )
    alarms = event.walk("VALARM")
    assert sorted(alarm.decoded("trigger") for alarm in alarms) == [
        timedelta(days=-1),
        timedelta(hours=-2),
    ]
    assert {str(alarm["ACTION"]) for alarm in alarms} == {"DISPLAY"}


def test_location_is_the_address_only_when_asked(madrid_session):
    address = madrid_session.class_.address
    private = session_ics(madrid_session, include_address=True, attendee_count=3, uid="u@test")
    public = session_ics(madrid_session, include_address=False, attendee_count=3, uid="u@test")
    assert str(_event(private)[1]["LOCATION"]) == address
    location = str(_event(public)[1]["LOCATION"])
    assert location != address and "La Floresta" in location
    assert address.encode() not in public
    assert b"Calle Secreta" not in public


def test_uid_is_stable_and_cancelled_sessions_say_so(madrid_session):
    uid = session_uid(madrid_session, "taller.example")
    assert (
        uid
        == session_uid(madrid_session, "taller.example")
        == (f"class-session-{madrid_session.id}@taller.example")
    )
    madrid_session.status = madrid_session.status.CANCELLED
    _calendar, event = _event(
        session_ics(madrid_session, include_address=False, attendee_count=0, uid=uid)
    )
    assert str(event["STATUS"]) == "CANCELLED"
    assert event.walk("VALARM") == []
