"""The class page: next dates near the top, the phone booking bar, seats left, what to bring,
language, accessibility, the meeting area (never the address), "needs N more to run"."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shop.classes.models import Class
from shop.core.time import utcnow
from shop.extensions import db as _db
from tests import factories
from tests.conftest import login, post_form

EN = {"Accept-Language": "en"}


@pytest.fixture
def klass(db):
    item = factories.class_(
        title="Torno para principiantes", min_participants=3, languages="Spanish, English"
    )
    item.what_to_bring = "Ropa que se pueda manchar."
    item.accessibility = "Planta baja, sin escalones."
    db.session.commit()
    return item


def test_the_next_dates_come_before_the_details_with_seats_and_the_minimum(client, db, klass):
    first = factories.session(klass=klass, capacity=6, seats_taken=1)
    later = factories.session(klass=klass, starts_at=utcnow() + timedelta(days=20), capacity=4)
    cancelled = factories.session(klass=klass, status="cancelled")
    db.session.commit()
    html = client.get(f"/classes/{klass.slug}", headers=EN).get_data(as_text=True)
    top = html[html.index('id="next-dates-h"') : html.index('class="class-facts')]
    assert f'href="#session-{first.id}"' in top and f'href="#session-{later.id}"' in top
    assert f"#session-{cancelled.id}" not in top
    assert "5 seats left" in top and "4 seats left" in top
    assert "Needs 2 more to run" in top  # 1 of the 3 needed
    assert f'id="session-{first.id}"' in html  # the anchor in the full list
    assert html.index('id="next-dates-h"') < html.index('id="sessions-h"')


def test_facts_bring_language_access_and_meeting_area_never_the_address(client, db, klass):
    factories.session(klass=klass)
    db.session.commit()
    html = client.get(f"/classes/{klass.slug}", headers=EN).get_data(as_text=True)
    assert "Taught in" in html and "Spanish, English" in html
    assert "What to bring" in html and "Ropa que se pueda manchar." in html
    assert "Accessibility" in html and "Planta baja, sin escalones." in html
    assert f"La Floresta, {klass.artisan.city}" in html
    assert klass.address not in html
    assert "Runs once 3 people have booked." in html


def test_the_phone_bar_shows_the_price_and_books_the_first_open_session(client, db, klass):
    full = factories.session(klass=klass, capacity=2, seats_taken=2)
    open_ = factories.session(klass=klass, starts_at=utcnow() + timedelta(days=9))
    db.session.commit()
    html = client.get(f"/classes/{klass.slug}", headers=EN).get_data(as_text=True)
    bar = html[html.index('class="book-bar') :]
    assert "$35.00" in bar and f'href="#session-{open_.id}"' in bar
    assert f"#session-{full.id}" not in bar


def test_without_open_sessions_the_bar_points_to_the_dates(client, db, klass):
    html = client.get(f"/classes/{klass.slug}", headers=EN).get_data(as_text=True)
    bar = html[html.index('class="book-bar') :]
    assert 'href="#sessions"' in bar and "See dates" in bar


def test_what_to_bring_and_accessibility_are_edited_with_the_class(app, client, db):
    artisan = factories.artisan(status="approved")
    item = factories.class_(artisan_workshop=artisan)
    db.session.commit()
    login(client, artisan.user.email)
    form = factories.class_form(what_to_bring="Delantal", accessibility="Rampa en la entrada")
    response = post_form(client, f"/workshop/classes/{item.id}/edit", form)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    saved = _db.session.get(Class, item.id)
    _db.session.refresh(saved)
    assert (saved.what_to_bring, saved.accessibility) == ("Delantal", "Rampa en la entrada")
    too_long = factories.class_form(accessibility="x" * 1001)
    page = post_form(client, f"/workshop/classes/{item.id}/edit", too_long)
    assert page.status_code == 422 and "is-invalid" in page.get_data(as_text=True)
