"""Conversation pages for every role, starting from a listing or an order, rate limits, the
header's unread count, hostile text, photos, and the admins' audited reading."""

from __future__ import annotations

import io

import pytest

from shop.artisans.models import ArtisanEvent
from shop.extensions import db as _db
from shop.messages import services
from shop.messages.models import Conversation, Message
from tests import factories
from tests.conftest import login, post_form
from tests.support.images import jpeg_bytes

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


@pytest.fixture
def world(app, db, ctx):
    """A potter with a product; a customer with a question and a paid order; outsiders."""
    potter = factories.artisan(shop_name="Barro Vivo")
    item = factories.product(artisan_workshop=potter, title="Taza")
    customer = factories.user(name="Carla Cliente")
    question = services.ask(customer, item)
    services.send(question, customer, "¿Hay en verde?")
    order = factories.paid_order([(item, 1)], user_id=customer.id, email=customer.email)
    about_order = services.about_order(order.groups[0], potter.user)
    services.send(about_order, potter.user, "Sale mañana.")
    world = {
        "potter": potter,
        "item": item,
        "customer": customer,
        "question": question,
        "order": order,
        "about_order": about_order,
        "other_customer": factories.user(),
        "other_artisan": factories.artisan().user,
        "admin": factories.user(is_admin=True),
    }
    db.session.commit()
    return world


def _as(app, user):
    client = app.test_client()
    if user is not None:
        login(client, user.email)
    return client


def test_each_side_reads_its_own_conversation_pages(app, world):
    customer = _as(app, world["customer"])
    page = customer.get(f"/account/messages/{world['question'].id}")
    assert page.status_code == 200 and "¿Hay en verde?" in page.get_data(as_text=True)
    # A customer has no workshop: the guard sends them to apply for one.
    response = customer.get(f"/workshop/messages/{world['question'].id}")
    assert response.headers["Location"] == "/workshop/apply"
    listing = customer.get("/account/messages").get_data(as_text=True)
    assert "Taza" in listing and "Barro Vivo" in listing
    potter = _as(app, world["potter"].user)
    page = potter.get(f"/workshop/messages/{world['question'].id}").get_data(as_text=True)
    assert "Carla Cliente" in page and world["customer"].email not in page
    assert potter.get(f"/account/messages/{world['question'].id}").status_code == 404


@pytest.mark.parametrize("role", ["anonymous", "other_customer", "other_artisan", "admin"])
def test_nobody_else_reaches_any_conversation_route(app, world, role):
    client = _as(app, world.get(role))
    expected = 302 if role == "anonymous" else 404
    # Someone without a workshop is sent to apply for one by the workshop's guard.
    in_workshop = 302 if role in ("anonymous", "other_customer", "admin") else 404
    for conversation in (world["question"], world["about_order"]):
        cid = conversation.id
        for path, refused in (
            (f"/account/messages/{cid}", expected),
            (f"/workshop/messages/{cid}", in_workshop),
        ):
            assert client.get(path).status_code == refused, (role, path)
            response = post_form(client, path, {"body": "intruso"})
            assert response.status_code == refused, (role, path)
        for path in (f"/messages/{cid}/read", f"/messages/{cid}/report"):
            response = post_form(client, path, {"up_to": "99", "reason": "x"})
            assert response.status_code == expected, (role, path)
    group_id = world["order"].groups[0].id
    for path, refused in (
        (f"/messages/new/order/{group_id}", 302 if role == "anonymous" else 403),
        (f"/workshop/messages/new/order/{group_id}", 302 if in_workshop == 302 else 403),
    ):
        status = client.get(path).status_code
        assert status == refused, (role, path, status)
    assert _db.session.query(Message).filter_by(body="intruso").count() == 0
    if role == "admin":  # not reported, order not disputed: closed, and nothing audited
        response = post_form(
            client, f"/admin/conversations/{world['question'].id}/read", {"up_to": "0"}
        )
        assert response.status_code == 302
        assert _db.session.query(ArtisanEvent).filter_by(action="conversation_read").count() == 0
    else:
        response = post_form(
            client, f"/admin/conversations/{world['question'].id}/read", {"up_to": "0"}
        )
        assert response.status_code == (302 if role == "anonymous" else 403)


def test_guests_are_asked_to_log_in_and_unverified_accounts_to_confirm(app, db, world):
    item = world["item"]
    anonymous = _as(app, None)
    page = anonymous.get(f"/products/{item.slug}").get_data(as_text=True)
    assert f"/messages/new/product/{item.id}" in page
    response = anonymous.get(f"/messages/new/product/{item.id}")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    unverified = factories.user(verified=False)
    db.session.commit()
    client = _as(app, unverified)
    response = client.get(f"/messages/new/product/{item.id}")
    assert response.status_code == 403 and "/auth/account" in response.get_data(as_text=True)
    assert (
        post_form(client, f"/messages/new/product/{item.id}", {"body": "hola"}).status_code == 403
    )


