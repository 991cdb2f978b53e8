"""Journey: a customer buys from two artisans; both complete their part; an admin records a
manual bank transfer to the potter; the potter sees it on the earnings dashboard and in the
statement CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from playwright.sync_api import expect

from shop.orders import checkout as ordering
from shop.orders.models import Delivery
from tests import factories
from tests.e2e.conftest import axe_check
from tests.factories import checkout_request as checkout
from tests.factories import pay
from tests.support.browser import log_in


def _complete(page, group_id: int) -> None:
    page.goto(f"/workshop/orders/{group_id}")
    axe_check(page)
    page.get_by_label("Nuevo estado").select_option(label="Completado")
    page.get_by_role("button", name="Guardar estado").click()
    expect(page.get_by_role("status").first).to_be_visible()
    axe_check(page)


def test_two_artisans_complete_admin_pays_the_potter_who_sees_it(page, db, app, tmp_path):
    potter = factories.artisan(shop_name="Barro Vivo")
    weaver = factories.artisan(shop_name="Tejidos Süchon")
    mug = factories.product(artisan_workshop=potter, title="Taza", price_cents=1800, stock=5)
    bag = factories.product(artisan_workshop=weaver, title="Mochila", price_cents=6000, stock=5)
    admin = factories.user(name="Ana Admin", email="ana@example.com", is_admin=True)
    with app.test_request_context():
        order = ordering.place_order(
            checkout(
                [(mug, 2), (bag, 1)],
                deliveries={potter.id: Delivery.PICKUP, weaver.id: Delivery.PICKUP},
            )
        )
        pay(order)
    db.session.commit()
    groups = {g.artisan_id: g.id for g in order.groups}

    for artisan in (potter, weaver):
        log_in(page, artisan.user.email)
        axe_check(page)
        _complete(page, groups[artisan.id])
        page.context.clear_cookies()

    log_in(page, admin.email)
    axe_check(page)
    page.goto("/admin/payouts")
    axe_check(page)
    page.get_by_role("link", name="Barro Vivo").click()
    expect(page.locator("#admin-available")).to_have_text("$32,40")
    axe_check(page)
    page.get_by_label("Monto pagado").fill("40")
    page.get_by_label("Referencia (número de transferencia, recibo)").fill("PICHINCHA-777")
    page.get_by_role("button", name="Registrar pago").click()
    expect(page.locator(".invalid-feedback").first).to_contain_text("$32,40")
    axe_check(page)  # the form error
    page.get_by_label("Monto pagado").fill("32,40")
    page.get_by_role("button", name="Registrar pago").click()
    expect(page.get_by_role("status").first).to_contain_text("Pago registrado")
    expect(page.locator("#admin-available")).to_have_text("$0,00")
    axe_check(page)
    page.context.clear_cookies()

    log_in(page, potter.user.email)
    axe_check(page)
    page.goto("/workshop")
    axe_check(page)
    page.get_by_role("link", name="Ganancias").click()
    expect(page.locator("#balance-paid")).to_have_text("$32,40")
    expect(page.locator("#balance-available")).to_have_text("$0,00")
    expect(page.get_by_text("Último pago")).to_contain_text("transferencia bancaria")
    axe_check(page)
    page.get_by_role("link", name="Estado de cuenta").first.click()
    expect(page.locator("table.statement")).to_contain_text("PICHINCHA-777")
    axe_check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Descargar CSV").click()
    path = Path(tmp_path / "statement.csv")
    download.value.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert [(row[1], row[6]) for row in rows[1:]] == [
        ("venta", "36.00"),
        ("comisión", "-3.60"),
        ("pago", "-32.40"),
    ]
    assert rows[-1][4] == "PICHINCHA-777" and rows[-1][8] == "0.00"
    # The one refused form answered 422, which Chromium logs; nothing else may fail.
    assert [e for e in page.js_errors if "422" not in e] == []
