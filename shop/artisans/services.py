"""Artisan rules: applying, editing, consent, admin decisions and goal verification."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from shop.artisans.models import (
    Artisan,
    ArtisanEvent,
    ArtisanGoal,
    ArtisanStatus,
    PublicName,
)
from shop.auth.models import User
from shop.core.text import slugify
from shop.core.time import utcnow
from shop.errors import InvalidTransition, NotAllowed, ValidationFailed
from shop.extensions import db
from shop.goals import get_goal
from shop.mail import queue_email, render_email

log = logging.getLogger(__name__)

S = ArtisanStatus


@dataclass(frozen=True)
class Decision:
    """An admin action on an application: where it may start, where it ends."""

    action: str
    sources: frozenset[ArtisanStatus]
    target: ArtisanStatus
    reason_required: bool


DECISIONS = {
    d.action: d
    for d in (
        Decision("approve", frozenset({S.PENDING}), S.APPROVED, False),
        Decision("reject", frozenset({S.PENDING, S.CHANGES_REQUESTED}), S.REJECTED, True),
        Decision("request_changes", frozenset({S.PENDING}), S.CHANGES_REQUESTED, True),
        Decision("suspend", frozenset({S.APPROVED}), S.SUSPENDED, True),
        Decision("reinstate", frozenset({S.SUSPENDED}), S.APPROVED, False),
    )
}
# The artisan's own move: send an edited application back to the queue.
RESUBMIT = Decision("resubmit", frozenset({S.REJECTED, S.CHANGES_REQUESTED}), S.PENDING, False)


@dataclass
class ApplicationData:
    """Everything an artisan fills in; the same shape for applying and editing."""

    shop_name: str
    first_name: str
    craft: str
    city: str
    country: str
    tagline: str = ""
    story: str = ""
    story_url: str | None = None
    slug: str | None = None
    public_name_choice: PublicName = PublicName.SHOP_NAME
    origin_country: str | None = None
    show_origin: bool = False
    languages: str = ""
    consent: bool = False
    goals: dict[tuple[str, int], str] = field(default_factory=dict)


SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
RESERVED_SLUGS = frozenset({"new", "apply", "edit", "admin", "api", "me"})


def slug_taken(slug: str, exclude_id: int | None = None) -> bool:
    """True when another artisan already uses slug."""
    query = select(Artisan.id).where(Artisan.slug == slug)
    if exclude_id is not None:
        query = query.where(Artisan.id != exclude_id)
    return slug in RESERVED_SLUGS or db.session.scalar(query) is not None


def suggest_slug(base: str, exclude_id: int | None = None) -> str:
    """The first free variant of base: base, base-2, base-3..."""
    base = slugify(base) or "taller"
    if not slug_taken(base, exclude_id):
        return base
    number = 2
    while slug_taken(f"{base[:75]}-{number}", exclude_id):
        number += 1
    return f"{base[:75]}-{number}"


def _check_identity(data: ApplicationData, artisan_id: int | None) -> str:
    """Validate shop name and slug uniqueness; return the slug to use."""
    name_query = select(Artisan.id).where(func.lower(Artisan.shop_name) == data.shop_name.lower())
    if artisan_id is not None:
        name_query = name_query.where(Artisan.id != artisan_id)
    if db.session.scalar(name_query) is not None:
        raise ValidationFailed(
            str(_l("Another workshop already uses this name. Please choose another.")),
            field="shop_name",
        )
    slug = slugify(data.slug or data.shop_name)
    if not slug or not SLUG_RE.match(slug):
        raise ValidationFailed(
            str(_l("Use letters, numbers and hyphens for the web address.")), field="slug"
        )
    if slug_taken(slug, artisan_id):
        raise ValidationFailed(
            str(
                _l(
                    "This web address is taken. How about “%(suggestion)s”?",
                    suggestion=suggest_slug(slug, artisan_id),
                )
            ),
            field="slug",
        )
    return slug


def _set_goals(artisan: Artisan, goals: dict[tuple[str, int], str]) -> None:
    """Replace the artisan's goals, keeping verification where the statement is unchanged."""
    for kind, number in goals:
        if get_goal(kind, number) is None:
            raise ValidationFailed(str(_l("Unknown goal.")), field="goals")
    existing = {(g.kind, g.number): g for g in artisan.goals}
    for key, goal in existing.items():
        if key not in goals:
            artisan.goals.remove(goal)
    for (kind, number), statement in goals.items():
        statement = (statement or "").strip()[:200]
        goal = existing.get((kind, number))
        if goal is None:
            artisan.goals.append(ArtisanGoal(kind=kind, number=number, statement=statement))
        elif goal.statement != statement:
            goal.statement = statement
            goal.verified_at = None  # a changed claim needs checking again
            goal.verified_by_id = None


