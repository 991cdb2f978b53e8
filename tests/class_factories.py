"""Factories for classes and sessions: rows with sensible defaults, flushed so they have ids."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

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
from tests import factories

ADDRESS = "Calle Secreta 742 y Av. Privada, casa 3"
_sequence = itertools.count(1)


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
    owner = artisan_workshop or factories.artisan()
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
        "meeting_area": "La Floresta",
        "address": ADDRESS,
        "timezone": "America/Guayaquil",
        "cancellation_policy": "flexible",
        "goals": ["sdg-8"],
    }
    data.update(overrides)
    return data
