"""Minimum participants: each session is confirmed or cancelled at its decision time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shop.bookings.decisions import decide_sessions
from shop.bookings.services import cancel_booking
from shop.classes.display import local_datetime
from shop.classes.models import ClassSession, SessionStatus, WaitlistEntry, WaitlistStatus
from shop.core.time import utcnow
from shop.extensions import db as _db
from shop.orders.models import Order, OrderStatus
from tests import factories
from tests.conftest import login
from tests.factories import join_waitlist, paid_booking
from tests.support.threads import race

EN = {"Accept-Language": "en"}
ES = {"Accept-Language": "es"}


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def _session(*, minimum: int, capacity: int = 8, days: int = 7, decision_hours: int = 48):
    klass = factories.class_(min_participants=minimum, max_participants=8)
    klass.decision_hours = decision_hours
    return factories.session(
        klass=klass,
        capacity=capacity,
        starts_at=(utcnow() + timedelta(days=days)).replace(microsecond=0),
    )


def _fresh(session) -> ClassSession:
    _db.session.expire_all()
    return _db.session.get(ClassSession, session.id)


def test_short_of_the_minimum_waits_until_the_decision_time_then_is_cancelled(db, ctx, outbox):
    session = _session(minimum=3)
    order = paid_booking(session, 2)
    _db.session.commit()
    decides_at = session.starts_at - timedelta(hours=48)

    assert decide_sessions(decides_at - timedelta(minutes=1)) == {}
    assert _fresh(session).status == SessionStatus.SCHEDULED

    assert decide_sessions(decides_at) == {"cancelled": 1}
    _db.session.commit()
    cancelled = _fresh(session)
    assert cancelled.status == SessionStatus.CANCELLED and cancelled.cancelled_at == decides_at
    assert cancelled.seats_taken == 0 and cancelled.confirmed_at is None
    refunded = _db.session.get(Order, order.id)
    assert refunded.refunded_cents == refunded.paid_cents > 0
    assert refunded.status == OrderStatus.REFUNDED
    [mail] = [m for m in outbox.to(order.email) if "cancel" in m["Subject"].lower()]
    assert "no se reservaron suficientes" in outbox.body(mail)


def test_reaching_the_minimum_confirms_at_once_and_the_job_never_cancels_it(db, ctx, outbox):
    session = _session(minimum=2)
    paid_booking(session, 1)
    _db.session.commit()
    assert decide_sessions(utcnow()) == {}  # short, but days before its decision time
    first = paid_booking(session, 1)
    _db.session.commit()
    assert decide_sessions(utcnow()) == {"confirmed": 1}
    _db.session.commit()
    assert _fresh(session).is_confirmed

    # Someone cancels afterwards: it stays confirmed, and the decision time leaves it alone.
    cancel_booking(first.lines[0])
    _db.session.commit()
    assert decide_sessions(session.starts_at - timedelta(hours=1)) == {}
    _db.session.commit()
    kept = _fresh(session)
    assert kept.status == SessionStatus.SCHEDULED and kept.is_confirmed and kept.seats_taken == 1


def test_exactly_the_minimum_at_the_decision_time_confirms(db, ctx):
    session = _session(minimum=2)
    paid_booking(session, 2)
    _db.session.commit()
    decides_at = session.starts_at - timedelta(hours=48)
    assert decide_sessions(decides_at) == {"confirmed": 1}
    _db.session.commit()
    assert _fresh(session).confirmed_at == decides_at


def test_running_twice_changes_nothing(db, ctx, outbox):
    short, enough = _session(minimum=3), _session(minimum=1)
    paid_booking(short, 1)
    paid_booking(enough, 1)
    _db.session.commit()
    at = short.starts_at - timedelta(hours=47)
    assert decide_sessions(at) == {"cancelled": 1, "confirmed": 1}
    _db.session.commit()
    mails = len(outbox.messages())
    assert decide_sessions(at) == {}
    assert decide_sessions(at + timedelta(hours=1)) == {}
    _db.session.commit()
    assert len(outbox.messages()) == mails
    assert _fresh(enough).confirmed_at == at


def test_cancelling_short_of_the_minimum_tells_the_waitlist(db, ctx, outbox):
    # Two seats for a class of at least three: full, yet it cannot run.
    session = _session(minimum=3, capacity=2)
    orders = [paid_booking(session, 1), paid_booking(session, 1)]
    entry = join_waitlist(session, 1, email="hopeful@example.com")
    _db.session.commit()
    assert decide_sessions(session.starts_at - timedelta(hours=48)) == {"cancelled": 1}
    _db.session.commit()
    for order in orders:
        assert _db.session.get(Order, order.id).status == OrderStatus.REFUNDED
    assert _db.session.get(WaitlistEntry, entry.id).status == WaitlistStatus.CANCELLED
    assert outbox.to("hopeful@example.com")[-1]["Subject"]


def test_a_session_added_after_its_decision_time_runs_whatever_the_count(db, ctx):
    session = _session(minimum=3, days=1)  # created 24 h before: past its 48 h decision time
    _db.session.commit()
    assert not session.decided_by_count
    assert decide_sessions(utcnow()) == {}
    assert _fresh(session).status == SessionStatus.SCHEDULED


def test_two_jobs_at_once_decide_each_session_once(pg_app, db, ctx):
    short, enough = _session(minimum=3), _session(minimum=1)
    paid_booking(short, 1)
    paid_booking(enough, 1)
    _db.session.commit()
    at = short.starts_at - timedelta(hours=47)
    outcomes = race(pg_app, [(f"job-{i}", lambda: dict(decide_sessions(at))) for i in range(4)])
    decided = [outcome for _name, outcome in outcomes]
    assert all(outcome.startswith("ok") for outcome in decided), decided
    totals = {"confirmed": 0, "cancelled": 0}
    for outcome in decided:
        for key in totals:
            totals[key] += outcome.count(f"'{key}': 1")
    assert totals == {"confirmed": 1, "cancelled": 1}, decided
    assert _fresh(short).status == SessionStatus.CANCELLED and _fresh(enough).is_confirmed


def test_the_command_decides(app, db, ctx, runner):
    session = _session(minimum=1, days=1)
    paid_booking(session, 1)
    _db.session.commit()
    result = runner.invoke(args=["expire-orders"])
    assert "confirmed 1 and cancelled 0 class sessions" in result.output, result.output
    assert _fresh(session).is_confirmed


@pytest.mark.parametrize(
    ("headers", "needs", "confirmed"),
    [
        (EN, "Needs 2 more to run, by", "Confirmed: this session runs"),
        (ES, "Faltan 2 personas para que se realice; se decide el", "Confirmada: se realiza"),
    ],
)
def test_the_class_page_says_how_many_more_or_confirmed(client, db, headers, needs, confirmed):
    waiting = _session(minimum=3)
    with client.application.test_request_context():
        paid_booking(waiting, 1)
    ready = factories.session(
        klass=waiting.class_, starts_at=waiting.starts_at + timedelta(days=1), seats_taken=3
    )
    _db.session.commit()
    with client.application.test_request_context():
        assert decide_sessions(utcnow()) == {"confirmed": 1}
    _db.session.commit()
    html = client.get(f"/classes/{waiting.class_.slug}", headers=headers).get_data(as_text=True)
    # Once in the compact "next dates" list at the top, once in the full list of sessions.
    assert html.count(needs) == 2 and html.count(confirmed) == 1
    assert ready.id


@pytest.mark.parametrize(
    ("locale", "confirmed", "needs"),
    [
        ("en", "Confirmed on", "Needs 2 more to run. Decision:"),
        ("es", "Confirmada el", "Faltan 2 personas para que se realice. Decisión:"),
    ],
)
def test_the_workshop_sessions_page_shows_decision_time_and_status(
    app, db, locale, confirmed, needs
):
    artisan = factories.artisan(status="approved", user_account=factories.user(locale=locale))
    klass = factories.class_(artisan_workshop=artisan, min_participants=2)
    waiting = factories.session(klass=klass, seats_taken=0)
    factories.session(klass=klass, starts_at=waiting.starts_at + timedelta(days=1), seats_taken=2)
    _db.session.commit()
    with app.test_request_context():
        assert decide_sessions(utcnow()) == {"confirmed": 1}
    _db.session.commit()
    owner = app.test_client()
    login(owner, artisan.user.email)
    html = owner.get(f"/workshop/classes/{klass.id}/sessions").get_data(as_text=True)
    assert html.count(confirmed) == 1 and html.count(needs) == 1
    assert local_datetime(waiting.decides_at, klass.timezone, locale) in html
