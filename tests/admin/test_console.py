"""The operator console: needs attention, search, readable histories, settings."""

from __future__ import annotations

import re
from datetime import timedelta

from shop.artisans.models import Artisan
from shop.core import settings
from shop.core.time import utcnow
from shop.orders.models import Order
from shop.payments import refunds
from tests import factories
from tests.conftest import post_form


def _english(client) -> None:
    with client.session_transaction() as browser:
        browser["lang"] = "en"


def test_needs_attention_lists_applications_oldest_first_with_age(admin_client, db):
    newer = factories.artisan(status="pending", shop_name="Newer Shop")
    older = factories.artisan(status="pending", shop_name="Older Shop")
    older.submitted_at = utcnow() - timedelta(days=3)
    newer.submitted_at = utcnow() - timedelta(hours=2)
    db.session.commit()
    _english(admin_client)
    html = admin_client.get("/admin/").get_data(as_text=True)
    section = html[html.index('id="applications"') : html.index('id="reviews"')]
    assert section.index("Older Shop") < section.index("Newer Shop")
    assert "3 days" in section and "2 hours" in section
    assert re.search(r'badge text-bg-warning">2<', section)


def test_needs_attention_counts_flagged_orders_and_expiring_holds(admin_client, db):
    product = factories.product(stock=10)
    flagged = factories.paid_order([(product, 1)])
    flagged.needs_review = True
    flagged.review_reason = "second payment of 2500 USD"
    expiring = factories.order([(product, 1)])
    expiring.hold_expires_at = utcnow() + timedelta(minutes=4)
    factories.order([(product, 1)])  # its hold is far from ending: not listed
    db.session.commit()
    _english(admin_client)
    html = admin_client.get("/admin/").get_data(as_text=True)
    orders = html[html.index('id="orders"') : html.index('id="holds"')]
    assert flagged.reference in orders and 'text-bg-warning">1<' in orders
    holds = html[html.index('id="holds"') : html.index('id="sessions"')]
    assert expiring.reference in holds and 'text-bg-warning">1<' in holds


def test_needs_attention_lists_sessions_short_of_their_minimum(admin_client, db):
    klass = factories.class_(title="Telar", min_participants=4)
    factories.session(klass=klass, starts_at=utcnow() + timedelta(hours=60))
    factories.session(klass=klass, starts_at=utcnow() + timedelta(days=20))  # decides later
    db.session.commit()
    _english(admin_client)
    html = admin_client.get("/admin/").get_data(as_text=True)
    sessions = html[html.index('id="sessions"') : html.index('id="payouts"')]
    assert "Telar" in sessions and "0 of 4 booked" in sessions
    assert 'text-bg-warning">1<' in sessions


def test_search_finds_orders_by_email_reference_and_name(admin_client, db):
    product = factories.product()
    mine = factories.order([(product, 1)], name="Gina Guest", email="gina@example.com")
    other = factories.order([(product, 1)], name="Otto Other", email="otto@example.com")
    db.session.commit()
    html = admin_client.get("/admin/search?q=GINA@example").get_data(as_text=True)
    assert mine.reference in html and other.reference not in html
    html = admin_client.get(f"/admin/search?q={other.reference.lower()}").get_data(as_text=True)
    assert other.reference in html and mine.reference not in html
    html = admin_client.get("/admin/search?q=otto oth").get_data(as_text=True)
    assert other.reference in html


def test_search_finds_workshops_and_accounts_and_takes_wildcards_literally(admin_client, db):
    workshop = factories.artisan(shop_name="Barro Vivo")
    factories.user(name="Rosa Tejedora", email="rosa@example.com")
    db.session.commit()
    html = admin_client.get("/admin/search?q=barro").get_data(as_text=True)
    assert f"/admin/artisans/{workshop.id}" in html
    html = admin_client.get("/admin/search?q=tejedora").get_data(as_text=True)
    assert "rosa@example.com" in html
    html = admin_client.get("/admin/search?q=%25").get_data(as_text=True)
    assert "rosa@example.com" not in html and "Barro Vivo" not in html


