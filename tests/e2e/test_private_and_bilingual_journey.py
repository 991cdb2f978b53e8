"""Journey: a visitor finds a listing by a word of its translation, reads it in their language
and the original; asks for a private session of a class; the artisan accepts it in the
workshop; the group books and pays the held session at the artisan's minimum. Spanish on a
360 px phone and English on a 1280 px desktop; every page is audited by axe (conftest)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from shop.catalog import search
from shop.core.time import utcnow
from shop.waitlist.models import PrivateRequest
from tests import factories
from tests.support.browser import log_in

WORDS = {
    "es": {
        "search": "taza",
        "title": "Taza de barro",
        "ask": "Pedir una sesión privada",
        "day": "Día que prefieres",
        "people": "Personas en tu grupo",
        "who": "Quién asiste",
        "send": "Enviar el pedido",
        "sent": "Pedido enviado",
        "held": "todos los cupos están guardados",
        "book": "Reservar y pagar",
        "pay": "Pagar (demostración)",
        "paid": "Pago recibido",
        "total": "$200,00",
    },
    "en": {
        "search": "mug",
        "title": "Clay mug",
        "ask": "Ask for a private session",
        "day": "Day you would like",
        "people": "People in your group",
        "who": "Who attends",
        "send": "Send the request",
        "sent": "Request sent",
        "held": "every seat is held for your group",
        "book": "Book and pay",
        "pay": "Pay (demo)",
        "paid": "Payment received",
        "total": "$200.00",
    },
}


@pytest.mark.parametrize(
    ("language", "width"), [("es", 360), ("en", 1280)], ids=["es-360", "en-1280"]
)
def test_private_session_and_bilingual_listing(page, live_server, browser, db, language, width):
    words = WORDS[language]
    page.set_viewport_size({"width": width, "height": 860})
    potter = factories.artisan(status="approved", shop_name="Barro Vivo")
    mug = factories.product(
        artisan_workshop=potter, title="Taza de barro", description="Hecha a mano."
    )
    mug.title_translated, mug.description_translated = "Clay mug", "Made by hand."
    search.index_product(mug)
    klass = factories.class_(
        artisan_workshop=potter, title="Torno para grupos", price_cents=3000, max_participants=6
    )
    klass.title_translated = "Wheel throwing for groups"
    klass.private_min_cents = 20000
    factories.session(klass=klass)
    customer = factories.user(name="Gina Cliente", locale=language)
    db.session.commit()

    log_in(page, customer.email)
    page.goto(f"/products?q={words['search']}")
    page.get_by_role("link", name=words["title"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["title"])
    if language == "en":
        page.get_by_role("link", name="Show original").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Taza de barro")
        page.get_by_role("link", name="Show translation").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Clay mug")

    page.goto(f"/classes/{klass.slug}")
    page.get_by_text(words["ask"]).click()
    day = (utcnow() + timedelta(days=14)).date()
    page.get_by_label(words["day"]).fill(day.isoformat())
    page.get_by_label(words["people"]).fill("2")
    page.get_by_label(words["who"]).last.fill("Gina\nPablo")
    page.get_by_role("button", name=words["send"]).click()
    expect(page.get_by_role("status").first).to_contain_text(words["sent"])

    artisan_context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 860}, locale="es-EC"
    )
    artisan_page = artisan_context.new_page()
    log_in(artisan_page, potter.user.email)
    artisan_page.goto("/workshop/private-requests")
    artisan_page.get_by_label("Hora de inicio").fill("15:00")
    artisan_page.get_by_role("button", name="Aceptar y reservar los cupos").click()
    expect(artisan_page.get_by_role("status").first).to_contain_text("Gina Cliente")
    artisan_context.close()

    db.session.expire_all()
    request = db.session.scalar(select(PrivateRequest))
    page.goto(f"/waitlist/{request.offer.token}")
    expect(page.get_by_text(words["held"])).to_be_visible()
    expect(page.get_by_text(words["total"])).to_be_visible()  # 2 x 30 < the 200 minimum
    page.get_by_role("button", name=words["book"]).click()
    page.get_by_role("button", name=words["pay"]).click()
    expect(page.get_by_role("status").first).to_contain_text(words["paid"])
    assert page.js_errors == []
