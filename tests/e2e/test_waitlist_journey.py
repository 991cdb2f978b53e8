"""Journey: a guest joins the waitlist of a full ceramics session on her phone and confirms
her place from the e-mail; a booked
customer cancels; the seat is held for the guest, who follows the e-mailed link, books and
pays it, and gets the confirmation with the calendar file."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests import factories
from tests.e2e.conftest import audited_tab, axe_check
from tests.factories import book, pay


def test_full_session_waitlist_offer_booked_from_the_email(
    page, live_server, db, app, browser, outbox
):
    potter = factories.artisan(shop_name="Barro Vivo")
    klass = factories.class_(
        artisan_workshop=potter, title="Torno para principiantes", price_cents=4000
    )
    session = factories.session(klass=klass, capacity=2)
    with app.test_request_context():
        booked = book(session, 2, ("Lucía", "Marta"))
        pay(booked)
    db.session.commit()

    # The guest finds the session full and joins its waitlist.
    page.goto(f"/classes/{klass.slug}")
    row = page.locator(".session-row").first
    expect(row).to_contain_text("Completa")
    expect(row.get_by_text("Reservar cupos")).to_have_count(0)
    axe_check(page)
    row.get_by_text("Apuntarme a la lista de espera").first.click()
    row.get_by_label("Cupos").fill("1")
    row.get_by_label("Quién asiste").fill("Gina")
    row.get_by_label("Tu nombre").fill("Gina Invitada")
    row.get_by_label("Correo electrónico").fill("gina@example.com")
    page.screenshot(path="/tmp/waitlist-form-phone.png", full_page=True)
    row.get_by_role("button", name="Apuntarme a la lista de espera").click()
    expect(page.get_by_text("Casi listo: enviamos un enlace a gina@example.com.")).to_be_visible()
    axe_check(page)

    # The place counts once she confirms the address from the e-mailed link.
    joined = outbox.to("gina@example.com")[0]
    link = re.search(r"http://\S+/waitlist/\S+", outbox.body(joined)).group(0)
    page.goto(link.replace("http://127.0.0.1:5000", live_server.url))
    axe_check(page)
    page.get_by_role("button", name="Confirmar mi lugar").click()
    expect(page.get_by_text("Tu lugar en la lista de espera está confirmado.")).to_be_visible()
    expect(page.get_by_text("Eres el número 1 de la lista.")).to_be_visible()
    axe_check(page)
    page.screenshot(path="/tmp/waitlist-place-phone.png", full_page=True)

    # The booked customer cancels her seats from her order link, in another browser.
    other = browser.new_context(base_url=live_server.url, locale="es-EC")
    booker = audited_tab(other)
    booker.goto(f"/orders/{booked.access_token}")
    axe_check(booker)
    # The booking page links to a confirmation step that says what will happen.
    booker.get_by_role("link", name=re.compile("Cancelar \\(reembolso")).click()
    confirm = booker.get_by_role("button", name="Sí, cancelar mi reserva")
    expect(confirm).to_be_visible()
    axe_check(booker)  # the confirmation step
    confirm.click()
    expect(booker.get_by_role("status").first).to_contain_text("Reserva cancelada")
    axe_check(booker)
    other.close()

    # The offer arrives by e-mail; the link leads to the held seat.
    offer = next(m for m in outbox.to("gina@example.com") if "liberaron" in m["Subject"])
    link = re.search(r"http://\S+/waitlist/\S+", outbox.body(offer)).group(0)
    page.context.clear_cookies()  # she comes back later, from her e-mail
    page.goto(link.replace("http://127.0.0.1:5000", live_server.url))
    expect(page.get_by_text("Se liberó un cupo y lo apartamos para ti.")).to_be_visible()
    expect(page.get_by_text("$40,00")).to_be_visible()
    axe_check(page)
    page.screenshot(path="/tmp/waitlist-offer-phone.png", full_page=True)
    page.get_by_role("button", name="Reservar y pagar").click()
    expect(page.get_by_text("Pagos de demostración: no se mueve dinero.").first).to_be_visible()
    expect(page.get_by_role("button", name="Pagar (demostración)")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Pagar (demostración)").click()
    expect(page.get_by_role("status").first).to_contain_text("Pago recibido")
    axe_check(page)
    expect(page.get_by_text(factories.ADDRESS)).to_be_visible()  # revealed once booked

    confirmation = next(m for m in outbox.to("gina@example.com") if "confirm" in m["Subject"])
    calendars = [
        p for p in confirmation.iter_attachments() if p.get_content_type() == "text/calendar"
    ]
    assert len(calendars) == 1 and "BEGIN:VEVENT" in calendars[0].get_content()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(link.replace("http://127.0.0.1:5000", live_server.url))
    expect(page.get_by_text("Reservaste estos cupos.")).to_be_visible()
    axe_check(page)
    page.screenshot(path="/tmp/waitlist-booked-desktop.png", full_page=True)
    assert page.js_errors == []
