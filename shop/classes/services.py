"""Class rules: creating and publishing classes, photos, dated sessions, public listings."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from shop.artisans.listings import fill_texts, sync_goals
from shop.artisans.models import Artisan, ArtisanStatus
from shop.classes.models import (
    DEFAULT_DECISION_HOURS,
    MAX_DECISION_HOURS,
    CancellationPolicy,
    Class,
    ClassGoal,
    ClassPhoto,
    ClassSession,
    ClassStatus,
    SessionStatus,
    SkillLevel,
)
from shop.core.dates import format_day
from shop.core.errors import NotAllowed, ValidationFailed
from shop.core.money import DEFAULT_CURRENCY
from shop.core.signals import classes_public_again
from shop.core.states import StateMachine
from shop.core.text import slugify
from shop.core.time import utcnow
from shop.extensions import db
from shop.media import gallery
from shop.media.models import Image

log = logging.getLogger(__name__)
C = ClassStatus

SESSION_STATES = StateMachine(
    ClassSession,
    {
        "cancel": ({SessionStatus.SCHEDULED}, SessionStatus.CANCELLED),
        # Confirming sets confirmed_at and stays scheduled: bookable as before.
        "confirm": ({SessionStatus.SCHEDULED}, SessionStatus.SCHEDULED),
    },
)
CLASS_STATES = StateMachine(
    Class,
    {
        "publish": ({C.DRAFT, C.HIDDEN}, C.ACTIVE),
        "hide": ({C.ACTIVE}, C.HIDDEN),
        "archive": ({C.DRAFT, C.ACTIVE, C.HIDDEN}, C.ARCHIVED),
        "restore": ({C.ARCHIVED}, C.DRAFT),
    },
)


MAX_PRICE_CENTS = 10_000_000
MAX_DURATION_MINUTES = 24 * 60
MAX_PARTICIPANTS = 500
MAX_WEEKS = 52


@cache
def known_timezones() -> frozenset[str]:
    """Every IANA zone name this machine's tz database knows."""
    return frozenset(available_timezones())


def is_valid_timezone(name: str) -> bool:
    """True for an IANA zone name such as America/Guayaquil."""
    if name not in known_timezones():
        return False
    try:
        ZoneInfo(name)
    except (ValueError, KeyError):
        return False
    return True


def local_to_utc(day: date, at: time, zone: str) -> datetime:
    """A wall-clock date and time in zone, as an aware UTC instant.

    A time skipped when clocks spring forward does not exist and is refused. A time that
    happens twice when clocks fall back means its first occurrence (fold=0, still summer time).
    """
    tz = ZoneInfo(zone)
    wall = datetime.combine(day, at.replace(second=0, microsecond=0, tzinfo=None))
    instant = wall.replace(tzinfo=tz).astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != wall:
        raise ValidationFailed(
            str(
                _l(
                    "%(time)s does not exist on %(date)s in this time zone: the clocks "
                    "change that night. Choose another time.",
                    time=wall.strftime("%H:%M"),  # the wall time as typed
                    date=format_day(day),
                )
            ),
            field="time",
        )
    return instant


@dataclass
class ClassData:
    """What an artisan fills in for a class."""

    title: str
    price_cents: int
    duration_minutes: int
    max_participants: int
    meeting_area: str
    address: str
    min_participants: int = 1
    decision_hours: int = DEFAULT_DECISION_HOURS
    description: str = ""
    included: str = ""
    skill_level: SkillLevel = SkillLevel.ALL
    languages: str = ""
    what_to_bring: str = ""
    accessibility: str = ""
    currency: str = DEFAULT_CURRENCY
    timezone: str = "America/Guayaquil"
    cancellation_policy: CancellationPolicy = CancellationPolicy.FLEXIBLE
    goals: list[tuple[str, int]] | None = None  # None: the artisan's goals
    language: str = "es"  # the language the artisan wrote in
    title_translated: str = ""  # optional, in the other language
    description_translated: str = ""
    private_min_cents: int | None = None  # None: no private booking of a whole session


