"""One date format on pages and e-mails; time zones named for people, IANA only for machines."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from shop.core import dates
from tests import factories
from tests.conftest import login
from tests.factories import book, pay

FRIDAY_10_GYE = datetime(2030, 12, 13, 15, 0, tzinfo=UTC)  # Friday 10:00 in Guayaquil
ISO_ON_PAGE = re.compile(r">[^<]*\b\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")  # an ISO stamp as text


def _readable(html: str) -> str:
    """The page without its scripts: structured data (JSON-LD) rightly carries ISO stamps."""
    return re.sub(r"<script\b.*?</script>", "", html, flags=re.S)


def test_one_format_in_each_language(app):
    with app.test_request_context():
        assert dates.format_moment(FRIDAY_10_GYE, "America/Guayaquil", "es") == (
            "vie 13 dic 2030, 10:00"
        )
        assert dates.format_day(date(2030, 12, 13), locale="es") == "vie 13 dic 2030"
        assert dates.format_when(FRIDAY_10_GYE, "America/Guayaquil", "es") == (
            "vie 13 dic 2030, 10:00 (hora de Ecuador)"
        )
        assert dates.format_when(FRIDAY_10_GYE, "America/Guayaquil", "en") == (
            "Fri, Dec 13, 2030, 10:00\u202fAM (Ecuador Time)"
        )
        assert dates.zone_name("America/Bogota", "es") == "hora de Colombia"
        assert dates.zone_name("Europe/Madrid", "en") == "Central European Time"
        assert dates.zone_name("Not/AZone", "es") == "Not/AZone"  # never a 500


def test_class_page_names_the_zone_and_keeps_iana_in_the_tooltip(client, db):
    klass = factories.class_(title="Telar")
    factories.session(klass=klass, starts_at=FRIDAY_10_GYE)
    db.session.commit()
    html = client.get(f"/classes/{klass.slug}").get_data(as_text=True)
    assert "vie 13 dic 2030, 10:00" in html and "hora de Ecuador" in html
    assert 'title="America/Guayaquil"' in html
    visible = re.sub(r"<[^>]+>", " ", _readable(html))  # attributes (datetime, title) dropped
    assert "America/Guayaquil" not in visible
    assert not ISO_ON_PAGE.search(_readable(html))


def test_order_and_admin_pages_show_no_iso_stamps(app, client, db, admin):
    session = factories.session(starts_at=FRIDAY_10_GYE)
    with app.test_request_context():
        order = book(session, 1)
        pay(order)
    db.session.commit()
    customer_page = client.get(f"/orders/{order.access_token}").get_data(as_text=True)
    assert "vie 13 dic 2030, 10:00 (hora de Ecuador)" in customer_page
    assert not ISO_ON_PAGE.search(_readable(customer_page))
    login(client, admin.email)
    for path in (f"/admin/orders/{order.id}", "/admin/orders", "/admin/audit"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert not ISO_ON_PAGE.search(_readable(page.get_data(as_text=True))), path
