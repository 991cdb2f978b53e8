"""Waitlist pages as customers and artisans use them: join, see the place, book, let go."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.bookings import services as bookings
from shop.classes.models import WaitlistEntry, WaitlistStatus
from shop.core.time import utcnow
from shop.extensions import db as _db
from shop.orders.models import Order, OrderStatus
from tests import factories
from tests.conftest import login, post_form
from tests.factories import full_session

W = WaitlistStatus


@pytest.fixture
def full(app, db):
    """A full session of two seats, each booked and paid by its own order."""
    with app.test_request_context():
        session, paid = full_session(db)
    return session, paid


def join_as_guest(client, session, confirm=True, **overrides):
    """Join through the form; then, unless confirm=False, confirm the place from the e-mailed
    link as its owner does."""
    data = {
        "session_id": str(session.id),
        "quantity": "1",
        "attendees": "Gina",
        "name": "Gina Guest",
        "email": "gina@example.com",
    }
    data.update(overrides)
    response = post_form(client, f"/classes/sessions/{session.id}/waitlist", data)
    if confirm and response.status_code == 302:
        entry = the_entry(_db, data["email"].lower())
        post_form(client, f"/waitlist/{entry.token}/confirm")
    return response


def the_entry(db, email="gina@example.com") -> WaitlistEntry:
    db.session.expire_all()
    return db.session.scalar(select(WaitlistEntry).where(WaitlistEntry.email == email))


def free_a_seat(app, db, paid) -> None:
    with app.test_request_context():
        bookings.cancel_booking(db.session.get(Order, paid[0].id).lines[0])
        db.session.commit()


def test_a_full_session_offers_the_waitlist_and_a_guest_joins(client, db, full, outbox):
    session, _ = full
    page = client.get(f"/classes/{session.class_.slug}").get_data(as_text=True)
    assert "Apuntarme a la lista de espera" in page
    assert "/cart/add-seats" not in page  # nothing to book
    response = join_as_guest(client, session, confirm=False)
    entry = the_entry(db)
    assert response.status_code == 302
    # The private link goes to the address only, never to whoever typed it in the form.
    assert response.headers["Location"] == f"/classes/{session.class_.slug}"
    assert entry.token not in client.get(response.headers["Location"]).get_data(as_text=True)
    assert not entry.is_confirmed
    link = re.search(r"http://localhost(/waitlist/\S+)", outbox.body(outbox.to(entry.email)[0]))
    assert link.group(1) == f"/waitlist/{entry.token}"
    unconfirmed = client.get(link.group(1)).get_data(as_text=True)
    assert "Confirmar mi lugar" in unconfirmed and "Eres el número" not in unconfirmed
    assert post_form(client, f"/waitlist/{entry.token}/confirm").status_code == 302
    assert the_entry(db).is_confirmed
    place = client.get(f"/waitlist/{entry.token}").get_data(as_text=True)
    assert "Eres el número 1 de la lista." in place
    assert "Salir de la lista de espera" in place
    assert [m["Subject"] for m in outbox.to("gina@example.com")] == [
        f"Estás en la lista de espera: {session.class_.title}"
    ]


def test_a_join_with_mistakes_reopens_the_form_and_keeps_what_was_typed(client, db, full):
    session, _ = full
    response = join_as_guest(client, session, email="", quantity="2", attendees="Gina\nLuis")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<details class="mt-2 waitlist-details" open>' in html
    assert "Gina\nLuis</textarea>" in html and 'value="Gina Guest"' in html and 'value="2"' in html
    assert "Indica tu nombre y tu correo electrónico." in html
    assert the_entry(db) is None
    names = join_as_guest(client, session, quantity="2", attendees="Gina")
    assert names.status_code == 422 and "(2)" in names.get_data(as_text=True)


def test_joining_twice_is_refused_with_a_clear_message(client, db, full):
    session, _ = full
    join_as_guest(client, session)
    again = join_as_guest(client, session, email="GINA@example.com")
    assert again.status_code == 422
    assert "Ya estás en la lista de espera de esta sesión." in again.get_data(as_text=True)


def test_a_customer_sees_the_place_on_the_class_page_and_in_my_bookings(
    customer_client, customer, db, full
):
    session, _ = full
    response = post_form(
        customer_client,
        f"/classes/sessions/{session.id}/waitlist",
        {"session_id": str(session.id), "quantity": "1", "attendees": "Carla"},
    )
    assert response.status_code == 302
    entry = the_entry(db, customer.email)
    assert entry.user_id == customer.id and entry.name == customer.name
    page = customer_client.get(f"/classes/{session.class_.slug}").get_data(as_text=True)
    assert f"/waitlist/{entry.token}" in page
    assert "Apuntarme a la lista de espera" not in page
    bookings = customer_client.get("/bookings").get_data(as_text=True)
    assert "Listas de espera" in bookings and f"/waitlist/{entry.token}" in bookings


def test_an_unverified_account_cannot_take_over_a_guest_place(app, client, db, full, outbox):
    """Issue 11 item 3: registering the guest's address and joining while logged in used to
    redirect to the guest's private link and move the place to the new account."""
    session, _ = full
    join_as_guest(client, session)
    guest = the_entry(db)
    squatter = factories.user(email="gina@example.com", verified=False)
    db.session.commit()
    attacker = app.test_client()
    login(attacker, squatter.email)
    response = post_form(
        attacker,
        f"/classes/sessions/{session.id}/waitlist",
        {"session_id": str(session.id), "quantity": "1", "attendees": "Mallory"},
    )
    assert response.status_code == 422
    assert guest.token not in response.get_data(as_text=True)
    assert "Location" not in response.headers
    place = the_entry(db)
    assert (place.id, place.user_id, place.attendees) == (guest.id, None, ["Gina"])
    for page in ("/bookings", f"/classes/{session.class_.slug}"):
        assert guest.token not in attacker.get(page).get_data(as_text=True)
    # Gina's link still works without any account.
    assert "Eres el número 1" in app.test_client().get(f"/waitlist/{guest.token}").get_data(
        as_text=True
    )


