"""Factories: rows with sensible defaults, flushed so they have ids (the caller commits).

People and workshops (user, artisan), listings (product, class_, session, class_form), and
what customers do with them: placed and paid orders (order, pay, paid_order), class
bookings (book, paid_booking) and waitlist places (join_waitlist, full_session). Orders,
bookings and waitlist places go through the services, as a checkout does, so they need a
request context (the tests' `ctx`/`request_ctx` fixtures or `app.test_request_context()`).
"""

from __future__ import annotations

import itertools
import random
from datetime import datetime, timedelta

from sqlalchemy import select

from shop.artisans.models import Artisan, ArtisanGoal, ArtisanStatus
from shop.auth.models import User
from shop.catalog import search
from shop.catalog.models import Category, Product, ProductGoal, ProductStatus
from shop.classes.models import (
    CancellationPolicy,
    Class,
    ClassGoal,
    ClassSession,
    ClassStatus,
    SessionStatus,
)
from shop.core.time import utcnow
from shop.extensions import db
from shop.orders import checkout as ordering
from shop.orders import lifecycle
from shop.orders.cart import CartEntry
from shop.orders.models import Delivery, FulfilmentStatus
from shop.payments import services as payments
from shop.payments.gateways import DemoGateway
from shop.payments.models import Payment
from shop.reviews import services as reviews
from shop.waitlist import services as waitlist

PASSWORD = "correct horse battery staple"
ADDRESS = "Calle Secreta 742 y Av. Privada, casa 3"
_sequence = itertools.count(1)


def user(
    *,
    email: str | None = None,
    name: str = "Test Person",
    password: str = PASSWORD,
    is_admin: bool = False,
    locale: str = "es",
    verified: bool = True,
) -> User:
    """A user account with a known password (its e-mail verified unless verified=False)."""
    number = next(_sequence)
    account = User(
        email=email or f"person{number}@example.com",
        name=name,
        is_admin=is_admin,
        locale=locale,
        email_verified_at=utcnow() if verified else None,
    )
    account.set_password(password)
    db.session.add(account)
    db.session.flush()
    return account


def artisan(
    *,
    user_account: User | None = None,
    status: str = "approved",
    shop_name: str | None = None,
    craft: str = "Ceramics",
    city: str = "Quito",
    country: str = "EC",
    goals: dict | None = None,
    story: str = "I make pots.",
    consent: bool = True,
):
    """An artisan workshop in the given status (approved by default)."""
    number = next(_sequence)
    owner = user_account or user(name=f"Artisan {number}")
    name = shop_name or f"Workshop {number}"
    workshop = Artisan(
        user=owner,
        shop_name=name,
        slug=f"workshop-{number}",
        first_name="Rosa",
        craft=craft,
        city=city,
        country=country,
        story=story,
        tagline="Handmade with care",
        status=ArtisanStatus(status),
        consent_at=utcnow() if consent else None,
        approved_at=utcnow() if status == "approved" else None,
    )
    for (kind, goal_number), statement in (goals or {("sdg", 8): "Decent work"}).items():
        workshop.goals.append(ArtisanGoal(kind=kind, number=goal_number, statement=statement))
    db.session.add(workshop)
    db.session.flush()
    return workshop


def product(
    *,
    artisan_workshop=None,
    title: str | None = None,
    price_cents: int = 2500,
    stock: int = 5,
    status: str = "active",
    category: str = "ceramics",
    description: str = "A handmade piece.",
    materials: str = "clay",
    made_to_order: bool = False,
    lead_time_days: int | None = None,
    goals: list[tuple[str, int]] | None = None,
    shipping: bool = False,
):
    """A product (active by default), indexed for search like the service does."""
    number = next(_sequence)
    owner = artisan_workshop or artisan()
    item = Product(
        artisan=owner,
        title=title or f"Product {number}",
        slug=f"product-{number}",
        category_id=db.session.scalar(select(Category.id).where(Category.slug == category)),
        description=description,
        materials=materials,
        price_cents=price_cents,
        stock=stock,
        made_to_order=made_to_order,
        lead_time_days=lead_time_days,
        shipping=shipping,
        status=ProductStatus(status),
        published_at=utcnow() if status == "active" else None,
    )
    for kind, goal_number in goals if goals is not None else [("sdg", 8)]:
        item.goals.append(ProductGoal(kind=kind, number=goal_number))
    db.session.add(item)
    db.session.flush()
    search.index_product(item)
    return item


