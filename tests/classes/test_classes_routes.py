"""Class pages: public visibility, local times with the zone named, the private address,
the artisan's pages (owner only), validation, sessions, roster, CSV, calendar, query counts."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from shop.classes.models import Class, ClassPhoto, ClassSession, ClassStatus, SessionStatus
from shop.core.time import utcnow
from tests import factories
from tests.conftest import count_queries, login, post_form
from tests.factories import ADDRESS, class_form
from tests.support.images import jpeg_bytes

EN = {"Accept-Language": "en"}
# CLDR puts a narrow no-break space before AM/PM in English times.
SATURDAY_10_GYE = datetime(2030, 12, 7, 15, 0, tzinfo=UTC)  # Saturday 10:00 in Guayaquil


@pytest.fixture
def approved(db, app):
    """An approved artisan logged in; their account reads English (it beats Accept-Language)."""
    artisan = factories.artisan(status="approved", user_account=factories.user(locale="en"))
    db.session.commit()
    client = app.test_client()
    login(client, artisan.user.email)
    return artisan, client


def _published(**kwargs) -> tuple[Class, ClassSession]:
    klass = factories.class_(**kwargs)
    return klass, factories.session(klass=klass, starts_at=SATURDAY_10_GYE, capacity=6)


# Public pages


def test_listing_shows_local_time_with_the_zone_seats_price_and_policy(client, db):
    _klass, upcoming = _published(title="Cuencos de barro", price_cents=3500)
    upcoming.seats_taken = 2
    db.session.commit()
    html = client.get("/classes").get_data(as_text=True)
    assert "Cuencos de barro" in html
    assert "sáb 7 dic 2030, 10:00 (hora de Ecuador)" in html
    assert "$35,00" in html
    english = client.get("/classes", headers=EN).get_data(as_text=True)
    assert "Sat, Dec 7, 2030, 10:00\u202fAM (Ecuador Time)" in english
    assert "4 seats left" in english
    assert "Full refund if you cancel at least 24 hours before" in english


def test_a_class_in_another_zone_is_shown_in_its_own_zone(client, db):
    klass = factories.class_(title="Encuadernación", timezone="Europe/Madrid")
    factories.session(klass=klass, starts_at=datetime(2030, 7, 6, 8, 0, tzinfo=UTC))
    db.session.commit()
    html = client.get("/classes").get_data(as_text=True)
    assert "sáb 6 jul 2030, 10:00 (hora de Europa central)" in html
    detail = client.get(f"/classes/{klass.slug}", headers=EN).get_data(as_text=True)
    assert "Sat, Jul 6, 2030, 10:00\u202fAM" in detail and "Central European Time" in detail
    assert 'title="Europe/Madrid"' in detail  # the IANA name only as a tooltip


def test_detail_lists_sessions_with_seats_full_and_cancelled(client, db):
    klass, first = _published(title="Telar de cintura", languages="Español, Kichwa")
    first.seats_taken = 6
    factories.session(klass=klass, starts_at=SATURDAY_10_GYE + timedelta(days=7), seats_taken=1)
    factories.session(
        klass=klass, starts_at=SATURDAY_10_GYE + timedelta(days=14), status="cancelled"
    )
    factories.session(klass=klass, starts_at=utcnow() - timedelta(days=2))  # past: not listed
    db.session.commit()
    response = client.get(f"/classes/{klass.slug}", headers=EN)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.count('class="list-group-item session-row') == 3
    assert "Full" in html and "7 seats left" in html and "Cancelled" in html
    assert "Español, Kichwa" in html and "120 minutes" in html
    assert "La Floresta" in html
    assert f"/artisans/{klass.artisan.slug}" in html
    assert "/goals/sdg/8" in html
    assert "Ecuador Time" in html and "America/Guayaquil</" not in html


def test_the_address_never_appears_on_public_pages(client, db):
    klass, _session = _published()
    db.session.commit()
    for path in (
        "/classes",
        f"/classes/{klass.slug}",
        f"/artisans/{klass.artisan.slug}",
        f"/classes?city={klass.artisan.city}",
        "/classes?goal=sdg-8",
    ):
        for headers in ({}, EN):
            html = client.get(path, headers=headers).get_data(as_text=True)
            assert ADDRESS not in html, path
            assert "Calle Secreta" not in html, path
    assert "La Floresta" in client.get(f"/classes/{klass.slug}").get_data(as_text=True)


@pytest.mark.parametrize("status", ["draft", "hidden", "archived"])
def test_unpublished_classes_are_404_but_the_owner_can_preview(approved, client, db, status):
    artisan, owner = approved
    klass, _session = _published(artisan_workshop=artisan, status=status)
    db.session.commit()
    assert client.get(f"/classes/{klass.slug}").status_code == 404
    assert owner.get(f"/classes/{klass.slug}").status_code == 404
    assert klass.title not in client.get("/classes").get_data(as_text=True)
    preview = owner.get(f"/workshop/classes/{klass.id}/preview")
    assert preview.status_code == 200 and ADDRESS not in preview.get_data(as_text=True)


@pytest.mark.parametrize("artisan_status", ["pending", "suspended", "rejected"])
def test_classes_of_non_public_artisans_are_404(client, db, artisan_status):
    klass, _session = _published(artisan_workshop=factories.artisan(status=artisan_status))
    db.session.commit()
    assert client.get(f"/classes/{klass.slug}").status_code == 404
    assert klass.title not in client.get("/classes").get_data(as_text=True)


def test_withdrawn_consent_hides_classes(client, db):
    klass, _session = _published()
    db.session.commit()
    assert client.get(f"/classes/{klass.slug}").status_code == 200
    klass.artisan.consent_withdrawn_at = utcnow()
    db.session.commit()
    assert client.get(f"/classes/{klass.slug}").status_code == 404


def test_listing_filters_by_city_and_goal(client, db):
    _published(title="En Quito", goals=[("sdg", 8)])
    _published(
        title="En Cuenca", artisan_workshop=factories.artisan(city="Cuenca"), goals=[("gcm", 19)]
    )
    db.session.commit()
    html = client.get("/classes?city=Cuenca").get_data(as_text=True)
    assert "En Cuenca" in html and "En Quito" not in html
    html = client.get("/classes?goal=sdg-8").get_data(as_text=True)
    assert "En Quito" in html and "En Cuenca" not in html
    html = client.get("/classes?goal=sdg-99&city=").get_data(as_text=True)  # ignored
    assert "En Quito" in html and "En Cuenca" in html


def _listing_queries(client, db) -> int:
    with count_queries(db.engine) as statements:
        assert client.get("/classes").status_code == 200
    return len(statements)


def test_listing_runs_the_same_number_of_queries_for_1_and_20_classes(client, db):
    image_owner = factories.user()
    from shop.media.models import Image

    def add(n: int) -> None:
        for i in range(n):
            klass, _session = _published(artisan_workshop=factories.artisan())
            klass.photos.append(
                ClassPhoto(
                    image=Image(
                        key=f"k{klass.id}x{i}abcdef",
                        ext="jpg",
                        width=10,
                        height=10,
                        owner_id=image_owner.id,
                    )
                )
            )
            factories.session(klass=klass, starts_at=SATURDAY_10_GYE + timedelta(days=3))
        db.session.commit()

    add(1)
    one = _listing_queries(client, db)
    add(19)
    twenty = _listing_queries(client, db)
    assert one <= 10
    assert "20 classes" in client.get("/classes", headers=EN).get_data(as_text=True)
    assert one == twenty, (one, twenty)


# Owner-only workshop pages


def _workshop_urls(klass: Class, class_session: ClassSession) -> list[tuple[str, str]]:
    base = f"/workshop/classes/{klass.id}"
    one = f"{base}/sessions/{class_session.id}"
    return [
        ("GET", f"{base}/edit"),
        ("POST", f"{base}/edit"),
        ("GET", f"{base}/preview"),
        ("POST", f"{base}/status"),
        ("POST", f"{base}/photos/1"),
        ("GET", f"{base}/sessions"),
        ("POST", f"{base}/sessions"),
        ("POST", f"{base}/sessions/weekly"),
        ("POST", f"{one}/capacity"),
        ("GET", f"{one}/cancel"),
        ("POST", f"{one}/cancel"),
        ("GET", one),
        ("GET", f"{one}/roster.csv"),
        ("GET", f"{one}/calendar.ics"),
    ]


def test_every_workshop_class_url_is_owner_only(app, db, approved):
    artisan, owner = approved
    klass, class_session = _published(artisan_workshop=artisan)
    other_artisan = factories.artisan()
    customer = factories.user()
    db.session.commit()
    other_client, customer_client = app.test_client(), app.test_client()
    login(other_client, other_artisan.user.email)
    login(customer_client, customer.email)
    anonymous = app.test_client()
    for method, url in _workshop_urls(klass, class_session):
        # Another artisan is told nothing exists; a customer is sent to apply for a workshop.
        for intruder, refused in ((other_client, 404), (customer_client, 302)):
            if method == "GET":
                assert intruder.get(url).status_code == refused, url
            else:
                response = post_form(intruder, url, {"action": "archive"})
                assert response.status_code == refused, url
        response = anonymous.open(url, method=method)
        assert response.status_code in (302, 400), url  # 400: a POST without a CSRF token
        if method == "GET":
            assert "/auth/login" in response.headers["Location"]
    for url in ("/workshop/classes", "/workshop/classes/new"):
        assert anonymous.get(url).status_code == 302
        assert customer_client.get(url).headers["Location"] == "/workshop/apply"
    # A session of another class under this class's URL is not found either.
    other_session = factories.session(klass=factories.class_(artisan_workshop=artisan))
    db.session.commit()
    assert owner.get(f"/workshop/classes/{klass.id}/sessions/{other_session.id}").status_code == 404
    # Nothing changed.
    db.session.expire_all()
    assert db.session.get(Class, klass.id).status == ClassStatus.ACTIVE
    assert db.session.get(ClassSession, class_session.id).status == SessionStatus.SCHEDULED
    for method, url in _workshop_urls(klass, class_session):
        if method == "GET":
            assert owner.get(url).status_code == 200, url


# Creating, editing, publishing


def test_create_class_then_publish(approved, db):
    _artisan, owner = approved
    response = post_form(owner, "/workshop/classes/new", class_form())
    assert response.status_code == 302
    klass = db.session.scalar(select(Class))
    assert klass.status == ClassStatus.DRAFT and klass.price_cents == 3500
    assert klass.address == ADDRESS and klass.timezone == "America/Guayaquil"
    assert [(g.kind, g.number) for g in klass.goals] == [("sdg", 8)]
    assert response.headers["Location"] == f"/workshop/classes/{klass.id}/edit"
    post_form(owner, f"/workshop/classes/{klass.id}/status", {"action": "publish"})
    db.session.expire_all()
    assert db.session.get(Class, klass.id).status == ClassStatus.ACTIVE
    assert klass.title in owner.get("/workshop/classes").get_data(as_text=True)


def test_new_form_defaults_to_the_artisans_goals(approved):
    _artisan, owner = approved
    html = owner.get("/workshop/classes/new").get_data(as_text=True)
    assert 'checked class="form-check-input" id="goals-7" name="goals"' in html
    assert html.count('name="goals" type="checkbox"') == 40
    assert html.count('checked class="form-check-input" id="goals-') == 1
    assert 'checked class="form-check-input" id="cancellation_policy-0"' in html  # flexible


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required"),
        ({"price": "abc"}, "price", "Enter an amount such as 18.50"),
        ({"price": "0"}, "price", "Enter a price between 0.01 and 100,000"),
        ({"duration_minutes": "0"}, "duration_minutes", "Number must be between"),
        (
            {"min_participants": "5", "max_participants": "3"},
            "max_participants",
            "The maximum cannot be lower than the minimum",
        ),
        ({"meeting_area": ""}, "meeting_area", "This field is required"),
        ({"address": ""}, "address", "This field is required"),
        ({"timezone": "Mars/Olympus"}, "timezone", "Not a valid choice"),
        ({"cancellation_policy": "lenient"}, "cancellation_policy", "Not a valid choice"),
    ],
)
def test_validation_errors_re_render_with_what_was_typed(approved, db, overrides, field, message):
    _artisan, owner = approved
    typed = class_form(title="Mi clase de telar", languages="Kichwa y español")
    typed.update(overrides)
    response = post_form(owner, "/workshop/classes/new", typed, headers=EN)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert f'id="{field}-errors"' in html or (
        field == "cancellation_policy" and "invalid-feedback" in html
    )
    assert 'value="Kichwa y español"' in html
    if "title" not in overrides:
        assert 'value="Mi clase de telar"' in html
    assert db.session.scalar(select(Class)) is None


def test_edit_keeps_typed_values_after_a_service_error(approved, db):
    artisan, owner = approved
    klass = factories.class_(artisan_workshop=artisan, title="Original")
    factories.session(klass=klass)
    db.session.commit()
    response = post_form(
        owner,
        f"/workshop/classes/{klass.id}/edit",
        class_form(title="Cambiado", timezone="Europe/Madrid"),
        headers=EN,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Cancel the upcoming sessions before changing the time zone." in html
    assert 'value="Cambiado"' in html
    db.session.expire_all()
    assert db.session.get(Class, klass.id).title == "Original"


def test_pending_artisan_cannot_publish(app, db):
    artisan = factories.artisan(status="pending", user_account=factories.user(locale="en"))
    klass = factories.class_(artisan_workshop=artisan, status="draft")
    db.session.commit()
    client = app.test_client()
    login(client, artisan.user.email)
    response = post_form(
        client,
        f"/workshop/classes/{klass.id}/status",
        {"action": "publish"},
        follow_redirects=True,
        headers=EN,
    )
    assert "You can publish once your workshop is approved." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Class, klass.id).status == ClassStatus.DRAFT


def test_photos_upload_reorder_remove_and_limit(approved, db):
    artisan, owner = approved
    klass = factories.class_(artisan_workshop=artisan)
    db.session.commit()
    url = f"/workshop/classes/{klass.id}/edit"
    files = [(io.BytesIO(jpeg_bytes((300 + i, 300))), f"p{i}.jpg") for i in range(3)]
    response = post_form(
        owner, url, {**class_form(), "photos": files}, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    db.session.expire_all()
    photos = db.session.get(Class, klass.id).photos
    assert [p.image.width for p in photos] == [300, 301, 302]
    last = photos[-1].id
    post_form(owner, f"/workshop/classes/{klass.id}/photos/{last}", {"action": "up"})
    db.session.expire_all()
    assert [p.image.width for p in db.session.get(Class, klass.id).photos] == [300, 302, 301]
    post_form(owner, f"/workshop/classes/{klass.id}/photos/{last}", {"action": "remove"})
    db.session.expire_all()
    photos = db.session.get(Class, klass.id).photos
    assert [p.image.width for p in photos] == [300, 301] and [p.position for p in photos] == [0, 1]
    too_many = [(io.BytesIO(jpeg_bytes((200, 200), gps=False)), f"x{i}.jpg") for i in range(7)]
    response = post_form(
        owner,
        url,
        {**class_form(), "photos": too_many},
        content_type="multipart/form-data",
        headers=EN,
    )
    assert response.status_code == 422
    assert "At most 8 photos." in response.get_data(as_text=True)
    db.session.expire_all()
    assert len(db.session.get(Class, klass.id).photos) == 2
    # A photo of another class cannot be moved from here.
    other = factories.class_(artisan_workshop=artisan)
    db.session.commit()
    assert (
        post_form(
            owner, f"/workshop/classes/{other.id}/photos/{photos[0].id}", {"action": "remove"}
        ).status_code
        == 404
    )


# Sessions


def test_add_one_session_in_local_time(approved, db):
    artisan, owner = approved
    klass = factories.class_(artisan_workshop=artisan, max_participants=5)
    db.session.commit()
    response = post_form(
        owner,
        f"/workshop/classes/{klass.id}/sessions",
        {"date": "2030-12-07", "time": "10:00", "capacity": ""},
    )
    assert response.status_code == 302
    added = db.session.scalar(select(ClassSession))
    assert added.starts_at == SATURDAY_10_GYE and added.capacity == 5
    html = owner.get(f"/workshop/classes/{klass.id}/sessions", headers=EN).get_data(as_text=True)
    assert "Sat, Dec 7, 2030, 10:00\u202fAM" in html and "0 of 5 seats taken" in html


def test_a_past_session_is_refused_with_the_form_kept(approved, db):
    artisan, owner = approved
    klass = factories.class_(artisan_workshop=artisan)
    db.session.commit()
    response = post_form(
        owner,
        f"/workshop/classes/{klass.id}/sessions",
        {"date": "2020-03-14", "time": "09:30"},
        headers=EN,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "has already passed" in html and 'value="2020-03-14"' in html
    assert db.session.scalar(select(ClassSession)) is None


def test_weekly_series_through_the_page(approved, db):
    artisan, owner = approved
    klass = factories.class_(artisan_workshop=artisan, timezone="Europe/Madrid")
    db.session.commit()
    response = post_form(
        owner,
        f"/workshop/classes/{klass.id}/sessions/weekly",
        {
            "weekday": "5",
            "starting": "2030-10-01",
            "start_time": "10:00",
            "weeks": "8",
            "seats": "4",
        },
        follow_redirects=True,
        headers=EN,
    )
    assert "8 sessions added, the first on Sat, Oct 5, 2030, 10:00\u202fAM" in response.get_data(
        as_text=True
    )
    stored = db.session.scalars(select(ClassSession).order_by(ClassSession.starts_at)).all()
    assert len(stored) == 8 and {s.capacity for s in stored} == {4}
    assert {s.local_start().strftime("%a %H:%M") for s in stored} == {"Sat 10:00"}
    assert {s.starts_at.hour for s in stored} == {8, 9}  # the clocks went back on 27 October


def test_weekly_series_errors_re_render(approved, db):
    artisan, owner = approved
    klass = factories.class_(artisan_workshop=artisan, timezone="America/New_York")
    db.session.commit()
    response = post_form(
        owner,
        f"/workshop/classes/{klass.id}/sessions/weekly",
        {"weekday": "6", "starting": "2030-03-01", "start_time": "02:30", "weeks": "4"},
        headers=EN,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "does not exist on" in html and 'id="start_time-errors"' in html
    assert 'value="2030-03-01"' in html and 'value="02:30"' in html
    assert db.session.scalar(select(ClassSession)) is None


def test_capacity_edit_refused_below_seats_taken(approved, db):
    artisan, owner = approved
    class_session = factories.session(klass=factories.class_(artisan_workshop=artisan), capacity=8)
    class_session.seats_taken = 5
    db.session.commit()
    url = f"/workshop/classes/{class_session.class_id}/sessions/{class_session.id}/capacity"
    response = post_form(owner, url, {"capacity": "4"}, follow_redirects=True, headers=EN)
    assert "5 seats are already booked" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ClassSession, class_session.id).capacity == 8
    post_form(owner, url, {"capacity": "5"})
    db.session.expire_all()
    assert db.session.get(ClassSession, class_session.id).capacity == 5


def test_cancel_needs_a_confirming_post(approved, db):
    artisan, owner = approved
    class_session = factories.session(klass=factories.class_(artisan_workshop=artisan))
    db.session.commit()
    url = f"/workshop/classes/{class_session.class_id}/sessions/{class_session.id}/cancel"
    page = owner.get(url, headers=EN).get_data(as_text=True)
    assert "Yes, cancel the session" in page
    db.session.expire_all()
    assert db.session.get(ClassSession, class_session.id).status == SessionStatus.SCHEDULED
    assert owner.post(url, data={}).status_code == 400  # no CSRF token
    assert post_form(owner, url).status_code == 302
    db.session.expire_all()
    cancelled = db.session.get(ClassSession, class_session.id)
    assert cancelled.status == SessionStatus.CANCELLED and cancelled.cancelled_at is not None


# Roster, CSV, calendar


def test_roster_csv_and_calendar(approved, db):
    artisan, owner = approved
    klass, class_session = _published(artisan_workshop=artisan, title="Tejido")
    class_session.seats_taken = 2
    db.session.commit()
    base = f"/workshop/classes/{klass.id}/sessions/{class_session.id}"
    roster = owner.get(base, headers=EN).get_data(as_text=True)
    assert "2 of 6 seats taken" in roster and ADDRESS in roster

    response = owner.get(f"{base}/roster.csv", headers=EN)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "2030-12-07-1000" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows == [["Name", "Phone", "Seats", "Order"]]

    response = owner.get(f"{base}/calendar.ics")
    assert response.mimetype == "text/calendar"
    event = Calendar.from_ical(response.data).walk("VEVENT")[0]
    assert event.decoded("dtstart") == SATURDAY_10_GYE
    assert str(event["LOCATION"]) == ADDRESS
    assert str(event["UID"]) == f"class-session-{class_session.id}@127.0.0.1"  # PUBLIC_URL


def test_csv_cells_that_look_like_formulas_are_defused():
    from shop.bookings.roster import RosterEntry, csv_row

    row = csv_row(RosterEntry("=HYPERLINK(1)", "+593 99", 2, "@ref"))
    assert row == ["'=HYPERLINK(1)", "'+593 99", "2", "'@ref"]
