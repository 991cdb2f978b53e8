"""The workshop's home (next steps, what needs attention), consent withdrawn only after a page
that says what happens, fulfilment steps that fit the delivery, prices shown as saved."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shop.artisans.models import Artisan
from shop.core.time import utcnow
from shop.orders.models import Delivery, FulfilmentStatus, OrderGroup
from tests import factories
from tests.conftest import login, post_form


@pytest.fixture
def potter(db, app):
    artisan = factories.artisan(status="approved", story="")
    db.session.commit()
    client = app.test_client()
    login(client, artisan.user.email)
    return artisan, client


def _english(client, path):
    with client.session_transaction() as browser:
        browser["lang"] = "en"  # the language switcher's choice (beats the account's)
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def test_a_new_workshop_sees_its_next_steps_and_nothing_waiting(potter):
    _artisan, client = potter
    html = _english(client, "/workshop")
    assert "Next steps" in html and "0 of 4 done" in html
    assert 'href="/workshop/products/new">Add your first product' in html
    assert 'href="/workshop/classes/new">Add a class you teach' in html
    assert 'href="/workshop/profile">Finish your profile' in html
    assert ">0</span>orders to prepare" in html


def test_steps_tick_off_and_attention_counts_what_waits(potter, db, app):
    artisan, client = potter
    product = factories.product(artisan_workshop=artisan, stock=5)
    klass = factories.class_(artisan_workshop=artisan)
    soon = factories.session(klass=klass, starts_at=utcnow() + timedelta(days=2))
    factories.session(klass=klass, starts_at=utcnow() + timedelta(days=20))  # not this week
    with app.test_request_context():
        first = factories.paid_order([(product, 1)])
        factories.paid_order([(product, 2)])
        factories.order([(product, 1)])  # not paid: nothing to prepare yet
    db.session.commit()
    html = _english(client, "/workshop")
    assert "2 of 4 done" in html or "3 of 4 done" in html  # products also settle delivery
    assert "<s>Add your first product</s>" in html and "<s>Add a class you teach</s>" in html
    assert ">2</span>orders to prepare" in html
    assert ">1</span>session in the next 7 days" in html
    assert f"/workshop/classes/{klass.id}/sessions/{soon.id}" in html
    # Completing one order takes it off the list.
    group = first.groups[0].id
    response = post_form(client, f"/workshop/orders/{group}", {"status": "completed"})
    assert response.status_code == 302
    assert ">1</span>order to prepare" in _english(client, "/workshop")


def test_withdrawing_consent_asks_first_and_says_what_happens(potter, db):
    artisan, client = potter
    page = _english(client, "/workshop/consent")
    assert "disappear from the shop" in page and "Orders and bookings already made" in page
    assert db.session.get(Artisan, artisan.id).has_consent  # a GET changes nothing
    assert post_form(client, "/workshop/consent", {"give": "0"}).status_code == 302
    db.session.expire_all()
    assert not db.session.get(Artisan, artisan.id).has_consent
    assert 'name="give" value="1"' in client.get("/workshop/consent").get_data(as_text=True)
    post_form(client, "/workshop/consent", {"give": "1"})
    db.session.expire_all()
    assert db.session.get(Artisan, artisan.id).has_consent


@pytest.mark.parametrize(
    ("delivery", "offered", "refused"),
    [
        (Delivery.PICKUP, ["ready_for_pickup", "completed"], "shipped"),
        (Delivery.SHIPPING, ["shipped", "completed"], "ready_for_pickup"),
    ],
)
def test_fulfilment_offers_only_the_steps_that_fit_the_delivery(
    potter, db, app, delivery, offered, refused
):
    artisan, client = potter
    artisan.shipping_rate_cents = 500
    product = factories.product(artisan_workshop=artisan, stock=5, shipping=True)
    with app.test_request_context():
        order = factories.paid_order(
            [(product, 1)], deliveries={artisan.id: delivery}, address="Calle 1, Quito"
        )
    db.session.commit()
    group = order.groups[0]
    html = _english(client, f"/workshop/orders/{group.id}")
    for value in offered:
        assert f'value="{value}"' in html
    assert f'value="{refused}"' not in html
    # A forged choice that does not fit is refused and changes nothing.
    post_form(client, f"/workshop/orders/{group.id}", {"status": refused})
    db.session.expire_all()
    assert db.session.get(OrderGroup, group.id).status == FulfilmentStatus.NEW
    # After a step the form offers what comes next and says where the order is.
    post_form(client, f"/workshop/orders/{group.id}", {"status": offered[0]})
    html = _english(client, f"/workshop/orders/{group.id}")
    assert "Status now" in html
    assert f'value="{offered[0]}"' not in html and 'value="completed"' in html


def test_prices_show_as_saved_in_the_visitors_language(potter, db):
    artisan, client = potter
    product = factories.product(artisan_workshop=artisan, price_cents=2800)
    db.session.commit()
    with client.session_transaction() as browser:
        browser["lang"] = "es"
    spanish = client.get(f"/workshop/products/{product.id}/edit").get_data(as_text=True)
    assert 'value="28,00"' in spanish
    assert 'value="28.00"' in _english(client, f"/workshop/products/{product.id}/edit")
