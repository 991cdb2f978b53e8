"""Journey: an admin refunds one line of a two-line order; the customer's order page and the
artisan's incoming orders show that line refunded, and its unit is back in stock."""

from __future__ import annotations

from playwright.sync_api import expect

from shop.catalog.models import Product
from shop.orders import checkout as ordering
from tests import factories
from tests.e2e.conftest import axe_check
from tests.factories import checkout_request as checkout
from tests.factories import pay
from tests.support.browser import log_in


def test_admin_refunds_one_line_customer_and_artisan_see_it(page, live_server, db, app, browser):
    potter = factories.artisan(shop_name="Barro Vivo")
    bowl = factories.product(artisan_workshop=potter, title="Cuenco", price_cents=1000, stock=5)
    vase = factories.product(artisan_workshop=potter, title="Jarrón", price_cents=3000, stock=5)
    admin = factories.user(name="Ana Admin", email="ana@example.com", is_admin=True)
    with app.test_request_context():
        order = ordering.place_order(checkout([(bowl, 2), (vase, 1)]))
        pay(order)
    db.session.commit()
    order_id, order_token = order.id, order.access_token

    log_in(page, admin.email)
    axe_check(page)
    page.goto(f"/admin/orders/{order_id}")
    axe_check(page)
    page.get_by_label("Artículo").select_option(label="2 \N{MULTIPLICATION SIGN} Cuenco")
    page.get_by_label("Monto a reembolsar").fill("5.00")
    page.get_by_label("Unidades que vuelven al stock").fill("1")
    page.get_by_role("button", name="Reembolsar…").click()
    # Nothing is sent yet: a confirmation says what will happen, and its button sends it.
    expect(page.locator(".confirm-effects")).to_contain_text("recibe $5,00")
    expect(page.locator(".confirm-effects")).to_contain_text("1 unidad vuelve al stock")
    axe_check(page)  # the confirmation step
    page.get_by_role("button", name="Sí, reembolsar $5,00").click()
    expect(page.get_by_role("status").first).to_contain_text("Reembolso enviado")
    lines = page.locator("section li")
    expect(lines.filter(has_text="Cuenco")).to_contain_text("reembolsado $5,00")
    expect(lines.filter(has_text="Jarrón")).not_to_contain_text("reembolsado")
    axe_check(page)

    page.context.clear_cookies()  # the guest customer, with the order's private link
    page.goto(f"/orders/{order_token}")
    expect(page.locator("li", has_text="Cuenco").first).to_contain_text("reembolsado $5,00")
    expect(page.locator("li", has_text="Jarrón").first).not_to_contain_text("reembolsado")
    axe_check(page)

    log_in(page, potter.user.email)
    axe_check(page)
    page.goto("/workshop/orders")
    row = page.get_by_role("row").filter(has_text="Cuenco")
    expect(row).to_contain_text("reembolsado $5,00")
    axe_check(page)
    page.get_by_role("link", name="T-").first.click()
    expect(page.locator("li", has_text="Cuenco")).to_contain_text("1 unidad volvió al stock")
    expect(page.locator("li", has_text="Jarrón")).not_to_contain_text("reembolsado")
    axe_check(page)

    db.session.expire_all()
    assert db.session.get(Product, bowl.id).stock == 4  # 5 - 2 sold + 1 back
    assert db.session.get(Product, vase.id).stock == 4
    assert page.js_errors == []