def _fill(artisan: Artisan, data: ApplicationData, slug: str) -> None:
    if data.story and len(data.story) > 20_000:
        raise ValidationFailed(
            str(_l("Your story can have at most 20,000 characters.")), field="story"
        )
    artisan.shop_name = data.shop_name.strip()
    artisan.slug = slug
    artisan.first_name = data.first_name.strip()
    artisan.public_name_choice = data.public_name_choice
    artisan.craft = data.craft.strip()
    artisan.city = data.city.strip()
    artisan.country = data.country.upper()
    artisan.origin_country = (data.origin_country or None) and data.origin_country.upper()
    artisan.show_origin = bool(data.origin_country) and data.show_origin
    artisan.languages = data.languages.strip()
    artisan.tagline = data.tagline.strip()
    artisan.story = data.story.replace("\r\n", "\n").strip()
    artisan.story_url = data.story_url or None


def _record(
    artisan: Artisan, actor: User | None, action: str, before: str | None, reason: str | None = None
) -> None:
    db.session.add(
        ArtisanEvent(
            artisan=artisan,
            actor_id=actor.id if actor else None,
            action=action,
            from_status=before,
            to_status=str(artisan.status),
            reason=reason,
        )
    )


def apply(user: User, data: ApplicationData) -> Artisan:
    """Open a workshop application for user (one per account)."""
    if db.session.scalar(select(Artisan.id).where(Artisan.user_id == user.id)) is not None:
        raise NotAllowed(str(_l("You already have a workshop.")))
    if not data.consent:
        raise ValidationFailed(
            str(_l("We can only publish your story with your consent.")), field="consent"
        )
    slug = _check_identity(data, None)
    artisan = Artisan(user=user, status=S.PENDING, submitted_at=utcnow(), consent_at=utcnow())
    _fill(artisan, data, slug)
    _set_goals(artisan, data.goals)
    db.session.add(artisan)
    db.session.flush()
    _record(artisan, user, "apply", None)
    for admin in db.session.scalars(select(User).where(User.is_admin.is_(True))):
        queue_email(
            db.session,
            render_email(
                admin.email, "admin_new_application", locale=admin.locale, artisan=artisan
            ),
        )
    log.info("artisan application: artisan=%s user=%s", artisan.id, user.id)
    return artisan


def update(artisan: Artisan, data: ApplicationData) -> Artisan:
    """Save the artisan's edits; status does not change (resubmit is its own step)."""
    if artisan.status == S.SUSPENDED:
        raise NotAllowed(str(_l("A suspended workshop cannot be edited. Please contact us.")))
    slug = _check_identity(data, artisan.id)
    _fill(artisan, data, slug)
    _set_goals(artisan, data.goals)
    db.session.flush()
    from shop.catalog.search import index_product  # the artisan's name is searchable

    for product in artisan.products:
        index_product(product)
    return artisan


def set_photo(artisan: Artisan, which: str, image) -> None:
    """Attach a stored photo as the profile or cover picture."""
    if which == "profile":
        artisan.profile_image = image
    elif which == "cover":
        artisan.cover_image = image
    else:
        raise ValueError(which)


def resubmit(artisan: Artisan, actor: User) -> Artisan:
    """Send a rejected or returned application back to the admins' queue."""
    if actor.id != artisan.user_id:
        raise NotAllowed()
    before = _move(artisan, RESUBMIT)
    artisan.submitted_at = utcnow()
    _record(artisan, actor, RESUBMIT.action, str(before))
    return artisan


def _move(artisan: Artisan, decision: Decision) -> ArtisanStatus:
    before = artisan.status
    if before not in decision.sources:
        raise InvalidTransition(
            str(
                _l(
                    "A workshop that is %(status)s cannot be changed that way.",
                    status=status_label(before),
                )
            )
        )
    artisan.status = decision.target
    return before


def decide(artisan: Artisan, admin: User, action: str, reason: str | None = None) -> Artisan:
    """Apply an admin decision, log it and e-mail the artisan."""
    if not admin.is_admin:
        raise NotAllowed()
    if admin.id == artisan.user_id:
        raise NotAllowed(str(_l("Nobody can decide on their own workshop.")))
    decision = DECISIONS.get(action)
    if decision is None:
        raise InvalidTransition()
    reason = (reason or "").strip() or None
    if decision.reason_required and not reason:
        raise ValidationFailed(
            str(_l("Please give a reason: the artisan will read it.")), field="reason"
        )
    before = _move(artisan, decision)
    artisan.status_reason = reason
    if decision.target == S.APPROVED and artisan.approved_at is None:
        artisan.approved_at = utcnow()
    _record(artisan, admin, action, str(before), reason)
    if decision.target == S.APPROVED:
        _offer_freed_class_seats(artisan)
    queue_email(
        db.session,
        render_email(
            artisan.user.email,
            "artisan_decision",
            locale=artisan.user.locale,
            artisan=artisan,
            action=action,
            reason=reason,
        ),
    )
    log.info("artisan %s: %s by admin %s", artisan.id, action, admin.id)
    return artisan