def _unique_slug(title: str, exclude_id: int | None = None) -> str:
    base = slugify(title)[:100] or "class"
    candidate, number = base, 2
    while True:
        query = select(Class.id).where(Class.slug == candidate)
        if exclude_id is not None:
            query = query.where(Class.id != exclude_id)
        if db.session.scalar(query) is None:
            return candidate
        candidate, number = f"{base}-{number}", number + 1


def _validate(data: ClassData) -> None:
    if not data.title.strip():
        raise ValidationFailed(str(_l("Give the class a title.")), field="title")
    if data.price_cents <= 0:
        raise ValidationFailed(str(_l("The price must be more than zero.")), field="price")
    if data.price_cents > MAX_PRICE_CENTS:
        raise ValidationFailed(str(_l("That price is too high for this shop.")), field="price")
    if data.private_min_cents is not None and not 0 < data.private_min_cents <= MAX_PRICE_CENTS:
        raise ValidationFailed(
            str(_l("The minimum for a private session must be more than zero.")),
            field="private_min",
        )
    if not 0 < data.duration_minutes <= MAX_DURATION_MINUTES:
        raise ValidationFailed(
            str(_l("A class lasts between 1 minute and 24 hours.")), field="duration_minutes"
        )
    if data.min_participants < 1:
        raise ValidationFailed(
            str(_l("At least one participant is needed.")), field="min_participants"
        )
    if data.max_participants > MAX_PARTICIPANTS:
        raise ValidationFailed(
            str(_l("A class can have at most %(n)d participants.", n=MAX_PARTICIPANTS)),
            field="max_participants",
        )
    if data.max_participants < data.min_participants:
        raise ValidationFailed(
            str(_l("The maximum cannot be lower than the minimum.")), field="max_participants"
        )
    if not 1 <= data.decision_hours <= MAX_DECISION_HOURS:
        raise ValidationFailed(
            str(_l("Decide between 1 and %(n)d hours before the class.", n=MAX_DECISION_HOURS)),
            field="decision_hours",
        )
    if not data.meeting_area.strip():
        raise ValidationFailed(
            str(_l("Say in which neighbourhood the class meets.")), field="meeting_area"
        )
    if not data.address.strip():
        raise ValidationFailed(
            str(_l("Give the address; only booked customers will see it.")), field="address"
        )
    if not is_valid_timezone(data.timezone):
        raise ValidationFailed(str(_l("Choose a time zone from the list.")), field="timezone")


def _fill(klass: Class, data: ClassData) -> None:
    klass.title = data.title.strip()
    klass.description = data.description.replace("\r\n", "\n").strip()
    klass.included = data.included.replace("\r\n", "\n").strip()
    klass.skill_level = SkillLevel(data.skill_level)
    klass.languages = data.languages.strip()
    klass.what_to_bring = data.what_to_bring.replace("\r\n", "\n").strip()
    klass.accessibility = data.accessibility.replace("\r\n", "\n").strip()
    klass.duration_minutes = data.duration_minutes
    klass.price_cents = data.price_cents
    klass.currency = data.currency.upper()
    klass.min_participants = data.min_participants
    klass.max_participants = data.max_participants
    klass.decision_hours = data.decision_hours
    klass.meeting_area = data.meeting_area.strip()
    klass.address = data.address.strip()
    klass.timezone = data.timezone
    klass.cancellation_policy = CancellationPolicy(data.cancellation_policy)
    sync_goals(klass.goals, data.goals, klass.artisan, ClassGoal)
    fill_texts(klass, data.language, data.title_translated, data.description_translated)
    klass.private_min_cents = data.private_min_cents


