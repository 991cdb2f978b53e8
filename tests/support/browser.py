"""Browser journey steps shared by the e2e tests (Playwright pages)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests import factories


def log_in(page, email):
    page.goto("/auth/login")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(factories.PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    expect(page.get_by_role("status").first).to_be_visible()


def log_out(page):
    page.context.clear_cookies()