def withdraw_consent(artisan: Artisan, actor: User) -> Artisan:
    """Hide the profile at once: the story is no longer published."""
    if actor.id != artisan.user_id:
        raise NotAllowed()
    if artisan.consent_withdrawn_at is None:
        artisan.consent_withdrawn_at = utcnow()
        _record(artisan, actor, "withdraw_consent", str(artisan.status))
    return artisan


def give_consent(artisan: Artisan, actor: User) -> Artisan:
    """Publish the story again (if the workshop is approved)."""
    if actor.id != artisan.user_id:
        raise NotAllowed()
    if not artisan.has_consent:
        artisan.consent_at = utcnow()
        artisan.consent_withdrawn_at = None
        _record(artisan, actor, "give_consent", str(artisan.status))
        _offer_freed_class_seats(artisan)
    return artisan


def _offer_freed_class_seats(artisan: Artisan) -> None:
    """The workshop may be public again: class seats freed while it was hidden go to the
    waitlists first, before anyone else can book them."""
    from shop.classes.models import Class
    from shop.classes.waitlist import offer_seats_of_classes

    db.session.flush()
    offer_seats_of_classes(
        list(db.session.scalars(select(Class.id).where(Class.artisan_id == artisan.id)))
    )


def verify_goal(goal: ArtisanGoal, admin: User, verified: bool) -> ArtisanGoal:
    """Mark a contribution statement as checked by an admin (or undo that)."""
    if not admin.is_admin or admin.id == goal.artisan.user_id:
        raise NotAllowed()
    goal.verified_at = utcnow() if verified else None
    goal.verified_by_id = admin.id if verified else None
    _record(
        goal.artisan,
        admin,
        "verify_goal" if verified else "unverify_goal",
        str(goal.artisan.status),
        f"{goal.kind.upper()} {goal.number}",
    )
    return goal


STATUS_LABELS = {
    S.PENDING: _l("waiting for review"),
    S.CHANGES_REQUESTED: _l("changes requested"),
    S.APPROVED: _l("approved"),
    S.REJECTED: _l("not approved"),
    S.SUSPENDED: _l("suspended"),
}


def status_label(status: ArtisanStatus) -> str:
    """Human words for a status, in the current language."""
    return str(STATUS_LABELS[status])


def public_artisans(
    craft: str | None = None, city: str | None = None, goal: tuple[str, int] | None = None
):
    """A select() of public artisans with filters, photos and goals loaded up front."""
    from sqlalchemy.orm import selectinload

    query = (
        Artisan.select_public()
        .options(
            selectinload(Artisan.goals),
            selectinload(Artisan.profile_image),
            selectinload(Artisan.cover_image),
        )
        .order_by(Artisan.approved_at.desc(), Artisan.id.desc())
    )
    if craft:
        query = query.where(func.lower(Artisan.craft) == craft.strip().lower())
    if city:
        query = query.where(func.lower(Artisan.city) == city.strip().lower())
    if goal:
        query = query.where(
            Artisan.goals.any((ArtisanGoal.kind == goal[0]) & (ArtisanGoal.number == goal[1]))
        )
    return query


def public_facets() -> dict[str, list[str]]:
    """Distinct crafts and cities among public artisans, for the directory filters."""
    crafts = db.session.scalars(
        select(Artisan.craft).where(Artisan.public_filter()).distinct().order_by(Artisan.craft)
    ).all()
    cities = db.session.scalars(
        select(Artisan.city).where(Artisan.public_filter()).distinct().order_by(Artisan.city)
    ).all()
    return {"crafts": list(crafts), "cities": list(cities)}


def goal_counts() -> dict[tuple[str, int], int]:
    """How many public artisans support each goal."""
    rows = db.session.execute(
        select(ArtisanGoal.kind, ArtisanGoal.number, func.count(ArtisanGoal.artisan_id))
        .join(Artisan)
        .where(Artisan.public_filter())
        .group_by(ArtisanGoal.kind, ArtisanGoal.number)
    )
    return {(kind, number): count for kind, number, count in rows}


def get_public_artisan(slug: str) -> Artisan | None:
    """The public artisan with this slug, or None (404 for everyone else)."""
    return db.session.scalar(public_artisans().where(Artisan.slug == slug))
