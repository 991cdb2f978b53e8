"""Journey: apply in steps with photos, an admin approves, the profile shows story and badges."""

from __future__ import annotations

from playwright.sync_api import expect

from tests import factories
from tests.e2e.conftest import axe_check
from tests.support.browser import log_in, log_out
from tests.support.images import jpeg_bytes


def test_apply_approve_publish(page, live_server, db, tmp_path):
    applicant = factories.user(name="Marisol Rojas", email="marisol@example.com")
    admin = factories.user(name="Ana Admin", email="ana@example.com", is_admin=True)
    db.session.commit()
    (tmp_path / "me.jpg").write_bytes(jpeg_bytes((800, 800)))
    (tmp_path / "cover.jpg").write_bytes(jpeg_bytes((1600, 700)))

    log_in(page, applicant.email)
    axe_check(page)
    page.goto("/workshop/apply")
    axe_check(page)
    page.get_by_label("Tu nombre de pila").fill("Marisol")
    page.get_by_label("Ciudad donde trabajas").fill("Quito")
    page.get_by_label("País donde trabajas").select_option("EC")
    page.get_by_label("Acepto que Taller publique").check()
    axe_check(page)
    page.get_by_role("button", name="Guardar y continuar").click()
    page.get_by_label("Nombre del taller", exact=True).fill("Barro Vivo")
    page.get_by_label("Oficio", exact=True).fill("Cerámica")
    page.get_by_label("Tu historia", exact=True).fill(
        "Llegué a Quito con mis manos.\n\n**El barro** me salvó."
    )
    axe_check(page)
    page.get_by_role("button", name="Guardar y continuar").click()
    page.get_by_label("Foto de perfil").set_input_files(str(tmp_path / "me.jpg"))
    page.get_by_label("Foto de portada").set_input_files(str(tmp_path / "cover.jpg"))
    axe_check(page)
    page.get_by_role("button", name="Guardar y continuar").click()
    page.get_by_label("ODS 8 Trabajo decente").check()
    page.get_by_label("PMM 19 Contribución de migrantes").check()
    axe_check(page)
    page.get_by_role("button", name="Guardar y continuar").click()
    page.get_by_label("ODS 8 · Trabajo decente").fill("Mi taller es mi empleo.")
    page.get_by_label("PMM 19 · Contribución de migrantes").fill("Comparto mi oficio.")
    axe_check(page)
    page.get_by_role("button", name="Guardar y continuar").click()
    expect(page.get_by_role("button", name="Enviar solicitud")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Enviar solicitud").click()
    expect(page.get_by_text("en revisión", exact=False).first).to_be_visible()
    axe_check(page)
    assert page.goto(f"{live_server.url}/artisans/barro-vivo").status == 404
    axe_check(page)  # the not-found page
    page.js_errors.clear()  # the 404 above is logged by the browser on purpose

    log_out(page)
    log_in(page, admin.email)
    axe_check(page)
    page.goto("/admin/artisans")
    axe_check(page)
    page.get_by_role("link", name="Barro Vivo").click()
    expect(page.get_by_text("Llegué a Quito con mis manos.")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Aprobar").click()
    expect(page.get_by_role("status").first).to_contain_text("Barro Vivo")
    axe_check(page)

    log_out(page)
    page.goto("/artisans/barro-vivo")
    expect(page.get_by_role("heading", name="Barro Vivo")).to_be_visible()
    expect(page.locator(".story strong")).to_have_text("El barro")
    expect(page.locator("a.goal-sdg-8")).to_be_visible()
    expect(page.get_by_text("Mi taller es mi empleo.")).to_be_visible()
    expect(page.locator("a.goal-gcm")).to_be_visible()
    avatar = page.locator("img.artisan-avatar")
    expect(avatar).to_be_visible()
    assert avatar.evaluate("img => img.naturalWidth") > 0
    axe_check(page)
    page.screenshot(path="/tmp/profile-phone.png", full_page=True)
    assert page.js_errors == []