def create_class(artisan: Artisan, data: ClassData) -> Class:
    """A new draft class (pending artisans may prepare drafts)."""
    if artisan.status in (ArtisanStatus.SUSPENDED, ArtisanStatus.REJECTED):
        raise NotAllowed(str(_l("Your workshop cannot add classes right now.")))
    _validate(data)
    klass = Class(artisan=artisan, status=C.DRAFT, slug=_unique_slug(data.title))
    _fill(klass, data)
    db.session.add(klass)
    db.session.flush()
    log.info("class %s created by artisan %s", klass.id, artisan.id)
    return klass


def update_class(klass: Class, data: ClassData) -> Class:
    """Save edits. The zone cannot change under upcoming sessions (their wall time would)."""
    if klass.artisan.status == ArtisanStatus.SUSPENDED:
        raise NotAllowed(str(_l("Your workshop cannot change classes right now.")))
    _validate(data)
    if data.timezone != klass.timezone and upcoming_session_count(klass) > 0:
        raise ValidationFailed(
            str(_l("Cancel the upcoming sessions before changing the time zone.")),
            field="timezone",
        )
    _fill(klass, data)
    db.session.flush()
    return klass


def change_status(klass: Class, action: str) -> Class:
    """Publish, hide, archive or restore a class."""
    target = CLASS_STATES[action].target
    if target == C.ACTIVE and klass.artisan.status != ArtisanStatus.APPROVED:
        raise NotAllowed(str(_l("You can publish once your workshop is approved.")))
    if target == C.ARCHIVED and booked_upcoming_count(klass) > 0:
        raise NotAllowed(
            str(_l("People have booked upcoming sessions: cancel those sessions first."))
        )
    if target == C.ACTIVE and klass.moderation_reason is not None:
        raise NotAllowed(
            str(
                _l("An admin hid this listing: change it and ask for a review to publish it again.")
            )
        )
    first_time = target == C.ACTIVE and klass.published_at is None
    CLASS_STATES.require(klass, action, **({"published_at": utcnow()} if first_time else {}))
    if target == C.ACTIVE:
        classes_public_again.send([klass.id])  # seats freed while hidden: the queue first
    log.info("class %s: %s", klass.id, action)
    return klass


def add_photo(klass: Class, image: Image) -> ClassPhoto:
    """Attach a stored photo at the end of the gallery."""
    return gallery.add_photo(klass, ClassPhoto, image)


def remove_photo(klass: Class, photo_id: int) -> None:
    """Detach a photo from the gallery."""
    gallery.remove_photo(klass, photo_id)


def move_photo(klass: Class, photo_id: int, step: int) -> None:
    """Move a photo one place earlier (step=-1) or later (step=1)."""
    gallery.move_photo(klass, photo_id, step)


# Sessions


def _check_can_schedule(klass: Class) -> None:
    if klass.status == C.ARCHIVED:
        raise NotAllowed(str(_l("Restore the class before adding sessions.")))
    if klass.artisan.status in (ArtisanStatus.SUSPENDED, ArtisanStatus.REJECTED):
        raise NotAllowed(str(_l("Your workshop cannot add sessions right now.")))


def check_capacity(capacity: int, field: str = "capacity") -> None:
    if capacity <= 0:
        raise ValidationFailed(str(_l("Capacity must be at least 1.")), field=field)


def _new_session(klass: Class, starts_at: datetime, capacity: int, now: datetime) -> ClassSession:
    if starts_at <= now:
        raise ValidationFailed(
            str(
                _l(
                    "%(date)s has already passed. Choose a future date and time.",
                    date=format_day(starts_at, klass.timezone),
                )
            ),
            field="date",
        )
    clash = db.session.scalar(
        select(ClassSession.id).where(
            ClassSession.class_id == klass.id,
            ClassSession.starts_at == starts_at,
            ClassSession.status == SessionStatus.SCHEDULED,
        )
    )
    if clash is not None:
        raise ValidationFailed(
            str(
                _l(
                    "There is already a session on %(date)s at this time.",
                    date=format_day(starts_at, klass.timezone),
                )
            ),
            field="date",
        )
    session = ClassSession(class_=klass, starts_at=starts_at, capacity=capacity, seats_taken=0)
    db.session.add(session)
    return session


