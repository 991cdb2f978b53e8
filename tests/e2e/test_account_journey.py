"""Journey: a visitor registers, logs out and logs back in, in a real browser."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import axe_check


def open_menu(page):
    """Open the phone menu and wait until its slide-down has finished (clicks during the
    animation can land on nothing)."""
    page.get_by_role("button", name="Abrir menú").click()
    expect(page.locator("#nav-menu")).to_have_class(re.compile(r"\bshow\b"))
    expect(page.locator("#nav-menu")).not_to_have_class(re.compile(r"\bcollapsing\b"))


def test_register_confirm_log_in_log_out_log_in(page, live_server, outbox):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    axe_check(page)
    open_menu(page)
    page.get_by_role("link", name="Crear cuenta").click()

    page.get_by_label("Tu nombre").fill("Rosa Alfarera")
    page.get_by_label("Correo electrónico").fill("rosa@example.com")
    axe_check(page)
    page.get_by_label("Contraseña", exact=True).fill("corta")
    page.get_by_label("Repite la contraseña").fill("corta")
    page.get_by_role("button", name="Crear cuenta").click()
    expect(page.get_by_text("Usa entre 12 y 256 caracteres.")).to_be_visible()
    expect(page.get_by_label("Correo electrónico")).to_have_value("rosa@example.com")
    axe_check(page)  # the form errors

    page.get_by_label("Contraseña", exact=True).fill("barro y fuego 2026")
    page.get_by_label("Repite la contraseña").fill("barro y fuego 2026")
    page.get_by_role("button", name="Crear cuenta").click()
    expect(page.get_by_role("heading", name="Revisa tu correo para terminar")).to_be_visible()
    axe_check(page)

    # The address is confirmed from the e-mailed link, then she logs in.
    body = outbox.body(outbox.to("rosa@example.com")[0])
    link = re.search(r"http://\S+/auth/verify/\S+", body).group(0)
    page.goto(link.replace("http://127.0.0.1:5000", live_server.url))
    axe_check(page)
    page.get_by_role("button", name="Confirmar mi dirección").click()
    expect(page.get_by_text("Gracias: tu dirección de correo está confirmada.")).to_be_visible()
    axe_check(page)
    page.get_by_label("Correo electrónico").fill("rosa@example.com")
    page.get_by_label("Contraseña").fill("barro y fuego 2026")
    page.get_by_role("button", name="Iniciar sesión").click()
    expect(page.get_by_text("Hola de nuevo, Rosa Alfarera.")).to_be_visible()
    axe_check(page)

    # On a phone the navigation is collapsed behind the menu button; the account's links
    # behind the account menu (a disclosure named after the person).
    open_menu(page)
    page.locator("summary", has_text="Rosa Alfarera").click()
    page.get_by_role("button", name="Cerrar sesión").click()
    expect(page.get_by_text("Has cerrado la sesión.")).to_be_visible()
    axe_check(page)

    open_menu(page)
    page.get_by_role("link", name="Iniciar sesión").click()
    page.get_by_label("Correo electrónico").fill("rosa@example.com")
    axe_check(page)
    page.get_by_label("Contraseña").fill("barro y fuego 2026")
    page.get_by_role("button", name="Iniciar sesión").click()
    expect(page.get_by_text("Hola de nuevo, Rosa Alfarera.")).to_be_visible()
    axe_check(page)
    assert page.js_errors == []


def test_language_switch_in_the_browser(page, live_server):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/auth/login")
    axe_check(page)
    page.get_by_role("button", name="EN").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{live_server.url}/auth/login")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    axe_check(page)