def test_order_history_reads_as_sentences_with_money_and_the_line(admin_client, admin, db):
    product = factories.product(title="Cuenco para sopa", price_cents=250)
    order = factories.paid_order([(product, 2)])
    line = order.lines[0]
    refunds.refund(order, admin, 500, line=line, reason="cliente lo pidió")
    db.session.commit()
    html = admin_client.get(f"/admin/orders/{order.id}").get_data(as_text=True)
    assert (
        "Reembolso de $5,00 en 2 × Cuenco para sopa, por Ana Admin (admin): cliente lo pidió"  # noqa: RUF001
        in (html.replace("\xa0", " "))
    )
    assert 'title="refund 500 cliente lo pidió"' in html
    assert "Pagado $5,00" in html.replace("\xa0", " ")


def test_artisan_history_names_states_in_words(admin_client, db):
    artisan = factories.artisan(status="pending")
    db.session.commit()
    post_form(
        admin_client,
        f"/admin/artisans/{artisan.id}/decide",
        {"action": "request_changes", "reason": "Añade fotos"},
    )
    html = admin_client.get(f"/admin/artisans/{artisan.id}").get_data(as_text=True)
    assert (
        "Pidió cambios (en revisión → cambios solicitados), por Ana Admin (admin): Añade fotos"
        in html
    )
    assert 'title="request_changes (pending → changes_requested)"' in html


def test_settings_page_saves_and_checkout_uses_the_hold_minutes(admin_client, db):
    workshop = factories.artisan(shop_name="Barro Vivo")
    product = factories.product(title="Taza azul", artisan_workshop=workshop)
    db.session.commit()
    response = post_form(
        admin_client,
        "/admin/settings",
        {
            "hold_minutes": "45",
            "offer_hours": "6",
            "contact_email": "hola@taller.example.com",
            "featured_artisans": [str(workshop.id)],
            "featured_products": [str(product.id)],
        },
    )
    assert response.status_code == 302
    assert settings.ORDER_HOLD_MINUTES.get() == 45
    assert settings.WAITLIST_OFFER_HOURS.get() == 6
    assert settings.CONTACT_EMAIL.get() == "hola@taller.example.com"
    order = factories.order([(product, 1)])
    minutes = (order.hold_expires_at - order.created_at).total_seconds() / 60
    assert 44 < minutes <= 45
    html = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "Cambió los ajustes" in html and "hold_minutes" in html
    home = admin_client.get("/").get_data(as_text=True)
    featured = home[home.index('id="chosen-h"') :]
    assert "Taza azul" in featured and "Barro Vivo" in featured


def test_settings_page_rerenders_errors(admin_client, db):
    response = post_form(admin_client, "/admin/settings", {"hold_minutes": "0", "offer_hours": "x"})
    assert response.status_code == 422
    assert settings.ORDER_HOLD_MINUTES.get() == 30


def test_featured_block_drops_what_is_no_longer_public(client, db):
    product = factories.product(title="Taza escondida")
    db.session.commit()
    settings.FEATURED_PRODUCTS.put([product.id])
    db.session.commit()
    assert "Taza escondida" in client.get("/").get_data(as_text=True).split('id="chosen-h"')[1]
    artisan = db.session.get(Artisan, product.artisan_id)
    artisan.status = "suspended"
    db.session.commit()
    assert 'id="chosen-h"' not in client.get("/").get_data(as_text=True)


def test_expiring_hold_query_skips_paid_orders(admin_client, db):
    product = factories.product()
    paid = factories.paid_order([(product, 1)])
    paid.hold_expires_at = utcnow() + timedelta(minutes=3)
    db.session.commit()
    html = admin_client.get("/admin/").get_data(as_text=True)
    holds = html[html.index('id="holds"') : html.index('id="sessions"')]
    assert paid.reference not in holds
    assert db.session.get(Order, paid.id).status.value == "paid"
