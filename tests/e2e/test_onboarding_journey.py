"""Journey, in Spanish on a 360 px phone (and again at 1280 px): a new user applies in steps,
stops after step 2, logs back in and resumes where they left, sends; an admin approves; the
artisan's workshop home shows the checklist. axe audits every page visited (the fixture)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.conftest import DESKTOP
from tests.support.browser import log_in, log_out
from tests.support.images import jpeg_bytes

NARROW_PHONE = {"width": 360, "height": 780}


WIDER_THAN_WINDOW = """() => [...document.querySelectorAll("main *")]
  .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
  .map((el) => el.tagName + "." + el.className)"""


def _no_sideways_scroll(page):
    """Nothing in the page's content is wider than the window (no sideways scrolling)."""
    assert page.evaluate(WIDER_THAN_WINDOW) == []


@pytest.mark.parametrize("viewport", [NARROW_PHONE, DESKTOP], ids=["360px", "1280px"])
def test_apply_in_steps_resume_approve_checklist(page, live_server, db, tmp_path, viewport):
    page.set_viewport_size(viewport)
    applicant = factories.user(name="Marisol Rojas", email="marisol@example.com", locale="es")
    admin = factories.user(name="Ana Admin", email="ana@example.com", is_admin=True, locale="es")
    db.session.commit()
    (tmp_path / "me.jpg").write_bytes(jpeg_bytes((800, 800)))

    log_in(page, applicant.email)
    page.goto("/workshop")  # no workshop yet: the application, at its first step
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Paso 1 de 5: Sobre ti y tu privacidad"
    )
    expect(page.locator("[aria-current=step]")).to_contain_text("Sobre ti y tu privacidad")
    _no_sideways_scroll(page)
    page.get_by_label("Tu nombre de pila").fill("Marisol")
    page.get_by_label("Ciudad donde trabajas").fill("Quito")
    page.get_by_label("País donde trabajas").select_option("EC")
    # Continuing without consent: the step comes back with the error, what was typed kept.
    page.get_by_role("button", name="Guardar y continuar").click()
    expect(
        page.get_by_text("Solo podemos publicar tu historia con tu consentimiento.")
    ).to_be_visible()
    expect(page.get_by_label("Ciudad donde trabajas")).to_have_value("Quito")
    page.js_errors.clear()  # the browser logs the 422 of a form with errors, on purpose
    page.get_by_label("Acepto que Taller publique").check()
    page.get_by_role("button", name="Guardar y continuar").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Paso 2 de 5: Tu oficio y tu historia"
    )
    page.get_by_label("Nombre del taller", exact=True).fill("Barro Vivo")
    page.get_by_label("Oficio", exact=True).fill("Cerámica")
    page.get_by_label("Tu historia", exact=True).fill("Llegué a Quito con mis manos.")
    page.get_by_role("button", name="Guardar y continuar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Paso 3 de 5: Fotos")

    # She stops here (the bus arrives) and comes back later, logged in again.
    log_out(page)
    log_in(page, applicant.email)
    page.goto("/workshop")
    expect(page.get_by_role("heading", level=1)).to_have_text("Paso 3 de 5: Fotos")
    expect(page.locator(".apply-progress__step--done")).to_have_count(2)
    page.get_by_label("Foto de perfil").set_input_files(str(tmp_path / "me.jpg"))
    page.get_by_role("button", name="Guardar y continuar").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Paso 4 de 5: Objetivos")
    expect(page.locator("input[name=goals]")).to_have_count(40)
    _no_sideways_scroll(page)
    page.get_by_label("ODS 8 Trabajo decente").check()
    page.get_by_label("PMM 19 Contribución de migrantes").check()
    page.get_by_role("button", name="Guardar y continuar").click()
    # Statements only for the two goals chosen.
    expect(page.get_by_role("heading", level=1)).to_have_text("Paso 4 de 5: Objetivos")
    expect(page.get_by_role("textbox")).to_have_count(2)
    page.get_by_label("ODS 8 · Trabajo decente").fill("Mi taller es mi empleo.")
    page.get_by_role("button", name="Guardar y continuar").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Paso 5 de 5: Revisar y enviar")
    expect(page.get_by_text("Mi taller es mi empleo.")).to_be_visible()
    expect(page.get_by_text("1 foto", exact=True)).to_be_visible()
    page.get_by_role("button", name="Enviar solicitud").click()
    expect(page.get_by_text("en revisión", exact=False).first).to_be_visible()

    log_out(page)
    log_in(page, admin.email)
    page.goto("/admin/artisans")
    page.get_by_role("link", name="Barro Vivo").click()
    expect(page.get_by_text("Llegué a Quito con mis manos.")).to_be_visible()
    page.get_by_role("button", name="Aprobar").click()
    expect(page.get_by_role("status").first).to_contain_text("Barro Vivo")

    log_out(page)
    log_in(page, applicant.email)
    page.goto("/workshop")
    checklist = page.locator(".workshop-checklist")
    expect(page.get_by_role("heading", name="Próximos pasos")).to_be_visible()
    expect(checklist.get_by_role("listitem")).to_have_count(5)
    # Story and photo were sent with the application: the profile step is already ticked.
    expect(page.locator(".workshop-checklist__item--done")).to_have_count(1)
    expect(checklist.get_by_role("link", name="Agrega tu primer producto")).to_be_visible()
    expect(page.get_by_role("heading", name="Pendiente para hoy")).to_be_visible()
    _no_sideways_scroll(page)
    page.get_by_role("link", name="Ajustes").click()
    expect(
        page.get_by_role("heading", name="Tu historia en Taller: consentimiento")
    ).to_be_visible()
    page.get_by_role("link", name="Retirar el consentimiento…").click()
    expect(page.get_by_role("button", name="Sí, retirar el consentimiento")).to_be_visible()

    page.wait_for_function("() => window.axeAudit")  # the last page's audit has reported back
    visited = set(page.axe_results)
    for path in [
        "/workshop/apply/about",
        "/workshop/apply/craft",
        "/workshop/apply/photos",
        "/workshop/apply/goals",
        "/workshop/apply/statements",
        "/workshop/apply/review",
        "/workshop",
        "/workshop/settings",
        "/workshop/consent",
    ]:
        assert path in visited, (path, visited)
    assert page.js_errors == []
