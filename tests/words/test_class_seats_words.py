"""Class seats are a class in person with a date, never a pickup ("retiro"): in e-mails and
on order pages; the confirmation e-mail carries the address the class page promised."""

from __future__ import annotations

from datetime import UTC, datetime

from tests import factories
from tests.conftest import login
from tests.factories import book, pay

FRIDAY_10_GYE = datetime(2030, 12, 13, 15, 0, tzinfo=UTC)
WHEN = "vie 13 dic 2030, 10:00 (hora de Ecuador)"


def test_class_booking_says_class_in_person_with_date_and_address(app, client, db, outbox):
    klass = factories.class_(title="Telar", address="Pasaje Reservado 12, Quito")
    session = factories.session(klass=klass, starts_at=FRIDAY_10_GYE)
    with app.test_request_context():
        order = book(session, 2)
        pay(order)
    db.session.commit()

    confirmation = next(
        m for m in outbox.to("lucia@example.com") if order.reference in m["Subject"]
    )
    body = outbox.body(confirmation)
    assert f"Clase presencial: {WHEN}" in body
    assert "Dirección: Pasaje Reservado 12, Quito" in body
    assert "retiro" not in body.lower()

    artisan_mail = outbox.to(klass.artisan.user.email)
    assert artisan_mail, "the artisan is told about the booking"
    artisan_body = outbox.body(artisan_mail[-1])
    assert f"Clase presencial: {WHEN}" in artisan_body and "retiro" not in artisan_body.lower()

    page = client.get(f"/orders/{order.access_token}").get_data(as_text=True)
    assert f"Clase presencial: {WHEN}" in page and "Retiro" not in page

    login(client, klass.artisan.user.email)
    group_id = order.groups[0].id
    for path in ("/workshop/orders", f"/workshop/orders/{group_id}"):
        html = client.get(path).get_data(as_text=True)
        assert "Clase presencial" in html and "Retiro" not in html, path
