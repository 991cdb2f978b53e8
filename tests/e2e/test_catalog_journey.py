"""Journey: an approved artisan publishes a product with two photos; a visitor finds it."""

from __future__ import annotations

from playwright.sync_api import expect

from tests import factories
from tests.e2e.conftest import axe_check
from tests.support.browser import log_in
from tests.support.images import jpeg_bytes


def test_publish_then_find_by_search_and_goal(page, live_server, db, tmp_path):
    artisan = factories.artisan(
        status="approved", shop_name="Barro Vivo", goals={("sdg", 8): "", ("gcm", 19): ""}
    )
    db.session.commit()
    for name in ("one", "two"):
        (tmp_path / f"{name}.jpg").write_bytes(jpeg_bytes((900, 900)))

    log_in(page, artisan.user.email)
    axe_check(page)
    page.goto("/workshop/products/new")
    axe_check(page)
    page.get_by_label("Título").fill("Taza de cerámica azul")
    page.get_by_label("Categoría").select_option(label="Cerámica")
    page.get_by_label("Precio (USD)").fill("18,50")
    page.get_by_label("Descripción").fill("Taza esmaltada a mano, **apta para café**.")
    page.get_by_label("Materiales").fill("gres")
    page.get_by_label("Unidades en stock").fill("3")
    page.get_by_label("Añadir fotos").set_input_files(
        [str(tmp_path / "one.jpg"), str(tmp_path / "two.jpg")]
    )
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_role("status").first).to_contain_text("borrador")
    expect(page.locator("#photos img")).to_have_count(2)
    axe_check(page)
    page.get_by_role("button", name="Publicar").click()
    expect(page.get_by_role("status").first).to_contain_text("publicado")
    axe_check(page)

    page.context.clear_cookies()
    page.goto("/products")
    axe_check(page)
    page.get_by_role("searchbox", name="Buscar").fill("ceramica azul")
    page.get_by_role("button", name="Mostrar").click()
    expect(page.get_by_role("link", name="Taza de cerámica azul")).to_be_visible()
    axe_check(page)

    page.goto("/products")
    axe_check(page)
    page.get_by_text("Filtros", exact=True).click()  # on a phone the filters wait behind it
    page.get_by_label("Objetivo").select_option("gcm-19")
    page.get_by_role("button", name="Mostrar").click()
    expect(page).to_have_url(
        f"{live_server.url}/products?q=&category=&goal=gcm-19&min_price=&max_price=&sort=newest"
    )
    axe_check(page)
    page.get_by_role("link", name="Taza de cerámica azul").click()
    expect(page.get_by_role("heading", name="Taza de cerámica azul")).to_be_visible()
    expect(page.get_by_text("$18,50")).to_be_visible()
    expect(page.get_by_text("Quedan 3")).to_be_visible()
    expect(page.locator(".gallery__thumbs img")).to_have_count(2)
    assert page.locator(".gallery__main").evaluate("img => img.naturalWidth") > 0
    axe_check(page)
    page.screenshot(path="/tmp/product-phone.png", full_page=True)
    assert page.js_errors == []
