"""Journey: a guest buys a product from one artisan and class seats from another in one order
(demo payments); the artisan ships; the guest follows the order by its private link."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests import factories
from tests.e2e.conftest import audited_tab, axe_check
from tests.support.browser import log_in


def test_guest_buys_artisan_ships_guest_follows_link(page, live_server, db, browser):
    potter = factories.artisan(shop_name="Barro Vivo")
    potter.shipping_rate_cents = 450
    vase = factories.product(
        artisan_workshop=potter, title="Jarrón azul", price_cents=4200, stock=2, shipping=True
    )
    teacher = factories.artisan(shop_name="Tejidos Süchon")
    weaving = factories.class_(
        artisan_workshop=teacher, title="Telar para principiantes", price_cents=3000
    )
    factories.session(klass=weaving, capacity=6)
    db.session.commit()

    page.goto(f"/products/{vase.slug}")
    axe_check(page)
    page.get_by_role("button", name="Añadir al carrito").click()
    expect(page.get_by_role("status").first).to_contain_text("Jarrón azul")
    axe_check(page)
    page.goto(f"/classes/{weaving.slug}")
    axe_check(page)
    page.get_by_text("Reservar cupos").first.click()
    page.get_by_label("Cupos").first.fill("2")
    page.get_by_label("Quién asiste").first.fill("Gina\nPablo")
    page.get_by_role("button", name="Añadir al carrito").first.click()
    expect(page.get_by_role("link", name="Telar para principiantes")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Finalizar compra").click()

    page.get_by_label("Nombre").fill("Gina Invitada")
    axe_check(page)
    page.get_by_label("Correo electrónico").fill("gina@example.com")
    page.get_by_label("Envío: $4,50").check()
    page.get_by_label("Dirección de envío").fill("Av. Amazonas N34, Quito")
    page.get_by_role("button", name="Hacer el pedido y pagar").click()
    expect(page.get_by_text("Pagos de demostración: no se mueve dinero.")).to_be_visible()
    expect(page.get_by_text("$106,50")).to_be_visible()  # 42 + 2 seats x 30 + 4.50 shipping
    expect(page.get_by_role("button", name="Pagar (demostración)")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Pagar (demostración)").click()
    expect(page.get_by_role("status").first).to_contain_text("Pago recibido")
    axe_check(page)
    order_link = page.url
    assert "/orders/" in order_link

    artisan_context = browser.new_context(base_url=live_server.url, locale="es-EC")
    artisan_page = audited_tab(artisan_context)
    log_in(artisan_page, potter.user.email)
    axe_check(artisan_page)
    artisan_page.goto("/workshop/orders")
    axe_check(artisan_page)
    artisan_page.get_by_role("link", name="T-").first.click()
    expect(artisan_page.get_by_text("Av. Amazonas N34, Quito")).to_be_visible()
    axe_check(artisan_page)
    artisan_page.get_by_label("Nuevo estado").select_option("shipped")
    artisan_page.get_by_label("Nota de seguimiento").fill("Servientrega 7788")
    artisan_page.get_by_role("button", name="Guardar estado").click()
    expect(artisan_page.get_by_role("status").first).to_contain_text("se avisó al cliente")
    axe_check(artisan_page)
    artisan_context.close()

    page.context.clear_cookies()  # the guest comes back later, only with the link
    page.goto(order_link)
    expect(page.get_by_text("Servientrega 7788")).to_be_visible()
    expect(page.locator(".fulfilment-shipped")).to_have_text("enviado")
    expect(page.get_by_text(factories.ADDRESS)).to_be_visible()  # revealed once booked
    axe_check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Añadir al calendario (.ics)").click()
    assert b"BEGIN:VEVENT" in Path(download.value.path()).read_bytes()
    page.screenshot(path="/tmp/order-phone.png", full_page=True)
    assert page.js_errors == []