# Classes and their sessions


def class_(
    *,
    artisan_workshop=None,
    title: str | None = None,
    status: str = "active",
    price_cents: int = 3500,
    duration_minutes: int = 120,
    min_participants: int = 1,
    max_participants: int = 8,
    meeting_area: str = "La Floresta",
    address: str = ADDRESS,
    timezone: str = "America/Guayaquil",
    policy: str = "flexible",
    goals: list[tuple[str, int]] | None = None,
    description: str = "We make a bowl together.",
    languages: str = "Spanish",
) -> Class:
    """A class (active by default) of an approved artisan unless one is given."""
    number = next(_sequence)
    owner = artisan_workshop or artisan()
    klass = Class(
        artisan=owner,
        title=title or f"Class {number}",
        slug=f"class-{number}",
        description=description,
        included="Clay and tea",
        languages=languages,
        duration_minutes=duration_minutes,
        price_cents=price_cents,
        min_participants=min_participants,
        max_participants=max_participants,
        meeting_area=meeting_area,
        address=address,
        timezone=timezone,
        cancellation_policy=CancellationPolicy(policy),
        status=ClassStatus(status),
        published_at=utcnow() if status == "active" else None,
    )
    for kind, goal_number in goals if goals is not None else [("sdg", 8)]:
        klass.goals.append(ClassGoal(kind=kind, number=goal_number))
    db.session.add(klass)
    db.session.flush()
    return klass


def session(
    *,
    klass: Class | None = None,
    starts_at: datetime | None = None,
    capacity: int = 8,
    seats_taken: int = 0,
    status: str = "scheduled",
) -> ClassSession:
    """A session, a week from now by default."""
    item = ClassSession(
        class_=klass or class_(),
        starts_at=starts_at or (utcnow() + timedelta(days=7)).replace(microsecond=0),
        capacity=capacity,
        seats_taken=seats_taken,
        status=SessionStatus(status),
        cancelled_at=utcnow() if status == "cancelled" else None,
    )
    db.session.add(item)
    db.session.flush()
    return item


def class_form(**overrides) -> dict:
    """A valid class form as a browser sends it."""
    data = {
        "title": "Cerámica para principiantes",
        "description": "Hacemos un cuenco.",
        "included": "Barro y té",
        "skill_level": "beginner",
        "languages": "Español",
        "duration_minutes": "120",
        "price": "35.00",
        "min_participants": "2",
        "max_participants": "6",
        "decision_hours": "48",
        "meeting_area": "La Floresta",
        "address": ADDRESS,
        "timezone": "America/Guayaquil",
        "cancellation_policy": "flexible",
        "goals": ["sdg-8"],
    }
    data.update(overrides)
    return data


# Orders, bookings and waitlist places, placed through the services as a checkout does


def order(
    products=(),
    *,
    seats=(),
    name: str = "Gina Guest",
    email: str = "gina@example.com",
    deliveries: dict | None = None,
    token: str | None = None,
    address: str = "",
    user_id: int | None = None,
):
    """A placed order (pending payment, stock and seats reserved) for `products`, a list
    of (product, quantity), and `seats`, a list of (session, quantity, attendee names);
    products are picked up unless `deliveries` says otherwise."""
    entries = [CartEntry("product", item.id, quantity) for item, quantity in products]
    entries += [CartEntry("seat", s.id, quantity, names) for s, quantity, names in seats]
    return ordering.place_order(
        ordering.CheckoutRequest(
            entries=entries,
            contact=ordering.Contact(name, email),
            deliveries=deliveries or {item.artisan_id: Delivery.PICKUP for item, _ in products},
            checkout_token=token or f"factory-{next(_sequence)}-{random.random()}",
            address=address,
            user_id=user_id,
        )
    )


