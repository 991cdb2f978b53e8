"""Artisan rules: applying, editing, consent, admin decisions and goal verification."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from shop.artisans.listings import LANGUAGES
from shop.artisans.models import Artisan, ArtisanEvent, ArtisanGoal, ArtisanStatus, PublicName
from shop.auth.models import User
from shop.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from shop.core.signals import artisan_changed, artisan_public_again
from shop.core.states import StateMachine
from shop.core.text import slugify
from shop.core.time import utcnow
from shop.extensions import db
from shop.goals import get_goal
from shop.mail import email_after_commit

log = logging.getLogger(__name__)

S = ArtisanStatus


ARTISAN_STATES = StateMachine(
    Artisan,
    {
        "approve": ({S.PENDING}, S.APPROVED),
        "reject": ({S.PENDING, S.CHANGES_REQUESTED}, S.REJECTED),
        "request_changes": ({S.PENDING}, S.CHANGES_REQUESTED),
        "suspend": ({S.APPROVED}, S.SUSPENDED),
        "reinstate": ({S.SUSPENDED}, S.APPROVED),
        # The artisan's own move: send an edited application back to the queue.
        "resubmit": ({S.REJECTED, S.CHANGES_REQUESTED}, S.PENDING),
    },
)
ADMIN_DECISIONS = ("approve", "reject", "request_changes", "suspend", "reinstate")
REASON_REQUIRED = frozenset({"reject", "request_changes", "suspend"})


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
    profile_language: str = "es"
    slug: str | None = None
    public_name_choice: PublicName = PublicName.SHOP_NAME
    origin_country: str | None = None
    show_origin: bool = False
    show_impact: bool = False
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


def check_identity(shop_name: str, slug: str | None, artisan_id: int | None = None) -> str:
    """Validate shop name and slug uniqueness; return the slug to use."""
    name_query = select(Artisan.id).where(func.lower(Artisan.shop_name) == shop_name.lower())
    if artisan_id is not None:
        name_query = name_query.where(Artisan.id != artisan_id)
    if db.session.scalar(name_query) is not None:
        raise ValidationFailed(
            str(_l("Another workshop already uses this name. Please choose another.")),
            field="shop_name",
        )
    slug = slugify(slug or shop_name)
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
    artisan.show_impact = data.show_impact
    artisan.languages = data.languages.strip()
    artisan.tagline = data.tagline.strip()
    artisan.profile_language = data.profile_language if data.profile_language in LANGUAGES else "es"
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
    slug = check_identity(data.shop_name, data.slug)
    artisan = Artisan(user=user, status=S.PENDING, submitted_at=utcnow(), consent_at=utcnow())
    _fill(artisan, data, slug)
    _set_goals(artisan, data.goals)
    db.session.add(artisan)
    db.session.flush()
    _record(artisan, user, "apply", None)
    for admin in db.session.scalars(select(User).where(User.is_admin.is_(True))):
        email_after_commit(
            admin.email, "admin_new_application", locale=admin.locale, artisan=artisan
        )
    log.info("artisan application: artisan=%s user=%s", artisan.id, user.id)
    return artisan


def update(artisan: Artisan, data: ApplicationData) -> Artisan:
    """Save the artisan's edits; status does not change (resubmit is its own step)."""
    if artisan.status == S.SUSPENDED:
        raise NotAllowed(str(_l("A suspended workshop cannot be edited. Please contact us.")))
    slug = check_identity(data.shop_name, data.slug, artisan.id)
    _fill(artisan, data, slug)
    _set_goals(artisan, data.goals)
    db.session.flush()
    artisan_changed.send(artisan)  # e.g. the search index holds the artisan's name
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
    before = _move(artisan, "resubmit", submitted_at=utcnow())
    _record(artisan, actor, "resubmit", str(before))
    return artisan


def _move(artisan: Artisan, action: str, **values) -> ArtisanStatus:
    """Move the application by one of ARTISAN_STATES' actions; return where it was."""
    before = artisan.status
    message = _l("A workshop that is %(status)s cannot be changed that way.", status=before.label)
    ARTISAN_STATES.require(artisan, action, message=str(message), **values)
    return before


def decide(artisan: Artisan, admin: User, action: str, reason: str | None = None) -> Artisan:
    """Apply an admin decision, log it and e-mail the artisan."""
    if not admin.is_admin:
        raise NotAllowed()
    if admin.id == artisan.user_id:
        raise NotAllowed(str(_l("Nobody can decide on their own workshop.")))
    if action not in ADMIN_DECISIONS:
        raise InvalidTransition()
    reason = (reason or "").strip() or None
    if action in REASON_REQUIRED and not reason:
        raise ValidationFailed(
            str(_l("Please give a reason: the artisan will read it.")), field="reason"
        )
    approved = ARTISAN_STATES[action].target == S.APPROVED
    values = {"status_reason": reason}
    if approved and artisan.approved_at is None:
        values["approved_at"] = utcnow()
    before = _move(artisan, action, **values)
    _record(artisan, admin, action, str(before), reason)
    if approved:
        artisan_public_again.send(artisan.id)
    email_after_commit(
        artisan.user.email,
        "artisan_decision",
        locale=artisan.user.locale,
        artisan=artisan,
        action=action,
        reason=reason,
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
        db.session.flush()
        artisan_public_again.send(artisan.id)
    return artisan


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


def public_artisans(
    craft: str | None = None, city: str | None = None, goal: tuple[str, int] | None = None
):
    """A select() of public artisans with filters, photos and goals loaded up front."""
    query = (
        Artisan.select_public()
        .options(
            joinedload(Artisan.goals),
            joinedload(Artisan.profile_image),
            joinedload(Artisan.cover_image),
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
    return db.session.scalars(public_artisans().where(Artisan.slug == slug)).unique().first()