def test_a_question_from_a_class_page_starts_once(app, db, world, outbox):
    klass = factories.class_(artisan_workshop=world["potter"], title="Torno")
    asker = factories.user(name="Pedro Pregunta")
    db.session.commit()
    client = _as(app, asker)
    assert f"/messages/new/class/{klass.id}" in client.get(f"/classes/{klass.slug}").get_data(
        as_text=True
    )
    response = post_form(client, f"/messages/new/class/{klass.id}", {"body": "¿Para niños?"})
    assert response.status_code == 302
    conversation = _db.session.query(Conversation).filter_by(class_id=klass.id).one()
    assert response.headers["Location"].endswith(f"/account/messages/{conversation.id}")
    again = client.get(f"/messages/new/class/{klass.id}")
    assert again.headers["Location"].endswith(f"/account/messages/{conversation.id}")
    assert any("¿Para niños?" in outbox.body(m) for m in outbox.to(world["potter"].user.email))
    assert post_form(client, "/messages/new/nothing/1", {"body": "x"}).status_code == 404
    assert client.get(f"/messages/new/product/{2**31 - 1}").status_code == 404


def test_the_artisan_writes_first_about_an_order_from_the_workshop(app, db, world):
    item = world["item"]
    buyer = factories.user()
    order = factories.paid_order([(item, 1)], user_id=buyer.id, email=buyer.email)
    db.session.commit()
    potter = _as(app, world["potter"].user)
    page = potter.get(f"/workshop/orders/{order.groups[0].id}").get_data(as_text=True)
    assert f"/workshop/messages/new/order/{order.groups[0].id}" in page
    response = post_form(
        potter, f"/workshop/messages/new/order/{order.groups[0].id}", {"body": "¿A qué hora?"}
    )
    assert response.status_code == 302 and "/workshop/messages/" in response.headers["Location"]
    assert potter.get(f"/workshop/messages/new/product/{item.id}").status_code == 404


def test_hostile_text_is_escaped_in_the_page(app, db, world):
    client = _as(app, world["customer"])
    path = f"/account/messages/{world['question'].id}"
    assert post_form(client, path, {"body": XSS}).status_code == 302
    page = client.get(path).get_data(as_text=True)
    assert XSS not in page and "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page


def test_a_photo_goes_through_the_image_pipeline(app, db, world):
    client = _as(app, world["customer"])
    path = f"/account/messages/{world['question'].id}"
    response = post_form(
        client,
        path,
        {"body": "", "image": (io.BytesIO(jpeg_bytes()), "grieta.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    message = _db.session.query(Message).order_by(Message.id.desc()).first()
    assert message.image is not None and message.image.ext in ("jpg", "webp")
    bad = post_form(
        client,
        path,
        {"body": "", "image": (io.BytesIO(b"%PDF-1.4 not an image"), "x.pdf")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422
    empty = post_form(client, path, {"body": "   "})
    assert empty.status_code == 422


def test_unread_badge_in_the_header_and_reading_clears_it(app, db, world):
    potter = _as(app, world["potter"].user)
    page = potter.get("/workshop/messages").get_data(as_text=True)
    assert 'unread-badge">1' in page
    question = world["question"]
    newest = question.messages[-1].id
    post_form(potter, f"/messages/{question.id}/read", {"up_to": str(newest)})
    assert "unread-badge" not in potter.get("/workshop/messages").get_data(as_text=True)
    customer = _as(app, world["customer"])
    assert 'unread-badge">1' in customer.get("/account/messages").get_data(as_text=True)


def test_rate_limits_per_account(app, db, world):
    app.config["CONVERSATION_RATE_LIMIT"] = "2 per hour"
    app.config["MESSAGE_RATE_LIMIT"] = "3 per hour"
    potter = world["potter"]
    client = _as(app, world["other_customer"])
    listings = [factories.product(artisan_workshop=potter) for _ in range(3)]
    db.session.commit()
    statuses = [
        post_form(client, f"/messages/new/product/{p.id}", {"body": "hola"}).status_code
        for p in listings
    ]
    assert statuses == [302, 302, 429]
    conversation = (
        _db.session.query(Conversation).filter_by(customer_id=world["other_customer"].id).first()
    )
    path = f"/account/messages/{conversation.id}"
    statuses = [post_form(client, path, {"body": f"m{i}"}).status_code for i in range(4)]
    assert statuses == [302, 302, 302, 429]
    # Another account is not slowed down by this one.
    other = _as(app, world["customer"])
    assert (
        post_form(other, f"/account/messages/{world['question'].id}", {"body": "ok"}).status_code
        == 302
    )


def test_reporting_opens_it_to_admins_and_each_reading_is_audited(app, db, world):
    customer = _as(app, world["customer"])
    question = world["question"]
    post_form(customer, f"/messages/{question.id}/report", {"reason": "Pide mi teléfono"})
    admin = _as(app, world["admin"])
    queue = admin.get("/admin/conversations").get_data(as_text=True)
    assert "Pide mi teléfono" in queue and "¿Hay en verde?" not in queue
    assert admin.get(f"/account/messages/{question.id}").status_code == 404
    page = post_form(admin, f"/admin/conversations/{question.id}/read", {"up_to": "0"})
    assert page.status_code == 200 and "¿Hay en verde?" in page.get_data(as_text=True)
    post_form(admin, f"/admin/conversations/{question.id}/read", {"up_to": "0"})
    events = _db.session.query(ArtisanEvent).filter_by(action="conversation_read").all()
    assert len(events) == 2 and all(e.actor_id == world["admin"].id for e in events)
    audit = admin.get("/admin/audit").get_data(as_text=True)
    assert "conversation_read" in audit