def pay(order) -> str:
    """Pay an order in full through the demo gateway; returns the payment's outcome."""
    start = DemoGateway().start(order, 1)
    payment = Payment(
        order_id=order.id,
        gateway="demo",
        gateway_ref=start.gateway_ref,
        amount_cents=order.total_cents,
        currency=order.currency,
    )
    db.session.add(payment)
    db.session.flush()
    return payments.confirm_payment(payment, order.total_cents, order.currency)


def paid_order(products=(), **kwargs):
    """A placed order, paid in full (see `order` for the arguments)."""
    placed = order(products, **kwargs)
    pay(placed)
    return placed


def book(session, quantity=1, names=None, token=None):
    """A placed booking of `quantity` seats of a session by Lucía (not paid yet)."""
    names = names or tuple(f"Person {i}" for i in range(quantity))
    return order(
        seats=[(session, quantity, names)],
        name="Lucía",
        email="lucia@example.com",
        token=token or f"seat-{random.random()}",
    )


def paid_booking(session, quantity=1, names=None):
    """A booking of `quantity` seats of a session, paid in full."""
    booked = book(session, quantity, names)
    pay(booked)
    return booked


def join_waitlist(session, quantity=1, email=None, confirmed=True, **kwargs):
    """A place on a session's waitlist through the waitlist service; a guest's place is
    confirmed (as from the e-mailed link) unless confirmed=False."""
    number = next(_sequence)
    entry = waitlist.join(
        waitlist.JoinRequest(
            session_id=session.id,
            email=email or f"waiting{number}@example.com",
            name=f"Waiting {number}",
            quantity=quantity,
            attendees=[f"Guest {number}.{i}" for i in range(quantity)],
            **kwargs,
        )
    )
    if confirmed and not entry.is_confirmed:
        waitlist.confirm(entry)
    return entry


def full_session(db, capacity=2, **kwargs) -> tuple[ClassSession, list]:
    """A session whose seats are all booked and paid, one seat per order; committed (the
    waitlist tests hand it to other requests and threads). kwargs go to `session`."""
    full = session(capacity=capacity, **kwargs)
    paid = [paid_booking(full, 1) for _ in range(capacity)]
    db.session.commit()
    return full, paid


def checkout_request(entries, *, deliveries=None, token=None, address="", user_id=None, email=None):
    """A guest's checkout of (product, quantity) pairs, picked up from each artisan."""
    return ordering.CheckoutRequest(
        entries=[CartEntry("product", p.id, q) for p, q in entries],
        contact=ordering.Contact("Gina Guest", email or "gina@example.com"),
        deliveries=deliveries or {p.artisan_id: Delivery.PICKUP for p, _ in entries},
        checkout_token=token or f"token-{id(entries)}-{utcnow().timestamp()}",
        address=address,
        user_id=user_id,
    )


# Trust: purchases that can be reviewed, reviews and conversations


def completed_purchase(buyer: User, item, quantity: int = 1, completed_at: datetime | None = None):
    """A paid order of `buyer`'s account for one product, its artisan group completed (by the
    artisan, through the lifecycle); `completed_at` moves that moment into the past."""
    placed = paid_order([(item, quantity)], name=buyer.name, email=buyer.email, user_id=buyer.id)
    group = placed.groups[0]
    lifecycle.set_fulfilment(group, item.artisan.user, FulfilmentStatus.COMPLETED)
    if completed_at is not None:
        group.completed_at = completed_at
        db.session.flush()
    return placed.lines[0]


def attended_booking(buyer: User, klass=None, ended_ago: timedelta = timedelta(hours=1)):
    """A paid booking of `buyer`'s account whose session ended `ended_ago` (booked while it
    was ahead, then the clock moved on: its start is set into the past)."""
    upcoming = session(klass=klass or class_())
    placed = order(
        seats=[(upcoming, 1, (buyer.name,))], name=buyer.name, email=buyer.email, user_id=buyer.id
    )
    pay(placed)
    length = timedelta(minutes=upcoming.class_.duration_minutes)
    upcoming.starts_at = (utcnow() - ended_ago - length).replace(microsecond=0)
    db.session.flush()
    return placed.lines[0]


def review(line, *, rating: int = 5, body: str = "Muy bonito."):
    """A published review of a reviewable line, written through the service by its buyer."""
    written = reviews.write_review(line, line.order.user, reviews.ReviewData(rating, body))
    db.session.flush()
    return written
