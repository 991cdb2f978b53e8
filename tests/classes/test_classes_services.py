"""Class rules: transitions, approval, validation, sessions across clock changes, capacity,
cancellation, and the database's last line of defence on seats."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from shop.bookings import services as bookings
from shop.classes import queries, services
from shop.classes.models import ClassStatus, SessionStatus, SkillLevel
from shop.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from shop.core.time import utcnow
from shop.inventory import services as inventory
from tests import factories

ALL_STATUSES = [s.value for s in ClassStatus]
NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


def data(**overrides) -> services.ClassData:
    values = {
        "title": "Cerámica para principiantes",
        "price_cents": 3500,
        "duration_minutes": 120,
        "min_participants": 2,
        "max_participants": 6,
        "meeting_area": "La Floresta",
        "address": factories.ADDRESS,
        "timezone": "America/Guayaquil",
    }
    values.update(overrides)
    return services.ClassData(**values)


# Transitions


@pytest.mark.parametrize("action", list(services.CLASS_STATES.transitions))
@pytest.mark.parametrize("start", ALL_STATUSES)
def test_every_transition_is_allowed_or_refused(db, action, start):
    klass = factories.class_(status=start)
    sources, target = services.CLASS_STATES[action].sources, services.CLASS_STATES[action].target
    if ClassStatus(start) in sources:
        services.change_status(klass, action)
        assert klass.status == target
    else:
        with pytest.raises(InvalidTransition):
            services.change_status(klass, action)
        assert klass.status == ClassStatus(start)


def test_the_transition_table_is_what_we_promise():
    table = {
        a: ({s.value for s in t.sources}, t.target.value)
        for a, t in services.CLASS_STATES.transitions.items()
    }
    assert table == {
        "publish": ({"draft", "hidden"}, "active"),
        "hide": ({"active"}, "hidden"),
        "archive": ({"draft", "active", "hidden"}, "archived"),
        "restore": ({"archived"}, "draft"),
    }


def test_unknown_action_is_refused(db):
    klass = factories.class_(status="draft")
    with pytest.raises(InvalidTransition):
        services.change_status(klass, "delete")


@pytest.mark.parametrize(
    "artisan_status", ["pending", "changes_requested", "rejected", "suspended"]
)
def test_only_approved_artisans_publish(db, artisan_status):
    artisan = factories.artisan(status=artisan_status)
    klass = factories.class_(artisan_workshop=artisan, status="draft")
    with pytest.raises(NotAllowed):
        services.change_status(klass, "publish")
    assert klass.status == ClassStatus.DRAFT
    assert klass.published_at is None


def test_publishing_stamps_the_first_publication_only(db):
    klass = factories.class_(status="draft")
    services.change_status(klass, "publish")
    first = klass.published_at
    assert first is not None
    services.change_status(klass, "hide")
    services.change_status(klass, "publish")
    assert klass.published_at == first


def test_archiving_is_refused_while_upcoming_sessions_have_bookings(db):
    klass = factories.class_()
    booked = factories.session(klass=klass, seats_taken=2)
    with pytest.raises(NotAllowed):
        services.change_status(klass, "archive")
    booked.status = SessionStatus.CANCELLED
    services.change_status(klass, "archive")
    assert klass.status == ClassStatus.ARCHIVED


# Creating and validating


def test_create_makes_a_draft_with_the_artisans_goals(db):
    artisan = factories.artisan(goals={("sdg", 8): "", ("gcm", 19): ""})
    klass = services.create_class(artisan, data(title="Telar  "))
    assert klass.status == ClassStatus.DRAFT
    assert klass.title == "Telar" and klass.slug == "telar"
    assert klass.skill_level == SkillLevel.ALL
    assert sorted((g.kind, g.number) for g in klass.goals) == [("gcm", 19), ("sdg", 8)]
    second = services.create_class(artisan, data(title="Telar"))
    assert second.slug == "telar-2"


def test_goals_chosen_replace_the_defaults(db):
    klass = services.create_class(factories.artisan(), data(goals=[("sdg", 5)]))
    assert [(g.kind, g.number) for g in klass.goals] == [("sdg", 5)]
    services.update_class(klass, data(goals=[]))
    assert klass.goals == []
    with pytest.raises(ValidationFailed) as error:
        services.update_class(klass, data(goals=[("sdg", 18)]))
    assert error.value.field == "goals"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "  "}, "title"),
        ({"price_cents": 0}, "price"),
        ({"price_cents": -5}, "price"),
        ({"price_cents": 10_000_001}, "price"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 24 * 60 + 1}, "duration_minutes"),
        ({"min_participants": 0}, "min_participants"),
        ({"min_participants": 5, "max_participants": 4}, "max_participants"),
        ({"max_participants": 501}, "max_participants"),
        ({"meeting_area": " "}, "meeting_area"),
        ({"address": ""}, "address"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"timezone": ""}, "timezone"),
    ],
)
def test_validation_names_the_field(db, overrides, field):
    with pytest.raises(ValidationFailed) as error:
        services.create_class(factories.artisan(), data(**overrides))
    assert error.value.field == field


@pytest.mark.parametrize("status", ["suspended", "rejected"])
def test_suspended_or_rejected_workshops_cannot_add_classes(db, status):
    with pytest.raises(NotAllowed):
        services.create_class(factories.artisan(status=status), data())


def test_pending_artisans_may_prepare_drafts(db):
    klass = services.create_class(factories.artisan(status="pending"), data())
    assert klass.status == ClassStatus.DRAFT


def test_time_zone_cannot_change_under_upcoming_sessions(db):
    klass = factories.class_()
    services.update_class(klass, data(timezone="America/Bogota"))
    assert klass.timezone == "America/Bogota"
    factories.session(klass=klass)
    with pytest.raises(ValidationFailed) as error:
        services.update_class(klass, data(timezone="Europe/Madrid"))
    assert error.value.field == "timezone"


# Sessions: local time in, UTC stored


def test_one_session_is_entered_in_the_class_zone_and_stored_in_utc(db):
    klass = factories.class_(timezone="America/Guayaquil", max_participants=6)
    added = services.add_session(klass, date(2026, 12, 5), time(10, 0), now=NOW)
    assert added.starts_at == datetime(2026, 12, 5, 15, 0, tzinfo=UTC)
    assert added.local_start().replace(tzinfo=None) == datetime(2026, 12, 5, 10, 0)
    assert added.local_start().tzinfo.key == "America/Guayaquil"
    assert added.capacity == 6  # the class maximum by default
    assert added.seats_taken == 0 and added.seats_left == 6
    assert added.status == SessionStatus.SCHEDULED
    custom = services.add_session(klass, date(2026, 12, 6), time(10, 0), capacity=3, now=NOW)
    assert custom.capacity == 3


def test_a_past_session_is_refused(db):
    klass = factories.class_()
    local_now = utcnow().astimezone(ZoneInfo(klass.timezone))
    an_hour_ago = local_now - timedelta(hours=1)
    with pytest.raises(ValidationFailed) as error:
        services.add_session(klass, an_hour_ago.date(), an_hour_ago.time())
    assert error.value.field == "date"
    with pytest.raises(ValidationFailed):
        services.add_session(klass, date(2020, 1, 1), time(10, 0))


def test_a_second_session_at_the_same_instant_is_refused(db):
    klass = factories.class_()
    services.add_session(klass, date(2026, 12, 5), time(10, 0), now=NOW)
    with pytest.raises(ValidationFailed):
        services.add_session(klass, date(2026, 12, 5), time(10, 0), now=NOW)


def test_a_time_skipped_by_the_clock_change_is_refused(db):
    klass = factories.class_(timezone="America/New_York")
    with pytest.raises(ValidationFailed) as error:
        services.add_session(klass, date(2026, 3, 8), time(2, 30), now=NOW.replace(year=2025))
    assert error.value.field == "time"


def test_a_time_that_happens_twice_means_the_first_one(db):
    klass = factories.class_(timezone="America/New_York")
    added = services.add_session(klass, date(2026, 11, 1), time(1, 30), now=NOW)
    assert added.starts_at == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT


def test_weekly_series_keeps_local_time_across_the_october_clock_change(db):
    """Europe/Madrid leaves summer time on Sunday 25 October 2026 at 03:00."""
    klass = factories.class_(timezone="Europe/Madrid", max_participants=5)
    added = services.add_weekly_sessions(
        klass, weekday=5, starting=date(2026, 10, 1), local_time=time(10, 0), weeks=8, now=NOW
    )
    assert len(added) == 8
    days = [s.local_start().date() for s in added]
    assert days[0] == date(2026, 10, 3) and all(d.weekday() == 5 for d in days)
    assert [b - a for a, b in pairwise(days)] == [timedelta(days=7)] * 7
    assert {s.local_start().strftime("%H:%M") for s in added} == {"10:00"}
    # Saturdays 3, 10, 17 and 24 October in CEST (UTC+2), then 31 October onwards in CET.
    assert [s.starts_at.hour for s in added] == [8, 8, 8, 8, 9, 9, 9, 9]
    assert added[4].starts_at - added[3].starts_at == timedelta(days=7, hours=1)
    assert {s.capacity for s in added} == {5}
    db.session.commit()
    db.session.expire_all()
    stored = services.sessions_of(klass, now=NOW)
    assert [s.starts_at for s in stored] == sorted(s.starts_at for s in added)
    assert {s.local_start().strftime("%H:%M") for s in stored} == {"10:00"}


def test_weekly_series_is_all_or_nothing(db):
    klass = factories.class_()
    services.add_session(klass, date(2026, 12, 19), time(10, 0), now=NOW)
    with pytest.raises(ValidationFailed):
        services.add_weekly_sessions(
            klass, weekday=5, starting=date(2026, 12, 1), local_time=time(10, 0), weeks=4, now=NOW
        )


@pytest.mark.parametrize(
    ("weeks", "weekday", "field"), [(0, 1, "weeks"), (53, 1, "weeks"), (4, 7, "weekday")]
)
def test_weekly_series_limits(db, weeks, weekday, field):
    klass = factories.class_()
    with pytest.raises(ValidationFailed) as error:
        services.add_weekly_sessions(
            klass,
            weekday=weekday,
            starting=date(2026, 12, 1),
            local_time=time(10, 0),
            weeks=weeks,
            now=NOW,
        )
    assert error.value.field == field


def test_archived_classes_get_no_sessions(db):
    klass = factories.class_(status="archived")
    with pytest.raises(NotAllowed):
        services.add_session(klass, date(2026, 12, 5), time(10, 0), now=NOW)


# Capacity and cancelling


def test_capacity_can_grow_or_shrink_but_never_below_seats_taken(db):
    booked = factories.session(capacity=8, seats_taken=5)
    inventory.change_capacity(booked, 5)
    assert booked.capacity == 5 and booked.seats_left == 0 and booked.is_full
    inventory.change_capacity(booked, 40)  # no upper limit from the class maximum
    assert booked.capacity == 40
    with pytest.raises(ValidationFailed) as error:
        inventory.change_capacity(booked, 4)
    assert error.value.field == "capacity"
    with pytest.raises(ValidationFailed):
        inventory.change_capacity(booked, 0)
    assert booked.capacity == 40


def test_cancelled_sessions_keep_their_capacity(db):
    cancelled = factories.session(status="cancelled")
    with pytest.raises(NotAllowed):
        inventory.change_capacity(cancelled, 3)


def test_cancel_session_calls_the_hook_once(db, monkeypatch):
    calls = []
    monkeypatch.setattr(
        bookings, "cancel_session_bookings", lambda session, **_reason: calls.append(session)
    )
    upcoming = factories.session()
    assert bookings.cancel_session(upcoming) is upcoming
    assert upcoming.status == SessionStatus.CANCELLED and upcoming.cancelled_at is not None
    assert calls == [upcoming]
    with pytest.raises(InvalidTransition):
        bookings.cancel_session(upcoming)
    assert calls == [upcoming]


def test_a_started_session_cannot_be_cancelled(db):
    started = factories.session(starts_at=utcnow() - timedelta(minutes=5))
    with pytest.raises(NotAllowed):
        bookings.cancel_session(started)
    assert started.status == SessionStatus.SCHEDULED


# Public queries


def test_public_classes_need_an_active_class_a_public_artisan_and_an_upcoming_session(db):
    shown = factories.class_(title="Shown")
    factories.session(klass=shown)
    no_dates = factories.class_(title="No dates")
    factories.session(klass=no_dates, starts_at=utcnow() - timedelta(days=1))
    factories.session(klass=no_dates, status="cancelled")
    hidden = factories.class_(title="Hidden", status="hidden")
    factories.session(klass=hidden)
    suspended = factories.class_(
        title="Suspended", artisan_workshop=factories.artisan(status="suspended")
    )
    factories.session(klass=suspended)
    no_consent = factories.class_(
        title="No consent", artisan_workshop=factories.artisan(consent=False)
    )
    factories.session(klass=no_consent)
    found = db.session.scalars(queries.public_classes(queries.ClassFilters())).unique().all()
    assert [c.title for c in found] == ["Shown"]


def test_public_classes_are_ordered_by_next_session_and_filtered(db):
    later = factories.class_(
        title="Later", artisan_workshop=factories.artisan(city="Cuenca"), goals=[("gcm", 19)]
    )
    sooner = factories.class_(title="Sooner")
    factories.session(klass=later, starts_at=utcnow() + timedelta(days=3))
    factories.session(klass=sooner, starts_at=utcnow() + timedelta(days=2))
    factories.session(klass=sooner, starts_at=utcnow() + timedelta(days=9))

    def titles(**filters):
        query = queries.public_classes(queries.ClassFilters(**filters))
        return [c.title for c in db.session.scalars(query).unique()]

    assert titles() == ["Sooner", "Later"]
    assert titles(city="cuenca") == ["Later"]
    assert titles(goal=("gcm", 19)) == ["Later"]
    assert titles(goal=("sdg", 8)) == ["Sooner"]
    assert titles(artisan=sooner.artisan.slug) == ["Sooner"]
    nexts = queries.next_sessions([later.id, sooner.id])
    assert nexts[sooner.id][1] == 2 and nexts[later.id][1] == 1
    assert nexts[sooner.id][0].starts_at < nexts[later.id][0].starts_at


# The database refuses overbooking whatever the code does


def _insert_session(db, class_id: int, capacity: int, seats_taken: int) -> None:
    db.session.execute(
        text(
            "INSERT INTO class_sessions (class_id, starts_at, capacity, seats_taken, status,"
            " created_at) VALUES (:c, :s, :cap, :taken, 'scheduled', :s)"
        ),
        {"c": class_id, "s": datetime(2030, 1, 1, 15, 0), "cap": capacity, "taken": seats_taken},
    )
    db.session.flush()


@pytest.mark.parametrize(("capacity", "seats_taken"), [(4, 5), (4, -1), (0, 0)])
def test_check_constraints_refuse_impossible_seats(db, capacity, seats_taken):
    klass = factories.class_()
    db.session.commit()
    with pytest.raises(IntegrityError):
        _insert_session(db, klass.id, capacity, seats_taken)
    db.session.rollback()


def test_conditional_reservation_update_cannot_overbook(db):
    """The orders feature's reservation statement, against the real column names."""
    upcoming = factories.session(capacity=3, seats_taken=2)
    db.session.commit()
    reserve = text(
        "UPDATE class_sessions SET seats_taken = seats_taken + :q"
        " WHERE id = :id AND seats_taken + :q <= capacity AND status = 'scheduled'"
        " AND starts_at > :now"
    )
    params = {"id": upcoming.id, "now": utcnow()}
    assert db.session.execute(reserve, {**params, "q": 2}).rowcount == 0
    assert db.session.execute(reserve, {**params, "q": 1}).rowcount == 1
    db.session.commit()
    db.session.refresh(upcoming)
    assert upcoming.seats_taken == 3 and upcoming.seats_left == 0
    with pytest.raises(IntegrityError):
        db.session.execute(
            text("UPDATE class_sessions SET seats_taken = seats_taken + 1 WHERE id = :id"),
            {"id": upcoming.id},
        )
    db.session.rollback()
