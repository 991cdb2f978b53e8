"""The private-session pages: the request form on the class page, the artisan's list in the
workshop with accept and decline, and the group's booking page."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from shop.classes.models import ClassSession
from shop.core.time import utcnow
from shop.waitlist.models import PrivateRequest, PrivateRequestStatus
from tests import factories
from tests.conftest import login, post_form

EN = {"Accept-Language": "en"}


def _setup(db, minimum=20000):
    klass = factories.class_(price_cents=3000, max_participants=6)
    klass.private_min_cents = minimum
    factories.session(klass=klass)
    customer = factories.user(name="Carla")
    db.session.commit()
    return klass, customer


def _request_form(**overrides) -> dict:
    data = {
        "wanted_on": (utcnow() + timedelta(days=12)).date().isoformat(),
        "party_size": "2",
        "attendees": "Carla\nLuis",
        "message": "Por la tarde, por favor",
    }
    data.update(overrides)
    return data


def test_the_class_page_offers_private_sessions_only_when_the_artisan_does(client, db):
    klass, _ = _setup(db)
    page = client.get(f"/classes/{klass.slug}", headers=EN).get_data(as_text=True)
    assert "A private session for your group" in page
    assert "$200.00" in page and "Log in with a confirmed e-mail" in page
    klass.private_min_cents = None
    db.session.commit()
    page = client.get(f"/classes/{klass.slug}", headers=EN).get_data(as_text=True)
    assert "A private session for your group" not in page
    assert post_form(client, f"/classes/{klass.slug}/private", _request_form()).status_code in (
        302,
        401,
    )


def test_a_customer_asks_and_the_artisan_accepts(app, client, db, outbox):
    klass, customer = _setup(db)
    login(client, customer.email)
    page = client.get(f"/classes/{klass.slug}?lang=en").get_data(as_text=True)
    assert "Ask for a private session" in page
    response = post_form(client, f"/classes/{klass.slug}/private", _request_form())
    assert response.status_code == 302
    request = db.session.scalar(select(PrivateRequest))
    assert (request.party_size, request.user_id) == (2, customer.id)
    # The artisan hears of it by e-mail, in their language, with the way to answer.
    [notice] = outbox.to(klass.artisan.user.email)
    body = outbox.body(notice)
    assert klass.title in notice["Subject"] and "Carla" in body and "2" in body
    assert "Por la tarde, por favor" in body and "/workshop/private-requests" in body

    artisan = app.test_client()
    login(artisan, klass.artisan.user.email)
    listing = artisan.get("/workshop/private-requests?lang=en").get_data(as_text=True)
    assert "Carla, Luis" in listing and "Por la tarde" in listing
    accepted = post_form(
        artisan, f"/workshop/private-requests/{request.id}/accept", {"time": "16:30"}
    )
    assert accepted.status_code == 302
    db.session.expire_all()
    request = db.session.get(PrivateRequest, request.id)
    assert request.status == PrivateRequestStatus.OFFERED
    session = db.session.get(ClassSession, request.session_id)
    assert session.private and session.seats_held == 2
    # The class page does not list it; the customer's offer page shows the private price.
    assert f'name="session_id" value="{session.id}"' not in client.get(
        f"/classes/{klass.slug}"
    ).get_data(as_text=True)
    offer = client.get(f"/waitlist/{request.offer.token}?lang=en").get_data(as_text=True)
    assert "every seat is held for your group" in offer and "$200.00" in offer
    assert outbox.to(customer.email)


def test_a_bad_request_is_shown_again_with_its_errors(client, db):
    klass, customer = _setup(db)
    login(client, customer.email)
    response = post_form(
        client, f"/classes/{klass.slug}/private", _request_form(party_size="9", attendees="A")
    )
    assert response.status_code == 422
    assert db.session.scalar(select(PrivateRequest)) is None
    past = post_form(
        client, f"/classes/{klass.slug}/private", _request_form(wanted_on="2001-01-01")
    )
    assert past.status_code == 422
    empty = post_form(client, f"/classes/{klass.slug}/private", {"wanted_on": "not a date"})
    assert empty.status_code == 422


def test_only_the_classs_artisan_answers_and_a_bad_time_is_refused(app, client, db):
    klass, customer = _setup(db)
    login(client, customer.email)
    post_form(client, f"/classes/{klass.slug}/private", _request_form())
    request = db.session.scalar(select(PrivateRequest))
    stranger = app.test_client()
    other = factories.artisan(status="approved")
    db.session.commit()
    login(stranger, other.user.email)
    assert stranger.get("/workshop/private-requests").get_data(as_text=True).count("Carla") == 0
    url = f"/workshop/private-requests/{request.id}/accept"
    assert post_form(stranger, url, {"time": "10:00"}).status_code == 404
    owner = app.test_client()
    login(owner, klass.artisan.user.email)
    assert post_form(owner, url, {"time": "25:99"}).status_code == 422
    declined = post_form(owner, f"/workshop/private-requests/{request.id}/decline")
    assert declined.status_code == 302
    db.session.expire_all()
    assert db.session.get(PrivateRequest, request.id).status == PrivateRequestStatus.DECLINED


def test_booking_an_empty_session_whole_leads_to_its_held_offer(client, db):
    klass, customer = _setup(db)
    session = db.session.scalar(select(ClassSession).where(ClassSession.class_id == klass.id))
    page = client.get(f"/classes/{klass.slug}?lang=en").get_data(as_text=True)
    assert "Book this session for your group only" in page
    login(client, customer.email)
    response = post_form(
        client, f"/classes/sessions/{session.id}/private", {"attendees": "Carla\nLuis"}
    )
    assert response.status_code == 302 and "/waitlist/" in response.headers["Location"]
    offer = client.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "$200.00" in offer  # 2 x 30 < the 200 minimum
    again = post_form(client, f"/classes/sessions/{session.id}/private", {"attendees": "X"})
    assert again.status_code == 302 and "/classes/" in again.headers["Location"]