def test_a_verified_account_keeps_its_own_guest_place(app, customer_client, customer, db, full):
    session, _ = full
    join_as_guest(app.test_client(), session, email=customer.email, confirm=False)
    response = post_form(
        customer_client,
        f"/classes/sessions/{session.id}/waitlist",
        {"session_id": str(session.id), "quantity": "1", "attendees": "Carla"},
    )
    entry = the_entry(db, customer.email)
    assert response.headers["Location"] == f"/waitlist/{entry.token}"
    assert entry.user_id == customer.id and entry.is_confirmed  # the address is proven


def test_an_account_place_needs_its_account(app, customer_client, customer, db, full):
    session, _ = full
    post_form(
        customer_client,
        f"/classes/sessions/{session.id}/waitlist",
        {"session_id": str(session.id), "quantity": "1", "attendees": "Carla"},
    )
    entry = the_entry(db, customer.email)
    stranger = app.test_client()
    response = stranger.get(f"/waitlist/{entry.token}")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    other = factories.user(name="Other")
    db.session.commit()
    login(stranger, other.email)
    assert stranger.get(f"/waitlist/{entry.token}").status_code == 404
    assert app.test_client().get("/waitlist/not-a-token").status_code == 404


def test_the_offer_is_booked_and_paid_from_its_page(app, client, db, full, outbox):
    session, paid = full
    join_as_guest(client, session)
    free_a_seat(app, db, paid)
    entry = the_entry(db)
    assert entry.status == W.OFFERED
    offer_mail = outbox.to("gina@example.com")[-1]
    assert "Se liberaron cupos para ti" in offer_mail["Subject"]
    page = client.get(f"/waitlist/{entry.token}").get_data(as_text=True)
    assert "Reservar y pagar" in page and "Reserva antes del" in page
    token = re.search(r'name="checkout_token" type="hidden" value="([^"]+)"', page).group(1)

    form = {"checkout_token": token, "name": "Gina Guest", "email": "gina@example.com"}
    response = post_form(client, f"/waitlist/{entry.token}/book", form)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/payments/demo/")
    twice = post_form(client, f"/waitlist/{entry.token}/book", form)  # double click
    order = db.session.scalar(select(Order).where(Order.email == "gina@example.com"))
    assert twice.headers["Location"] == f"/orders/{order.access_token}"
    post_form(client, response.headers["Location"], {"outcome": "pay"})
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert order.status == OrderStatus.PAID and order.lines[0].attendees == ["Gina"]
    assert the_entry(db).status == W.BOOKED
    assert "Reservaste estos cupos." in client.get(f"/waitlist/{entry.token}").get_data(
        as_text=True
    )


def test_an_ended_offer_cannot_be_booked(app, client, db, full):
    session, paid = full
    join_as_guest(client, session)
    free_a_seat(app, db, paid)
    entry = the_entry(db)
    entry.offer_expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    page = client.get(f"/waitlist/{entry.token}").get_data(as_text=True)
    assert "Se acabó el tiempo para reservar" in page  # before expire-orders has run
    assert "Reservar y pagar" not in page
    response = post_form(  # a tab left open since before the deadline
        client,
        f"/waitlist/{entry.token}/book",
        {"checkout_token": "an-old-tab", "name": "Gina", "email": "gina@example.com"},
    )
    assert response.status_code == 422
    assert "la oferta terminó" in response.get_data(as_text=True)
    assert db.session.scalar(select(Order).where(Order.email == "gina@example.com")) is None


def test_letting_the_offer_go_passes_it_to_the_next(app, client, db, full):
    session, paid = full
    join_as_guest(client, session)
    join_as_guest(app.test_client(), session, email="next@example.com", name="Next")
    free_a_seat(app, db, paid)
    entry = the_entry(db)
    response = post_form(client, f"/waitlist/{entry.token}/leave")
    assert response.status_code == 302
    assert the_entry(db).status == W.DECLINED
    assert the_entry(db, "next@example.com").status == W.OFFERED
    page = client.get(f"/waitlist/{entry.token}").get_data(as_text=True)
    assert "Dejaste los cupos para la siguiente persona." in page
    assert client.post(f"/waitlist/{entry.token}/leave").status_code == 400  # no CSRF token
    assert the_entry(db).status == W.DECLINED


def test_the_artisan_sees_the_queue(app, client, db, full):
    session, paid = full
    join_as_guest(client, session)
    free_a_seat(app, db, paid)
    artisan_client = app.test_client()
    login(artisan_client, session.class_.artisan.user.email)
    klass = session.class_
    sessions_page = artisan_client.get(f"/workshop/classes/{klass.id}/sessions")
    html = sessions_page.get_data(as_text=True)
    assert "1 apartado para la lista de espera" in html
    assert "1 en la lista de espera" in html
    roster = artisan_client.get(f"/workshop/classes/{klass.id}/sessions/{session.id}")
    assert "Gina Guest" in roster.get_data(as_text=True)


def test_joining_a_hidden_class_is_not_found(client, db, full):
    session, _ = full
    session.class_.status = session.class_.status.HIDDEN
    db.session.commit()
    assert join_as_guest(client, session).status_code == 404
