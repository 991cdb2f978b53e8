"""What visitors see of classes: the public list with its filters, upcoming sessions, cities."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import aliased, contains_eager, joinedload, with_expression

from shop.artisans.models import Artisan
from shop.classes.models import Class, ClassGoal, ClassSession, ClassStatus, SessionStatus
from shop.core.time import utcnow
from shop.extensions import db

C = ClassStatus


@dataclass
class ClassFilters:
    """What a visitor can filter classes by."""

    city: str | None = None
    goal: tuple[str, int] | None = None
    artisan: str | None = None


def _upcoming(now: datetime):
    # Private sessions belong to one group: never listed, never sold seat by seat.
    return (
        (ClassSession.status == SessionStatus.SCHEDULED)
        & (ClassSession.starts_at > now)
        & ClassSession.private.is_(False)
    )


def public_classes(filters: ClassFilters, now: datetime | None = None):
    """A select() of public classes with an upcoming session, soonest first, eager-loaded."""
    now = now or utcnow()
    ranked = _ranked_upcoming(now)
    following = aliased(ClassSession)
    # One statement: the class, its next session and the count of those to come, its artisan,
    # photos and goals (a card needs them all).
    query = (
        select(Class)
        .join(ranked, (ranked.c.class_id == Class.id) & (ranked.c.rank == 1))
        .join(following, following.id == ranked.c.id)
        .join(Class.artisan)
        .where(Class.status == C.ACTIVE, Artisan.public_filter())
        .options(
            joinedload(Class.photos),
            joinedload(Class.goals),
            contains_eager(Class.artisan),
            contains_eager(Class.next_session.of_type(following)),
            with_expression(Class.upcoming_sessions, ranked.c.upcoming),
        )
    )
    if filters.city:
        query = query.where(func.lower(Artisan.city) == filters.city.strip().lower())
    if filters.goal:
        kind, number = filters.goal
        query = query.where(
            Class.goals.any((ClassGoal.kind == kind) & (ClassGoal.number == number))
        )
    if filters.artisan:
        query = query.where(Artisan.slug == filters.artisan)
    return query.order_by(following.starts_at, Class.id)


def _ranked_upcoming(now: datetime, *where):
    """Upcoming sessions numbered per class, soonest first, with the count still to come."""
    return (
        select(
            ClassSession.id,
            ClassSession.class_id,
            func.row_number()
            .over(
                partition_by=ClassSession.class_id,
                order_by=(ClassSession.starts_at, ClassSession.id),
            )
            .label("rank"),
            func.count().over(partition_by=ClassSession.class_id).label("upcoming"),
        )
        .where(_upcoming(now), *where)
        .subquery()
    )


def next_of(classes) -> dict[int, tuple[ClassSession, int]]:
    """The next sessions of classes from public_classes(), by class id (as next_sessions)."""
    return {c.id: (c.next_session, c.upcoming_sessions) for c in classes}


def next_sessions(
    class_ids: list[int], now: datetime | None = None
) -> dict[int, tuple[ClassSession, int]]:
    """For each class: its next scheduled session and how many are still to come (one query)."""
    if not class_ids:
        return {}
    ranked = _ranked_upcoming(now or utcnow(), ClassSession.class_id.in_(class_ids))
    rows = db.session.execute(
        select(ClassSession, ranked.c.upcoming)
        .join(ranked, ranked.c.id == ClassSession.id)
        .where(ranked.c.rank == 1)
    )
    return {session.class_id: (session, upcoming) for session, upcoming in rows}


def get_public_class(slug: str) -> Class | None:
    """The class with this slug if the public may see it (with or without upcoming dates)."""
    return (
        db.session.scalars(
            select(Class)
            .join(Class.artisan)
            .where(Class.slug == slug, Class.status == C.ACTIVE, Artisan.public_filter())
            .options(
                joinedload(Class.photos),
                joinedload(Class.goals),
                contains_eager(Class.artisan).joinedload(Artisan.profile_image),
            )
        )
        .unique()
        .first()
    )


def public_sessions(klass: Class, now: datetime | None = None, limit: int = 60):
    """Upcoming sessions to list on the class page, cancelled ones included (labelled)."""
    return list(
        db.session.scalars(
            select(ClassSession)
            .where(
                ClassSession.class_id == klass.id,
                ClassSession.starts_at > (now or utcnow()),
                ClassSession.private.is_(False),
            )
            .order_by(ClassSession.starts_at, ClassSession.id)
            .limit(limit)
        )
    )


def public_cities(now: datetime | None = None) -> list[str]:
    """Cities with at least one public class coming up, for the filter."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(Artisan.city)
            .join(Class, Class.artisan_id == Artisan.id)
            .where(
                Class.status == C.ACTIVE,
                Artisan.public_filter(),
                Class.id.in_(select(ClassSession.class_id).where(_upcoming(now))),
            )
            .distinct()
            .order_by(Artisan.city)
        )
    )


def sessions_of_artisan(artisan_id: int, start: datetime, end: datetime) -> list[ClassSession]:
    """An artisan's scheduled sessions starting between two instants, soonest first."""
    return list(
        db.session.scalars(
            select(ClassSession)
            .join(ClassSession.class_)
            .where(
                Class.artisan_id == artisan_id,
                ClassSession.status == SessionStatus.SCHEDULED,
                ClassSession.starts_at >= start,
                ClassSession.starts_at < end,
            )
            .order_by(ClassSession.starts_at)
        )
    )
