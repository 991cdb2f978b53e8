"""Journey, at phone and desktop widths in Spanish and English: search from the home page,
open a product (switch photos, the larger view), go to the artisan's shop, open a class and
book a seat. axe audits every page visited (no serious or critical violation)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from shop.catalog.models import ProductPhoto
from shop.core.time import utcnow
from shop.media.services import save_image
from tests import factories
from tests.e2e.conftest import AXE_AUDIT, AXE_SOURCE
from tests.support.images import jpeg_bytes

WORDS = {
    "es": {
        "search": "Buscar",
        "ships": "Sale en 3-5 días",
        "story": "Lee la historia del artesano",
        "book_bar": "Reservar",
        "book_seats": "Reservar cupos",
        "attendees": "Quién asiste (un nombre por línea)",
        "add": "Añadir al carrito",
        "cart": "Carrito",
        "filters": "Filtros",
        "close": "Cerrar",
    },
    "en": {
        "search": "Search",
        "ships": "Ships in 3-5 days",
        "story": "Read the artisan's story",
        "book_bar": "Book",
        "book_seats": "Book seats",
        "attendees": "Who attends (one name per line)",
        "add": "Add to cart",
        "cart": "Cart",
        "filters": "Filters",
        "close": "Close",
    },
}
SIZES = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture
def tab(browser, live_server, request):
    """A tab at the test's width and language, with axe auditing every page it loads."""
    size, lang = request.param
    context = browser.new_context(
        viewport=SIZES[size],
        locale="es-EC" if lang == "es" else "en-US",
        base_url=live_server.url,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    audited: dict[str, list[str]] = {}
    context.expose_binding(
        "reportAxe", lambda _source, path, found: audited.setdefault(path, []).extend(found)
    )
    context.add_init_script(AXE_SOURCE)
    context.add_init_script(AXE_AUDIT)
    page.js_errors, page.axe_results, page.size, page.lang = errors, audited, size, lang
    yield page
    context.close()


def shop_with_work(db):
    artisan = factories.artisan(status="approved", shop_name="Barro Vivo")
    product = factories.product(artisan_workshop=artisan, title="Jarra de barro", stock=4)
    product.dispatch_days_min, product.dispatch_days_max = 3, 5
    for position, size in enumerate(((640, 480), (480, 640))):
        image = save_image(jpeg_bytes(size=size, gps=False), None)
        product.photos.append(ProductPhoto(image=image, position=position))
    klass = factories.class_(artisan_workshop=artisan, title="Torno para principiantes")
    factories.session(klass=klass, starts_at=(utcnow() + timedelta(days=6)).replace(microsecond=0))
    db.session.commit()
    return product, klass


@pytest.mark.parametrize(
    "tab",
    [("phone", "es"), ("phone", "en"), ("desktop", "es"), ("desktop", "en")],
    indirect=True,
    ids=["360-es", "360-en", "1280-es", "1280-en"],
)
def test_search_product_shop_class_book(tab, db):
    product, klass = shop_with_work(db)
    page, words = tab, WORDS[tab.lang]

    page.goto("/")
    home_search = page.locator("form.home-search")
    home_search.get_by_role("searchbox").fill("jarra")
    home_search.get_by_role("button", name=words["search"]).click()
    expect(page).to_have_url(re.compile(r"/products\?q=jarra"))
    panel = page.locator("details.filters__panel")
    if page.size == "phone":  # the products come first; the filters wait behind a button
        expect(panel).not_to_have_attribute("open", "")
        expect(page.get_by_text(words["filters"], exact=True)).to_be_visible()
    else:
        expect(panel).to_have_attribute("open", "")
    page.get_by_role("link", name="Jarra de barro").click()

    expect(page.get_by_role("heading", name="Jarra de barro", level=1)).to_be_visible()
    expect(page.get_by_text(words["ships"])).to_be_visible()
    main = page.locator(".gallery__main")
    first, second = (p.image.key for p in product.photos)
    expect(main).to_have_attribute("src", re.compile(first))
    page.locator(".gallery__thumb-link").nth(1).click()
    expect(main).to_have_attribute("src", re.compile(second))
    expect(page).to_have_url(re.compile(r"\?photo=2$"))
    page.locator("[data-viewer-open]").click()
    dialog = page.locator("dialog.photo-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("img")).to_have_attribute("src", re.compile(second))
    assert dialog.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
    dialog.get_by_role("button", name=words["close"]).click()
    expect(dialog).to_be_hidden()

    page.get_by_role("link", name=words["story"]).click()
    expect(page.get_by_role("heading", name="Barro Vivo", level=1)).to_be_visible()
    expect(page.locator("#products")).to_contain_text("Jarra de barro")
    page.locator("#classes").get_by_role("link", name=klass.title).click()

    expect(page.get_by_role("heading", name=klass.title, level=1)).to_be_visible()
    expect(page.locator(".next-dates__item")).to_have_count(1)
    expect(page.locator("body")).not_to_contain_text(klass.address)
    row = page.locator(".session-row").first
    if page.size == "phone":
        bar = page.locator(".book-bar")
        expect(bar).to_be_in_viewport()  # sticky: on screen while reading the top
        bar.get_by_role("link", name=words["book_bar"]).click()
        expect(page).to_have_url(re.compile(r"#session-\d+$"))
    else:
        expect(page.locator(".book-bar")).to_be_hidden()
    row.get_by_text(words["book_seats"]).click()
    row.get_by_label(words["attendees"]).fill("Ana")
    row.get_by_role("button", name=words["add"]).click()

    expect(page).to_have_url(re.compile(r"/cart$"))
    badge = page.locator(".cart-badge:visible")
    expect(badge).to_have_count(1)
    expect(badge).to_contain_text("1")

    assert len(page.axe_results) >= 5, page.axe_results.keys()
    violations = {path: found for path, found in page.axe_results.items() if found}
    assert not violations, f"axe: serious or critical violations: {violations}"
    assert page.js_errors == []
