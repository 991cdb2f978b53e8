"""Colour contrast of the status colours (danger, success, warning), links and error text on
the cream pages, at rest and under the pointer (axe, which every journey runs, sees only the
resting state): every text must reach WCAG AA's 4.5:1 against what is actually behind it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shop.core.time import utcnow
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE
from tests.support.browser import log_in

CONTRAST = """(element) => {
  const parse = (c) => {
    const p = c.match(/rgba?\\(([^)]+)\\)/)[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, base) => base.map((v, i) => top[i] * top[3] + v * (1 - top[3]));
  const layers = [];
  for (let e = element; e; e = e.parentElement) {
    const c = parse(getComputedStyle(e).backgroundColor);
    if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
  }
  let background = [255, 255, 255];
  for (const c of layers.reverse()) background = over(c, background);
  const foreground = over(parse(getComputedStyle(element).color), background);
  const luminance = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const [a, b] = [luminance(foreground), luminance(background)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""
CHECKED = (
    ".btn-danger, .btn-outline-danger, .btn-success, .btn-outline-success, .btn-outline-warning,"
    " .btn-outline-secondary, .text-danger, .invalid-feedback, main a:not(.btn)"
)


def _check(page, failures: list[str]) -> int:
    """Every checked element of the page, at rest and hovered; returns how many were seen."""
    elements = page.locator(CHECKED)
    seen = 0
    for index in range(elements.count()):
        element = elements.nth(index)
        if not element.is_visible():
            continue
        seen += 1
        name = f"{page.url} {element.evaluate('e => e.className')!r} {element.inner_text()[:30]!r}"
        ratio = element.evaluate(CONTRAST)
        if ratio < 4.5:
            failures.append(f"{name}: {ratio:.2f}:1")
        element.hover()
        hovered = element.evaluate(CONTRAST)
        if hovered < 4.5:
            failures.append(f"{name} (hover): {hovered:.2f}:1")
    page.mouse.move(0, 0)
    return seen


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_status_colours_links_and_errors_pass_aa(page, live_server, db, app, viewport):
    page.set_viewport_size(viewport)
    page.emulate_media(reduced_motion="reduce")  # no colour transitions: measure the end state
    potter = factories.artisan(shop_name="Barro Vivo")
    product = factories.product(artisan_workshop=potter, title="Cuenco", price_cents=2000)
    klass = factories.class_(artisan_workshop=potter, title="Torno")
    session = factories.session(klass=klass, starts_at=utcnow() + timedelta(days=5))
    pending = factories.artisan(status="pending", shop_name="Hilos")
    admin = factories.user(name="Ana Admin", is_admin=True)
    with app.test_request_context():
        order = factories.paid_order([(product, 2)])
        booking = factories.paid_booking(session, 2)
    db.session.commit()
    failures: list[str] = []
    seen = 0

    page.goto("/auth/register")  # inline errors
    page.locator("form[method=post] [type=submit]").last.click()
    page.wait_for_load_state()
    seen += _check(page, failures)
    page.goto(f"/orders/{booking.access_token}/bookings/{booking.lines[0].id}/cancel")
    seen += _check(page, failures)

    log_in(page, potter.user.email)
    group = order.groups[0].id
    line = order.lines[0].id
    for path in (
        f"/workshop/classes/{klass.id}/sessions",
        f"/workshop/classes/{klass.id}/sessions/{session.id}/cancel",
        f"/workshop/orders/{group}",
        f"/workshop/orders/{group}/refund?line_id={line}&amount=5&restock=1",
    ):
        page.goto(path)
        seen += _check(page, failures)

    page.context.clear_cookies()
    log_in(page, admin.email)
    for path in (f"/admin/artisans/{pending.id}", f"/admin/orders/{order.id}"):
        page.goto(path)
        seen += _check(page, failures)
    assert seen > 20
    assert not failures, "\n".join(failures)


def test_the_check_catches_bootstrap_red_on_cream(page, live_server):
    """The measurement itself: Bootstrap's #dc3545 on the cream page is the 4.45:1 axe found."""
    page.route(
        "**/contrast-probe",
        lambda route: route.fulfill(
            content_type="text/html",
            body="<html lang='es'><head><title>x</title></head><body style='background:#fffdf9'>"
            "<main><p style='color:#dc3545'>Borrar</p><p style='color:#b02a37'>Borrar</p>"
            "</main></body></html>",
        ),
    )
    page.goto("/contrast-probe")
    bootstrap, ours = (page.locator("p").nth(i).evaluate(CONTRAST) for i in (0, 1))
    assert 4.4 < bootstrap < 4.5 and ours >= 4.5
    page.axe_results.clear()  # the probe's own failure is the point; real pages start afresh
    page.goto("/")
    page.wait_for_function("() => window.axeAudit")
