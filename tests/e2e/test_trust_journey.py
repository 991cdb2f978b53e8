"""Journey: a customer asks the potter a question before buying, books the class and pays;
the potter answers; the session ends; the customer reviews it; the potter replies; the review
shows on the class page with its rating (the third review, so the average appears)."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from shop.classes.models import ClassSession
from shop.core.time import utcnow
from tests import factories
from tests.e2e.conftest import axe_check
from tests.support.browser import log_in


def test_ask_buy_answer_attend_review_reply(page, live_server, db, app):
    with app.test_request_context():
        potter = factories.artisan(shop_name="Barro Vivo")
        klass = factories.class_(artisan_workshop=potter, title="Torno para principiantes")
        session = factories.session(klass=klass, capacity=6)
        for index in range(2):  # two earlier reviews: the third shows the average
            earlier = factories.user(name=f"Antes{index} Apellido")
            factories.review(factories.attended_booking(earlier, klass), rating=4)
        customer = factories.user(name="Carla Cliente", email="carla@example.com")
        db.session.commit()

    # Before buying: a question from the class page.
    log_in(page, customer.email)
    axe_check(page)
    page.goto(f"/classes/{klass.slug}")
    axe_check(page)
    page.get_by_role("link", name="Contactar a la persona artesana").click()
    page.get_by_label("Tu mensaje").fill("¿Necesito experiencia previa?")
    axe_check(page)
    page.get_by_role("button", name="Enviar").click()
    expect(page.get_by_role("status").first).to_contain_text("Mensaje enviado")
    expect(page.locator(".message-text")).to_have_text("¿Necesito experiencia previa?")
    axe_check(page)

    # Buying: a seat, paid with the demo gateway.
    page.goto(f"/classes/{klass.slug}")
    axe_check(page)
    page.get_by_text("Reservar cupos").first.click()
    page.get_by_role("button", name="Añadir al carrito").first.click()
    expect(page.get_by_role("link", name="Finalizar compra")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Finalizar compra").click()
    expect(page.get_by_role("button", name="Hacer el pedido y pagar")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Hacer el pedido y pagar").click()
    expect(page.get_by_role("button", name="Pagar (demostración)")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Pagar (demostración)").click()
    expect(page.get_by_role("status").first).to_contain_text("Pago recibido")
    axe_check(page)
    page.context.clear_cookies()

    # The potter sees one unread message and answers it.
    log_in(page, potter.user.email)
    axe_check(page)
    page.goto("/workshop/messages")
    expect(page.locator(".unread-badge")).to_contain_text("1")
    axe_check(page)
    page.get_by_role("link", name="Torno para principiantes").click()
    expect(page.get_by_text("¿Necesito experiencia previa?")).to_be_visible()
    expect(page.get_by_text(customer.email)).to_have_count(0)
    axe_check(page)
    page.get_by_label("Tu mensaje").fill("Ninguna: empezamos desde cero.")
    page.get_by_role("button", name="Enviar").click()
    expect(page.locator(".message-text").last).to_have_text("Ninguna: empezamos desde cero.")
    axe_check(page)
    page.goto("/workshop/messages")
    expect(page.locator(".unread-badge")).to_have_count(0)  # the page marked it read
    axe_check(page)
    page.context.clear_cookies()

    # The session takes place.
    with app.app_context():
        booked = db.session.get(ClassSession, session.id)
        booked.starts_at = utcnow() - timedelta(hours=4)
        db.session.commit()

    # The customer reads the answer and reviews the class from her bookings.
    log_in(page, customer.email)
    axe_check(page)
    page.goto("/account/messages")
    axe_check(page)
    page.get_by_role("link", name="Torno para principiantes").click()
    expect(page.get_by_text("Ninguna: empezamos desde cero.")).to_be_visible()
    axe_check(page)
    page.goto("/bookings")
    axe_check(page)
    page.get_by_role("link", name="Escribir una opinión").click()
    page.get_by_label("5 estrellas").check()
    axe_check(page)
    page.get_by_label("Tu opinión").fill("Aprendí muchísimo. <b>Gracias</b>")
    page.get_by_role("button", name="Publicar la opinión").click()
    expect(page.get_by_role("status").first).to_contain_text("tu opinión está publicada")
    axe_check(page)
    page.context.clear_cookies()

    # The potter replies in public.
    log_in(page, potter.user.email)
    axe_check(page)
    page.goto("/workshop/reviews")
    axe_check(page)
    review = page.locator("li", has_text="Aprendí muchísimo.")
    review.get_by_label("Tu respuesta pública").fill("¡Gracias a ti, Carla!")
    review.get_by_role("button", name="Publicar la respuesta").click()
    expect(page.get_by_role("status").first).to_contain_text("Tu respuesta está publicada")
    axe_check(page)
    page.context.clear_cookies()

    # Anyone sees it on the class page: the rating, first name only, the reply.
    page.goto(f"/classes/{klass.slug}")
    section = page.locator("#reviews")
    expect(section).to_contain_text("4,3")
    expect(section).to_contain_text("3 opiniones")
    first = section.locator(".review").first
    expect(first).to_contain_text("Aprendí muchísimo. <b>Gracias</b>")  # shown as typed
    expect(first.locator(".review-author")).to_have_text("Carla")
    expect(first).to_contain_text("¡Gracias a ti, Carla!")
    expect(first.get_by_role("img", name="5 estrellas de 5")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Cliente")
    axe_check(page)
    assert page.js_errors == []
