"""Journey: a visitor reads the impact page on a phone (360 px) and a desktop (1280 px), in
Spanish and English, changes the period with the form, and follows a goal to its page; axe
audits every page (no serious or critical violation)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.impact import scenario

PHONE = {"width": 360, "height": 800}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def seeded(app, db):
    with app.test_request_context():
        scenario.seed()
        db.session.commit()


def _fits(page, width: int) -> None:
    """Nothing makes the page scroll sideways (wide tables scroll in their own region)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize(
    ("size", "lang", "heading", "reached", "other"),
    [
        (PHONE, "es", "Nuestro impacto", "$238,50", "Otras ciudades"),
        (PHONE, "en", "Our impact", "$238.50", "Other cities"),
        (DESKTOP, "es", "Nuestro impacto", "$238,50", "Otras ciudades"),
        (DESKTOP, "en", "Our impact", "$238.50", "Other cities"),
    ],
)
def test_impact_page_at_each_size_and_language(page, seeded, size, lang, heading, reached, other):
    page.set_viewport_size(size)
    page.goto(f"/impact?lang={lang}")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    _fits(page, size["width"])

    # Choose March to April 2025 with the form (month inputs, no script needed).
    page.locator("#period-from").fill("2025-03")
    page.locator("#period-to").fill("2025-04")
    page.locator("form.impact-period button").click()
    page.wait_for_url("**/impact?*from=2025-03*")
    summary = page.locator(".impact-summary li").first
    expect(summary).to_contain_text(reached)
    expect(page.locator("#by-city-caption")).to_be_visible()
    expect(page.locator(".impact-table").nth(1)).to_contain_text(other)
    charts = page.locator(".impact-chart svg[role=img]")
    expect(charts).to_have_count(4)
    expect(charts.first.locator("title")).not_to_be_empty()
    expect(charts.first.locator("desc")).not_to_be_empty()
    _fits(page, size["width"])

    # A goal's own page shows its figures and the listings behind them.
    page.locator("#by-goal-heading").scroll_into_view_if_needed()
    page.get_by_role("link", name="PMM 19" if lang == "es" else "GCM 19").first.click()
    page.wait_for_url("**/goals/gcm/19*")
    expect(page.locator("#goal-impact-heading")).to_be_visible()
    expect(page.locator(".impact-summary")).to_contain_text("$")
    _fits(page, size["width"])
    assert not page.js_errors
