"""A suspended artisan is refused every back-office page and action (one guard), and nothing
in the database changes; the dashboard still shows the suspension."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from shop.artisans.models import Artisan, ArtisanStatus
from shop.classes.models import ClassSession
from shop.core.security import is_back_office
from shop.extensions import db as _db
from shop.messages import services as messages
from shop.orders import checkout as ordering
from shop.workshop.blueprint import OPEN_WHEN_SUSPENDED
from tests import factories
from tests.conftest import csrf_token, login
from tests.factories import checkout_request as checkout
from tests.factories import pay


@pytest.fixture
def workshop(app, db):
    """An approved artisan with a product, a class with a session and a paid order."""
    artisan = factories.artisan(shop_name="Barro Vivo")
    product = factories.product(artisan_workshop=artisan, stock=5)
    klass = factories.class_(artisan_workshop=artisan)
    session = factories.session(klass=klass, capacity=6)
    buyer = factories.user()
    with app.test_request_context():
        order = ordering.place_order(checkout([(product, 1)], user_id=buyer.id, email=buyer.email))
        pay(order)
        conversation = messages.ask(buyer, product)
        messages.send(conversation, buyer, "¿Hay en verde?")
    db.session.commit()
    line = order.lines[0]
    return {
        "artisan": artisan,
        "samples": {
            "product_id": product.id,
            "class_id": klass.id,
            "session_id": session.id,
            "group_id": line.group_id,
            "photo_id": 1,
            "review_id": 1,
            "conversation_id": conversation.id,
            "kind": "order",
            "target_id": line.group_id,
            "listing_id": product.id,
            "request_id": 1,
            "page": "about",
        },
        "form": {  # values that each action would accept from an approved artisan
            "action": "hide",
            "capacity": "3",
            "amount": "1.00",
            "line_id": str(line.id),
            "restock": "1",
            "reason": "test",
            "status": "completed",
            "note": "done",
            "shipping_rate": "5.00",
            "title": "Renamed",
            "price": "9.00",
            "category_id": str(product.category_id),
            "stock": "50",
            "stock_shown": "4",
            "pickup": "y",
            "date": "2031-01-06",
            "time": "10:00",
            "starting": "2031-01-06",
            "weekday": "0",
            "start_time": "10:00",
            "weeks": "2",
            "seats": "4",
        },
    }


def _url(rule, samples) -> str:
    path = rule.rule
    for argument in rule.arguments:
        for pattern in (f"<int:{argument}>", f"<{argument}>"):
            path = path.replace(pattern, str(samples[argument]))
    return path


def _back_office_rules(app):
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if is_back_office(rule.rule) and rule.endpoint not in OPEN_WHEN_SUSPENDED
    ]
    endpoints = {rule.endpoint for rule in rules}
    # What the issue names: profile, products, classes, sessions, orders, refunds.
    assert {
        "workshop.profile",
        "workshop.edit_product",
        "workshop.shipping_rate",
        "workshop.edit_class",
        "workshop.session_capacity",
        "workshop.cancel_session",
        "workshop.order",
        "workshop.refund",
    } <= endpoints
    return rules


def _snapshot() -> dict[str, list]:
    _db.session.expire_all()
    return {
        table.name: sorted(map(tuple, _db.session.execute(select(table)).all()), key=repr)
        for table in _db.metadata.sorted_tables
    }


def test_every_back_office_route_refuses_a_suspended_artisan(app, client, db, workshop):
    artisan = workshop["artisan"]
    samples, form = workshop["samples"], workshop["form"]
    login(client, artisan.user.email)
    rules = _back_office_rules(app)

    # Control: while approved, the same pages open (so a 403 below is the guard's doing).
    for rule in rules:
        if "GET" in rule.methods:
            # A confirmation page (refund) reads the values typed on the page before it.
            status = client.get(_url(rule, samples), query_string=form).status_code
            assert status == 200, (rule.rule, status)

    db.session.get(Artisan, artisan.id).status = ArtisanStatus.SUSPENDED
    db.session.commit()
    token = csrf_token(client, "/workshop")
    before = _snapshot()
    walked = 0
    for rule in rules:
        url = _url(rule, samples)
        for method in sorted(rule.methods & {"GET", "POST"}):
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, data={**form, "csrf_token": token})
            walked += 1
            assert response.status_code == 403, (method, url, response.status_code)
            assert "Tu taller está suspendido" in response.get_data(as_text=True)  # es account
    assert walked >= 25
    assert _snapshot() == before  # not one row changed

    dashboard = client.get("/workshop")
    assert dashboard.status_code == 200 and "suspendido" in dashboard.get_data(as_text=True)


def test_suspension_stops_a_capacity_change(app, client, db, workshop):
    artisan = workshop["artisan"]
    samples = workshop["samples"]
    login(client, artisan.user.email)
    url = f"/workshop/classes/{samples['class_id']}/sessions/{samples['session_id']}/capacity"
    token = csrf_token(client, "/workshop")
    assert client.post(url, data={"csrf_token": token, "capacity": "5"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(ClassSession, samples["session_id"]).capacity == 5

    db.session.get(Artisan, artisan.id).status = ArtisanStatus.SUSPENDED
    db.session.commit()
    assert client.post(url, data={"csrf_token": token, "capacity": "2"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(ClassSession, samples["session_id"]).capacity == 5
