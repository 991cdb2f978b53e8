"""Demo data for trust: past purchases with reviews (one with the potter's reply) and the demo
customer's conversation with the potter about her class, so `make run` shows both."""

from __future__ import annotations

import secrets
from datetime import time, timedelta

from flask import current_app

from shop.auth.models import User
from shop.catalog.models import Product
from shop.classes import services as classes
from shop.classes.models import Class
from shop.core.time import utcnow
from shop.demo_market import unusable_password_hash
from shop.extensions import db
from shop.inventory import services as inventory
from shop.messages import services as messages
from shop.moderation import reports
from shop.moderation.models import ReportReason
from shop.orders import checkout, lifecycle
from shop.orders.cart import CartEntry
from shop.orders.models import Delivery, FulfilmentStatus, OrderLine
from shop.payments import services as payments
from shop.reviews import services as reviews

# (name, stars for the class, the first product, the second product, and their words)
REVIEWERS = [
    ("Lucía Andrade", 5, 5, 4, "Marisol enseña con paciencia; salí con un cuenco precioso."),
    ("Pedro Ruiz", 4, 5, 5, "Muy buena clase para empezar. El café, un lujo."),
    ("Sofía Mena", 5, 4, 5, "Grupo pequeño y mucho torno. Volveré."),
]
PRODUCT_WORDS = ["Llegó bien envuelta y es más bonita en persona.", "Uso diario, sin un rayón."]
REPLY = "¡Gracias, Lucía! Fue un gusto tenerte en el taller."
QUESTION = "Hola, ¿la clase sirve si nunca he tocado barro? ¿Qué ropa llevo?"
ANSWER = (
    "¡Claro! Es para principiantes. Ven con ropa que se pueda manchar; los delantales los pongo yo."
)

REPORT = "Las medidas de la descripción no coinciden con las de la foto."


def _customer(name: str) -> User:
    """A demo buyer who never logs in (a random password nobody knows)."""
    slug = name.split()[0].lower().replace("í", "i")
    user = User(email=f"{slug}@clientes.example.com", name=name, email_verified_at=utcnow())
    user.password_hash = unusable_password_hash()
    db.session.add(user)
    db.session.flush()
    return user


def _paid(user: User, entries: list[CartEntry], deliveries: dict) -> list[OrderLine]:
    order = checkout.place_order(
        checkout.CheckoutRequest(
            entries=entries,
            contact=checkout.Contact(user.name, user.email),
            deliveries=deliveries,
            checkout_token=f"demo-trust-{user.id}-{secrets.token_hex(4)}",
            user_id=user.id,
        )
    )
    payments.start_payment(order)
    payments.confirm_payment(order.payments[0], order.total_cents, order.currency)
    return order.lines


def seed_trust(potter: User, customer: User, klass: Class, products: list[Product]) -> None:
    """Reviews of the class and two products from three buyers, the potter's reply to one,
    the demo customer's question about the class with the potter's answer, and one report of a
    listing for the admins."""
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        # A session booked as a checkout would, then moved to ten days ago (a demo has no
        # clock to wait for): its bookings are attended classes.
        session = classes.add_session(klass, (utcnow() + timedelta(days=1)).date(), time(16, 0))
        first, second = products[:2]
        for product in (first, second):
            inventory.restock(product.id, len(REVIEWERS))  # the demo's stock stays as listed
        now = utcnow()
        bought = []
        for index, (name, *_) in enumerate(REVIEWERS):
            buyer = _customer(name)
            seat = _paid(buyer, [CartEntry("seat", session.id, 1, (name,))], {})[0]
            lines = _paid(
                buyer,
                [CartEntry("product", first.id, 1), CartEntry("product", second.id, 1)],
                {first.artisan_id: Delivery.PICKUP},
            )
            lifecycle.set_fulfilment(lines[0].group, potter, FulfilmentStatus.COMPLETED)
            lines[0].group.completed_at = now - timedelta(days=20 - index)
            bought.append((buyer, seat, lines))
        session.starts_at = now - timedelta(days=10)
        db.session.flush()
        written = []
        for index, (buyer, seat, lines) in enumerate(bought):
            _, class_stars, *product_stars, words = REVIEWERS[index]
            when = now - timedelta(days=9 - index)
            written.append(reviews.write_review(seat, buyer, _words(class_stars, words), when))
            for line, stars, text in zip(lines, product_stars, PRODUCT_WORDS, strict=True):
                reviews.write_review(line, buyer, _words(stars, text), when)
        reviews.reply(written[0], potter, REPLY)

        conversation = messages.ask(customer, klass)
        messages.send(conversation, customer, QUESTION)
        messages.send(conversation, potter, ANSWER)

        # One report waiting for the admins (the demo's "Needs attention" has work).
        reports.report_listing(products[-1], bought[1][0], ReportReason.MISLEADING, REPORT)


def _words(stars: int, text: str) -> reviews.ReviewData:
    return reviews.ReviewData(rating=stars, body=text, locale="es")
