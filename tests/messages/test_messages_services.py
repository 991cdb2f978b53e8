"""Conversations: who may start one about what, messages e-mailed after the commit, unread
counts, reports, and the admins' audited reading."""

from __future__ import annotations

import pytest

from shop.artisans.models import ArtisanEvent
from shop.core.errors import NotAllowed, ValidationFailed
from shop.messages import queries, services
from shop.messages.models import Conversation, ConversationKind, Message
from tests import factories


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


@pytest.fixture
def potter(db):
    return factories.artisan(shop_name="Barro Vivo")


def test_a_verified_customer_asks_about_a_listing_once(db, ctx, potter):
    customer = factories.user(name="Carla Cliente")
    bowl = factories.product(artisan_workshop=potter, title="Cuenco")
    first = services.ask(customer, bowl)
    again = services.ask(customer, bowl)
    assert first.id == again.id and first.kind == ConversationKind.QUESTION
    assert (first.subject, first.artisan_id, first.product_id) == ("Cuenco", potter.id, bowl.id)
    about_class = services.ask(customer, factories.class_(artisan_workshop=potter))
    about_shop = services.ask(customer, potter)
    assert len({first.id, about_class.id, about_shop.id}) == 3


def test_unverified_accounts_and_the_artisan_themself_cannot_ask(db, ctx, potter):
    bowl = factories.product(artisan_workshop=potter)
    with pytest.raises(NotAllowed, match="Confirma primero"):
        services.ask(factories.user(verified=False), bowl)
    with pytest.raises(NotAllowed):
        services.ask(potter.user, bowl)
    hidden = factories.artisan(status="suspended")
    with pytest.raises(NotAllowed):
        services.ask(factories.user(), hidden)
    assert db.session.query(Conversation).count() == 0


def test_an_order_conversation_belongs_to_its_customer_and_its_artisan(db, ctx, potter):
    customer = factories.user()
    item = factories.product(artisan_workshop=potter)
    order = factories.paid_order([(item, 1)], user_id=customer.id, email=customer.email)
    group = order.groups[0]
    by_customer = services.about_order(group, customer)
    by_artisan = services.about_order(group, potter.user)
    assert by_customer.id == by_artisan.id and by_customer.customer_id == customer.id
    for outsider in (factories.user(), factories.artisan().user, factories.user(is_admin=True)):
        with pytest.raises(NotAllowed):
            services.about_order(group, outsider)
    guest = factories.paid_order([(item, 1)])  # no account: nobody to talk to
    with pytest.raises(NotAllowed):
        services.about_order(guest.groups[0], potter.user)
    unpaid = factories.order([(item, 1)], user_id=customer.id, email=customer.email)
    with pytest.raises(NotAllowed, match="pagado"):
        services.about_order(unpaid.groups[0], customer)


def test_a_booking_conversation(db, ctx, potter):
    customer = factories.user()
    line = factories.attended_booking(customer, factories.class_(artisan_workshop=potter))
    conversation = services.about_booking(line, potter.user)
    assert (conversation.kind, conversation.line_id, conversation.customer_id) == (
        ConversationKind.BOOKING,
        line.id,
        customer.id,
    )


def test_messages_are_emailed_to_the_other_side_after_the_commit(db, ctx, potter, outbox):
    customer = factories.user(name="Carla Cliente", email="carla@example.com")
    conversation = services.ask(customer, factories.product(artisan_workshop=potter))
    db.session.commit()
    services.send(conversation, customer, "¿Lo tienes en azul?")
    assert outbox.to(potter.user.email) == []  # not before the commit
    db.session.commit()
    [mail] = outbox.to(potter.user.email)
    body = outbox.body(mail)
    assert "¿Lo tienes en azul?" in body and "Carla Cliente" in mail["Subject"]
    assert f"/workshop/messages/{conversation.id}" in body
    assert customer.email not in body
    services.send(conversation, potter.user, "Sí, la semana que viene.")
    db.session.rollback()  # a failed request sends nothing
    assert outbox.to(customer.email) == []
    services.send(conversation, potter.user, "Sí, la semana que viene.")
    db.session.commit()
    [answer] = outbox.to(customer.email)
    assert f"/account/messages/{conversation.id}" in outbox.body(answer)
    assert potter.user.email not in outbox.body(answer)


def test_only_the_two_sides_write_and_empty_or_long_messages_are_refused(db, ctx, potter):
    customer = factories.user()
    conversation = services.ask(customer, potter)
    for outsider in (factories.user(), factories.artisan().user, factories.user(is_admin=True)):
        with pytest.raises(NotAllowed):
            services.send(conversation, outsider, "hola")
    with pytest.raises(ValidationFailed):
        services.send(conversation, customer, "   ")
    with pytest.raises(ValidationFailed):
        services.send(conversation, customer, "x" * 2001)
    assert db.session.query(Message).count() == 0


def test_the_same_form_twice_writes_one_message(db, ctx, potter):
    customer = factories.user()
    conversation = services.ask(customer, potter)
    first = services.send(conversation, customer, "hola", client_token="form-1")
    second = services.send(conversation, customer, "hola", client_token="form-1")
    assert first.id == second.id and db.session.query(Message).count() == 1


def test_unread_counts_per_side(db, ctx, potter):
    customer = factories.user()
    conversation = services.ask(customer, potter)
    services.send(conversation, customer, "uno")
    last = services.send(conversation, customer, "dos")
    assert queries.unread_count(potter.user) == 2 and queries.unread_count(customer) == 0
    [row] = queries.for_artisan(potter)
    assert row.unread == 2
    services.mark_read(conversation, potter.user, last.id + 1000)  # never beyond the newest
    assert queries.unread_count(potter.user) == 0
    services.send(conversation, customer, "tres")
    assert queries.unread_count(potter.user) == 1
    services.mark_read(conversation, potter.user, 0)  # never backwards
    assert queries.unread_count(potter.user) == 1
    with pytest.raises(NotAllowed):
        services.mark_read(conversation, factories.user(), last.id)


def test_admins_read_only_reported_or_disputed_conversations_and_it_is_audited(db, ctx, potter):
    admin = factories.user(is_admin=True)
    customer = factories.user()
    conversation = services.ask(customer, potter)
    with pytest.raises(NotAllowed):
        services.admin_read(conversation, admin)
    with pytest.raises(NotAllowed):
        services.report(conversation, factories.user(), "not mine")
    services.report(conversation, customer, "Me pide mi dirección de casa")
    services.report(conversation, potter.user, "second report keeps the first")
    assert conversation.report_reason == "Me pide mi dirección de casa"
    with pytest.raises(NotAllowed):
        services.admin_read(conversation, customer)
    services.admin_read(conversation, admin)
    event = db.session.query(ArtisanEvent).filter_by(action="conversation_read").one()
    assert event.actor_id == admin.id and event.artisan_id == potter.id
    assert f"conversation {conversation.id}" in event.reason

    item = factories.product(artisan_workshop=potter)
    order = factories.paid_order([(item, 1)], user_id=customer.id, email=customer.email)
    about = services.about_order(order.groups[0], customer)
    with pytest.raises(NotAllowed):
        services.admin_read(about, admin)
    order.needs_review = True
    db.session.flush()
    services.admin_read(about, admin)
    assert {c.id for c in db.session.scalars(queries.admin_queue())} == {conversation.id, about.id}