def add_session(
    klass: Class,
    day: date,
    local_time: time,
    capacity: int | None = None,
    *,
    now: datetime | None = None,
) -> ClassSession:
    """Schedule one session at a wall-clock date and time in the class's zone."""
    _check_can_schedule(klass)
    capacity = klass.max_participants if capacity is None else capacity
    check_capacity(capacity)
    starts_at = local_to_utc(day, local_time, klass.timezone)
    session = _new_session(klass, starts_at, capacity, now or utcnow())
    db.session.flush()
    log.info("class %s: session %s added", klass.id, session.id)
    return session


def weekly_dates(starting: date, weekday: int, weeks: int) -> list[date]:
    """`weeks` dates on `weekday` (Monday=0), the first on or after `starting`."""
    first = starting + timedelta(days=(weekday - starting.weekday()) % 7)
    return [first + timedelta(weeks=n) for n in range(weeks)]


def add_weekly_sessions(
    klass: Class,
    *,
    weekday: int,
    starting: date,
    local_time: time,
    weeks: int,
    capacity: int | None = None,
    now: datetime | None = None,
) -> list[ClassSession]:
    """Schedule a weekly series: the same wall-clock time every week, across clock changes.

    Each date is converted on its own, so 10:00 stays 10:00 locally and the UTC instant
    moves by an hour when daylight saving time starts or ends. All or nothing.
    """
    _check_can_schedule(klass)
    if not 0 <= weekday <= 6:
        raise ValidationFailed(str(_l("Choose a day of the week.")), field="weekday")
    if not 1 <= weeks <= MAX_WEEKS:
        raise ValidationFailed(
            str(_l("A series has between 1 and %(n)d weeks.", n=MAX_WEEKS)), field="weeks"
        )
    capacity = klass.max_participants if capacity is None else capacity
    check_capacity(capacity)
    now = now or utcnow()
    sessions = [
        _new_session(klass, local_to_utc(day, local_time, klass.timezone), capacity, now)
        for day in weekly_dates(starting, weekday, weeks)
    ]
    db.session.flush()
    log.info("class %s: %d weekly sessions added", klass.id, len(sessions))
    return sessions


def sessions_of(klass: Class, *, upcoming: bool = True, now: datetime | None = None):
    """The class's sessions in date order: upcoming (default) or past."""
    now = now or utcnow()
    query = select(ClassSession).where(ClassSession.class_id == klass.id)
    if upcoming:
        query = query.where(ClassSession.starts_at > now).order_by(ClassSession.starts_at)
    else:
        query = query.where(ClassSession.starts_at <= now).order_by(ClassSession.starts_at.desc())
    return list(db.session.scalars(query))


def upcoming_session_count(klass: Class, now: datetime | None = None) -> int:
    """Scheduled sessions still to come."""
    return db.session.scalar(
        select(func.count(ClassSession.id)).where(
            ClassSession.class_id == klass.id,
            ClassSession.status == SessionStatus.SCHEDULED,
            ClassSession.starts_at > (now or utcnow()),
        )
    )


def booked_upcoming_count(klass: Class, now: datetime | None = None) -> int:
    """Scheduled sessions still to come with seats taken or held for the waitlist."""
    return db.session.scalar(
        select(func.count(ClassSession.id)).where(
            ClassSession.class_id == klass.id,
            ClassSession.status == SessionStatus.SCHEDULED,
            ClassSession.starts_at > (now or utcnow()),
            ClassSession.seats_taken + ClassSession.seats_held > 0,
        )
    )


def attendee_names(raw: list[str], quantity: int) -> tuple[str, ...]:
    """One name per seat, trimmed (booking through the cart and joining a waitlist)."""
    names = tuple(name.strip()[:80] for name in raw if name.strip())
    if len(names) != quantity:
        raise ValidationFailed(
            str(_l("Write one name per seat (%(n)d).", n=quantity)), field="attendees"
        )
    return names


# Public queries
