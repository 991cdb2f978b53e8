"""The workshop's home (next steps, what needs attention), consent withdrawn only after a page
that says what happens, fulfilment steps that fit the delivery, prices shown as saved."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from shop.artisans.models import Artisan
from shop.core.time import utcnow
from shop.messages import services as message_services
from shop.orders.models import Delivery, FulfilmentStatus, OrderGroup
from shop.reviews import services as review_services
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


CHECKLIST_ITEM = re.compile(
    r'<li class="list-group-item workshop-checklist__item( workshop-checklist__item--done)?">'
    r'.*?<a href="[^"]+">([^<]+)</a>',
    re.S,
)


def _checklist(html: str) -> dict[str, bool]:
    """Each checklist step's label and whether it is ticked."""
    return {label: bool(done) for done, label in CHECKLIST_ITEM.findall(html)}


def test_a_new_workshop_sees_its_next_steps_and_nothing_waiting(potter):
    _artisan, client = potter
    html = _english(client, "/workshop")
    assert "Next steps" in html and "0 of 5 done" in html
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
    assert "2 of 5 done" in html or "3 of 5 done" in html  # products also settle delivery
    steps = _checklist(html)
    assert steps["Add your first product"] and steps["Add a class you teach"]
    assert not steps["Add your payout details: how we pay you"]
    assert ">2</span>orders to prepare" in html
    assert ">1</span>session in the next 7 days" in html
    assert f"/workshop/classes/{klass.id}/sessions/{soon.id}" in html
    # Completing one order takes it off the list.
    group = first.groups[0].id
    response = post_form(client, f"/workshop/orders/{group}", {"status": "completed"})
    assert response.status_code == 302
    assert ">1</span>order to prepare" in _english(client, "/workshop")


def test_payout_details_messages_and_reviews_tick_and_count(potter, db, app):
    artisan, client = potter
    product = factories.product(artisan_workshop=artisan, stock=5)
    buyer = factories.user(name="Gina")
    with app.test_request_context():
        line = factories.completed_purchase(buyer, product)
        review = factories.review(line)
        conversation = message_services.about_order(line.order.groups[0], buyer)
        message_services.send(conversation, buyer, "¿Lo tienes en azul?")
        message_services.send(conversation, buyer, "¿Y en verde?")
    db.session.commit()
    html = _english(client, "/workshop")
    assert ">2</span>unread messages" in html
    assert ">1</span>review to answer" in html
    assert 'href="/workshop/reviews"' in html
    assert not _checklist(html)["Add your payout details: how we pay you"]
    response = post_form(client, "/workshop/payout-details", {"method": "cash", "details": ""})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    with app.test_request_context():
        review_services.reply(review, artisan.user, "¡Gracias!")
    db.session.commit()
    html = _english(client, "/workshop")
    assert _checklist(html)["Add your payout details: how we pay you"]
    assert ">0</span>reviews to answer" in html


def test_withdrawing_consent_asks_first_and_says_what_happens(potter, db):
    artisan, client = potter
    settings = _english(client, "/workshop/settings")
    assert "disappear from the shop at once" in settings
    assert 'href="/workshop/consent"' in settings  # withdrawing starts with a confirmation
    assert "Withdraw consent" not in _english(client, "/workshop")  # no longer on the home
    page = _english(client, "/workshop/consent")
    assert "disappear from the shop" in page and "Orders and bookings already made" in page
    assert db.session.get(Artisan, artisan.id).has_consent  # a GET changes nothing
    response = post_form(client, "/workshop/consent", {"give": "0"})
    assert response.headers["Location"] == "/workshop/settings"
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
    # ... and keeps where it stands selected: saving that again changes nothing.
    assert f'<option selected value="{offered[0]}">' in html and 'value="completed"' in html
    assert f'value="{refused}"' not in html
    response = post_form(client, f"/workshop/orders/{group.id}", {"status": offered[0]})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(OrderGroup, group.id).status == FulfilmentStatus(offered[0])


def test_prices_show_as_saved_in_the_visitors_language(potter, db):
    artisan, client = potter
    product = factories.product(artisan_workshop=artisan, price_cents=2800)
    db.session.commit()
    with client.session_transaction() as browser:
        browser["lang"] = "es"
    spanish = client.get(f"/workshop/products/{product.id}/edit").get_data(as_text=True)
    assert 'value="28,00"' in spanish
    assert 'value="28.00"' in _english(client, f"/workshop/products/{product.id}/edit")
    # Class prices and the shipping rate are the same kind of field.
    klass = factories.class_(artisan_workshop=artisan, price_cents=3550)
    artisan.shipping_rate_cents = 500
    db.session.commit()
    assert 'value="35.50"' in _english(client, f"/workshop/classes/{klass.id}/edit")
    assert 'value="5.00"' in _english(client, "/workshop/products")
    with client.session_transaction() as browser:
        browser["lang"] = "es"
    assert 'value="35,50"' in client.get(f"/workshop/classes/{klass.id}/edit").get_data(
        as_text=True
    )
