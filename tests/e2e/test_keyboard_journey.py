"""Keyboard only: a customer finds a product, adds it to the cart and pays (demo payments)
without a mouse, and every control that takes the focus shows it (:focus-visible).

Each step presses Tab until the control is focused, then Enter or types; a control the keyboard
cannot reach, or one whose focus is invisible, fails the journey. axe audits every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE

FOCUSED_NAME = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "";
  const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
  return (el.getAttribute("aria-label") || label || el.innerText || el.value || "").trim();
}"""
FOCUS_SHOWN = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  const ring = style.boxShadow && style.boxShadow !== "none";
  return outline || ring;
}"""
MAX_TABS = 80


def follow(page) -> None:
    """Enter on the focused link or button, and wait for the page it leads to."""
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")


def tab_to(page, name: str, seen: list[str]) -> None:
    """Press Tab until the focused control's name matches; each stop must show its focus."""
    wanted = re.compile(name)
    page.wait_for_load_state()
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_NAME)
        if not focused:
            continue
        assert page.evaluate(FOCUS_SHOWN), f"focus not visible on {focused!r} ({page.url})"
        seen.append(focused)
        if wanted.search(focused):
            return
    raise AssertionError(f"{name!r} not reachable with Tab on {page.url}; stops: {seen[-15:]}")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_customer_buys_with_the_keyboard_alone(page, live_server, db, viewport):
    page.set_viewport_size(viewport)
    potter = factories.artisan(shop_name="Barro Vivo")
    factories.product(artisan_workshop=potter, title="Jarrón azul", price_cents=4200, stock=3)
    factories.product(artisan_workshop=potter, title="Cuenco verde", price_cents=1500, stock=3)
    db.session.commit()
    seen: list[str] = []

    page.goto("/")
    if viewport is PHONE:  # the menu is folded on a phone: open it with the keyboard
        tab_to(page, r"^Abrir menú$", seen)
        page.keyboard.press("Enter")
        expect(page.locator("#nav-menu")).to_be_visible()
    tab_to(page, r"^Productos$", seen)
    follow(page)
    expect(page).to_have_url(re.compile(r"/products"))

    tab_to(page, r"^Buscar$", seen)
    page.keyboard.type("jarrón")
    follow(page)
    expect(page.get_by_role("link", name="Cuenco verde")).to_have_count(0)
    tab_to(page, r"Jarrón azul", seen)
    follow(page)
    expect(page.get_by_role("heading", name="Jarrón azul")).to_be_visible()

    tab_to(page, r"^Añadir al carrito$", seen)
    follow(page)
    expect(page.get_by_role("status").first).to_contain_text("Jarrón azul")
    tab_to(page, r"^Finalizar compra$", seen)
    follow(page)

    tab_to(page, r"^Nombre$", seen)
    page.keyboard.type("Gina Teclado")
    tab_to(page, r"^Correo electrónico$", seen)
    page.keyboard.type("gina@example.com")
    tab_to(page, r"^Hacer el pedido y pagar$", seen)
    follow(page)
    expect(page.get_by_text("Pagos de demostración: no se mueve dinero.")).to_be_visible()
    expect(page.get_by_text("$42,00").first).to_be_visible()

    tab_to(page, r"^Pagar \(demostración\)$", seen)
    follow(page)
    expect(page.get_by_role("status").first).to_contain_text("Pago recibido")
    assert "/orders/" in page.url
    assert len(seen) >= 6  # every stop above was a focused, visibly outlined control
    assert page.js_errors == []
