"""Journey: an approved artisan creates a class, adds a weekly series and publishes it; a
visitor finds it in /classes with the time in the venue's zone, the zone named, and never
the private address."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from shop.core.dates import format_day
from shop.core.time import utcnow
from tests import factories
from tests.e2e.conftest import axe_check
from tests.support.browser import log_in

ADDRESS = "Pasaje Reservado N24-118, departamento 2"


def _next_saturday():
    today = utcnow().astimezone(ZoneInfo("America/Guayaquil")).date() + timedelta(days=1)
    return today + timedelta(days=(5 - today.weekday()) % 7)


def test_create_schedule_publish_then_find(page, live_server, db):
    artisan = factories.artisan(status="approved", shop_name="Barro Vivo")
    db.session.commit()
    first = _next_saturday()

    log_in(page, artisan.user.email)
    axe_check(page)
    page.goto("/workshop/classes/new")
    axe_check(page)
    page.get_by_label("Título").fill("Cuencos de barro para principiantes")
    page.get_by_label("Descripción").fill("Modelamos un cuenco a mano y lo **esmaltamos**.")
    page.get_by_label("Qué incluye").fill("Barro, esmaltes y horneado")
    page.get_by_label("Nivel").select_option(label="Principiantes")
    page.get_by_label("Precio por persona (USD)").fill("35,00")
    page.get_by_label("Máximo de participantes").fill("6")
    page.get_by_label("Punto de encuentro (público)").fill("La Floresta")
    page.get_by_label("Dirección (privada)").fill(ADDRESS)
    expect(page.get_by_label("Zona horaria del lugar")).to_have_value("America/Guayaquil")
    page.get_by_label("Moderada", exact=False).check()
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_role("status").first).to_contain_text("borrador")
    axe_check(page)

    page.get_by_role("link", name="Sesiones").click()
    weekly = page.locator(
        "section", has=page.get_by_role("heading", name="Agregar una serie semanal")
    )
    weekly.get_by_label("Día de la semana").select_option(label="Sábado")
    axe_check(page)
    weekly.get_by_label("A partir del").fill(first.isoformat())
    weekly.get_by_label("Hora de inicio").fill("10:00")
    weekly.get_by_label("Número de semanas").fill("4")
    weekly.get_by_role("button", name="Agregar sesiones semanales").click()
    expect(page.get_by_role("status").first).to_contain_text("Se agregaron 4 sesiones")
    expect(page.locator(".session-row")).to_have_count(4)
    axe_check(page)

    page.get_by_role("link", name="Cuencos de barro para principiantes").click()
    expect(page.get_by_role("button", name="Publicar")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Publicar").click()
    expect(page.get_by_role("status").first).to_contain_text("publicad")
    axe_check(page)

    page.context.clear_cookies()
    page.goto("/classes")
    day = format_day(first, locale="es")
    card = page.locator("article.class-card", has_text="Cuencos de barro para principiantes")
    expect(card).to_contain_text(f"{day}, 10:00 (hora de Ecuador)")
    expect(card).to_contain_text("Quedan 6 cupos")
    expect(card).to_contain_text("$35,00")
    expect(card).to_contain_text("7 días antes")
    expect(page.locator("body")).not_to_contain_text("Pasaje Reservado")
    axe_check(page)

    card.get_by_role("link", name="Cuencos de barro para principiantes").click()
    expect(page.get_by_role("heading", name="Cuencos de barro para principiantes")).to_be_visible()
    expect(page.locator(".session-row")).to_have_count(4)
    expect(page.locator(".session-row").first).to_contain_text(f"{day}, 10:00")
    expect(page.get_by_text("hora de Ecuador").first).to_be_visible()
    expect(page.locator(".story strong")).to_have_text("esmaltamos")
    expect(page.locator("body")).not_to_contain_text("Pasaje Reservado")
    axe_check(page)
    page.screenshot(path="/tmp/class-phone.png", full_page=True)
    assert page.js_errors == []
