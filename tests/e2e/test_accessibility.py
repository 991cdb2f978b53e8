"""axe on the pages of all three roles, in both languages, at phone and desktop width, with
form errors too; and proof that the audit every journey runs does catch a violation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shop.core.time import utcnow
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE
from tests.support.browser import log_in


def _visit(page, paths):
    for path in paths:
        page.goto(path)
        page.wait_for_function("path => true", arg=path)
    page.wait_for_function("() => window.axeAudit")  # the last page's audit has reported back


def test_the_audit_catches_a_violation(page, live_server):
    page.route(
        "**/axe-probe",
        lambda route: route.fulfill(
            content_type="text/html",
            body="<html lang='es'><head><title>x</title></head><body><main>"
            "<input type='text'><img src='/static/img/none.png'></main></body></html>",
        ),
    )
    page.goto("/axe-probe")
    page.wait_for_function("() => window.axeAudit")  # its audit has reported back
    found = page.axe_results.get("/axe-probe", [])
    assert any(v.startswith(("label", "image-alt")) for v in found), found
    page.axe_results.clear()  # proven; the rest of the page's checks start afresh
    page.goto("/")
    page.wait_for_function("() => window.axeAudit")


# Spanish on a phone and English on a desktop: the two combinations people use most (all four
# would double the run for little more: the layouts and the words are each checked once).
@pytest.mark.parametrize(
    ("language", "viewport"), [("es", PHONE), ("en", DESKTOP)], ids=["es-phone", "en-desktop"]
)
def test_every_role_s_pages_pass_axe(page, live_server, db, app, viewport, language):
    page.set_viewport_size(viewport)
    artisan = factories.artisan(status="approved", shop_name="Barro Vivo")
    product = factories.product(artisan_workshop=artisan, title="Cuenco", status="active")
    klass = factories.class_(artisan_workshop=artisan, title="Torno", status="active")
    session = factories.session(klass=klass, starts_at=utcnow() + timedelta(days=5))
    customer = factories.user(name="Gina Cliente", locale=language)
    admin = factories.user(name="Ana Admin", is_admin=True, locale=language)
    artisan.user.locale = language
    pending = factories.artisan(status="pending", shop_name="Hilos")
    with app.test_request_context():
        order = factories.paid_order([(product, 1)], user_id=customer.id, email=customer.email)
    db.session.commit()
    page.goto("/")
    # Wait for the switch's own navigation: a goto racing it is aborted (net::ERR_ABORTED).
    with page.expect_navigation():
        page.locator(f"button[name=lang][value={language}]").first.dispatch_event("click")

    public = [
        "/",
        "/products",
        f"/products/{product.slug}",
        "/classes",
        f"/classes/{klass.slug}",
        "/artisans",
        f"/artisans/{artisan.slug}",
        "/auth/login",
        "/auth/register",
        "/cart",
    ]
    _visit(page, public)
    # A form with errors.
    page.goto("/auth/register")
    with page.expect_navigation():
        page.locator("form[method=post] [type=submit]").last.click()
    page.wait_for_function("() => window.axeAudit")  # the page with the errors, audited

    log_in_as = {"customer": customer, "artisan": artisan.user, "admin": admin}
    pages_of = {
        "customer": ["/orders", "/bookings", "/auth/account", f"/orders/{order.access_token}"],
        "artisan": [
            "/workshop",
            "/workshop/products",
            f"/workshop/products/{product.id}/edit",
            "/workshop/classes",
            f"/workshop/classes/{klass.id}/edit",
            f"/workshop/classes/{klass.id}/sessions",
            f"/workshop/classes/{klass.id}/sessions/{session.id}",
            "/workshop/orders",
            f"/workshop/orders/{order.groups[0].id}",
            "/workshop/consent",
        ],
        "admin": [
            "/admin/",
            "/admin/artisans",
            f"/admin/artisans/{pending.id}",
            "/admin/orders",
            f"/admin/orders/{order.id}",
            "/admin/audit",
        ],
    }
    for role, paths in pages_of.items():
        page.context.clear_cookies()
        log_in(page, log_in_as[role].email)  # the account's language from here on
        _visit(page, paths)
    audited = set(page.axe_results)
    expected = set(public) | {p for paths in pages_of.values() for p in paths}
    assert expected <= audited, expected - audited
