"""Journey: a customer reports a listing and an admin dismisses the report with a note; an admin
finds an order by the customer's e-mail, refunds one line, hides a listing with a reason,
suspends and reinstates a workshop; at 360 px tables are cards and nothing scrolls sideways, at
1280 px the header stays on one line; axe audits every page."""

from __future__ import annotations

from playwright.sync_api import expect

from shop.artisans.models import Artisan, ArtisanStatus
from shop.catalog.models import Product
from tests import factories
from tests.factories import pay
from tests.support.browser import log_in, log_out

NARROW = {"width": 360, "height": 780}
WIDE = {"width": 1280, "height": 900}


def _fits(page) -> None:
    """Nothing wider than the screen (no sideways scrolling)."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, (page.url, overflow)


def test_admin_console_journey(page, live_server, db, app):
    potter = factories.artisan(shop_name="Barro Vivo")
    bowl = factories.product(
        artisan_workshop=potter, title="Cuenco para sopa", price_cents=250, stock=5
    )
    vase = factories.product(artisan_workshop=potter, title="Jarrón", price_cents=3000, stock=5)
    admin = factories.user(name="Ana", email="ana@example.com", is_admin=True)
    rita = factories.user(name="Rita", email="rita@example.com")
    with app.test_request_context():
        order = factories.order([(bowl, 2), (vase, 1)], name="Gina Guest", email="gina@example.com")
        pay(order)
        factories.order([(vase, 1)], name="Otto Other", email="otto@example.com")
    db.session.commit()
    ids = {"order": order.id, "bowl": bowl.id, "potter": potter.id, "admin": admin.id}

    page.set_viewport_size(NARROW)
    # A customer reports the vase from its page (the form checks the details for "other").
    log_in(page, rita.email)
    page.goto(f"/products/{vase.slug}")
    page.get_by_role("link", name="Denunciar este anuncio").click()
    _fits(page)
    page.get_by_label("Otro motivo").check()
    page.get_by_role("button", name="Enviar la denuncia").click()
    expect(page.get_by_text("Cuéntanos qué está mal.")).to_be_visible()
    page.get_by_label("Detalles").fill("Las medidas no coinciden con la foto.")
    page.get_by_role("button", name="Enviar la denuncia").click()
    expect(page.get_by_role("status").first).to_contain_text("Gracias")
    log_out(page)

    log_in(page, admin.email)
    page.goto("/admin/")
    expect(page.get_by_role("heading", name="Requiere atención")).to_be_visible()
    _fits(page)

    # The report waits in its queue; the admin reads it and dismisses it with a note.
    page.locator("#reports").get_by_role("link", name="Jarrón: 1 denuncia").click()
    expect(page.get_by_text("Las medidas no coinciden con la foto.")).to_be_visible()
    expect(page.get_by_text("rita@example.com")).to_be_visible()
    _fits(page)
    report_url = page.url
    page.get_by_role("link", name="Descartar la denuncia").click()
    _fits(page)
    page.get_by_label("Nota para el registro de auditoría").fill("Las medidas son correctas.")
    page.get_by_role("button", name="Confirmar").click()
    expect(page.get_by_role("status").first).to_contain_text("Hecho.")
    expect(page.get_by_text("Las medidas son correctas.")).to_be_visible()
    page.goto("/admin/reports")
    expect(page.get_by_text("No hay denuncias abiertas.")).to_be_visible()
    _fits(page)

    # Find the order by the customer's e-mail.
    page.get_by_label("Buscar pedidos, talleres y cuentas").fill("GINA@example.com")
    page.get_by_label("Buscar pedidos, talleres y cuentas").press("Enter")
    expect(page.get_by_role("link", name=order.reference)).to_be_visible()
    expect(page.get_by_text("otto@example.com")).to_have_count(0)
    _fits(page)  # the results table is a stack of cards
    page.get_by_role("link", name=order.reference).click()

    # Refund one line; the history says it in words.
    page.get_by_label("Artículo").select_option(label="2 \N{MULTIPLICATION SIGN} Cuenco para sopa")
    page.get_by_label("Monto a reembolsar").fill("5.00")
    page.get_by_label("Motivo").fill("cliente lo pidió")
    page.get_by_role("button", name="Reembolsar").click()
    # A confirmation page says what will happen before any money moves.
    expect(page.get_by_role("heading", name="¿Enviar este reembolso?")).to_be_visible()
    _fits(page)
    page.get_by_role("button", name="Sí, reembolsar $5,00").click()
    expect(page.get_by_role("status").first).to_contain_text("Reembolso")
    expect(
        page.get_by_text(
            "Reembolso de $5,00 en 2 \N{MULTIPLICATION SIGN} Cuenco para sopa, por Ana (admin): "
            "cliente lo pidió"
        )
    ).to_be_visible()
    _fits(page)

    # Hide a listing with a reason; it leaves the shop.
    page.goto(f"/admin/listings/product/{ids['bowl']}")
    page.get_by_label("Motivo (la persona afectada lo lee)").fill("La foto no es del producto.")
    page.get_by_role("button", name="Ocultar").click()
    expect(page.get_by_role("status").first).to_contain_text("Oculta")
    expect(
        page.get_by_text("Motivo que ve la persona artesana: La foto no es del producto.")
    ).to_be_visible()
    _fits(page)
    page.goto("/admin/listings")
    expect(page.get_by_role("link", name="Cuenco para sopa")).to_be_visible()
    _fits(page)
    db.session.expire_all()
    assert db.session.get(Product, ids["bowl"]).moderation_reason == "La foto no es del producto."

    # Suspend and reinstate the workshop, each through its confirmation page.
    page.get_by_label("Buscar pedidos, talleres y cuentas").fill("barro")
    page.get_by_role("button", name="Buscar").click()
    page.get_by_role("link", name="Barro Vivo").click()
    page.get_by_role("link", name="Suspender este taller…").click()
    expect(page.get_by_text("Qué pasará:")).to_be_visible()
    page.get_by_role("button", name="Confirmar").click()
    expect(page.get_by_text("Di por qué")).to_be_visible()  # the reason is required
    page.get_by_label("Motivo (la persona afectada lo lee)").fill("Denuncia en revisión")
    page.get_by_role("button", name="Confirmar").click()
    expect(page.get_by_role("status").first).to_contain_text("Hecho.")
    db.session.expire_all()
    assert db.session.get(Artisan, ids["potter"]).status == ArtisanStatus.SUSPENDED
    page.get_by_role("link", name="Reactivar este taller…").click()
    page.get_by_role("button", name="Confirmar").click()
    expect(page.get_by_role("link", name="Suspender este taller…")).to_be_visible()
    db.session.expire_all()
    assert db.session.get(Artisan, ids["potter"]).status == ArtisanStatus.APPROVED

    page.goto("/admin/audit")
    expect(page.get_by_text("Ocultó «Cuenco para sopa»")).to_be_visible()
    expect(page.get_by_text("Descartó una denuncia de «Jarrón»")).to_be_visible()
    _fits(page)

    # The same pages on a wide screen: the header is one line, the account menu opens from
    # the keyboard.
    page.set_viewport_size(WIDE)
    for path in (
        "/admin/",
        "/admin/search?q=gina",
        f"/admin/orders/{ids['order']}",
        f"/admin/listings/product/{ids['bowl']}",
        "/admin/listings",
        f"/admin/artisans/{ids['potter']}",
        f"/admin/artisans/{ids['potter']}/confirm/suspend",
        f"/admin/users/{ids['admin']}",
        "/admin/orders",
        "/admin/artisans",
        "/admin/audit",
        "/admin/settings",
        "/admin/reports",
        report_url,
    ):
        page.goto(path)
        header = page.locator("header nav").bounding_box()
        assert header is not None and header["height"] < 80, (path, header)
    page.goto("/admin/settings")
    for path in ("/admin/settings", "/admin/users/1", f"/admin/users/{ids['admin']}"):
        page.set_viewport_size(NARROW)
        page.goto(path)
        _fits(page)
    page.set_viewport_size(WIDE)
    page.goto("/admin/")
    summary = page.locator("summary", has_text="Ana")
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Mis pedidos")).to_be_visible()
    # The one expected error: the confirmation page re-rendered with its 422 (no reason).
    assert [e for e in page.js_errors if "422" not in e] == []
