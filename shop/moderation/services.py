"""Admins hide and show listings, suspend and reinstate accounts, appoint and remove admins;
every action lands in the audit log with its reason. Services flush; the request commits."""

from __future__ import annotations

import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from shop.artisans import services as artisan_services
from shop.artisans.models import Artisan, ArtisanStatus
from shop.auth.models import User, new_session_token
from shop.catalog.models import Product, ProductStatus
from shop.catalog.services import PRODUCT_STATES
from shop.classes.models import Class, ClassStatus
from shop.classes.services import CLASS_STATES
from shop.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from shop.core.signals import classes_public_again
from shop.core.time import utcnow
from shop.extensions import db
from shop.mail import email_after_commit
from shop.moderation.models import AuditEntry, ListingReport, ReportStatus

log = logging.getLogger(__name__)

Listing = Product | Class
REASON_MAX = 1000


def kind_of(listing: Listing) -> str:
    """ "product" or "class": how URLs and the audit log name a listing's kind."""
    return "product" if isinstance(listing, Product) else "class"


def record(
    actor: User | None, action: str, kind: str, target_id: int | None, label: str, reason=""
) -> AuditEntry:
    """Write one audit entry (who, when, what, why)."""
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        action=action,
        target_kind=kind,
        target_id=target_id,
        target_label=label[:200],
        reason=(reason or "").strip(),
    )
    db.session.add(entry)
    db.session.flush()
    log.info("audit: %s %s %s:%s", actor.id if actor else "-", action, kind, target_id)
    return entry


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed(str(_l("Say why: the person affected reads it.")), field="reason")
    if len(text) > REASON_MAX:
        raise ValidationFailed(str(_l("At most %(n)s characters.", n=REASON_MAX)), field="reason")
    return text


def _states(listing: Listing):
    return PRODUCT_STATES if isinstance(listing, Product) else CLASS_STATES


def _active(listing: Listing) -> bool:
    return listing.status in (ProductStatus.ACTIVE, ClassStatus.ACTIVE)


def hide_listing(listing: Listing, admin: User, reason: str) -> int:
    """Take a listing off every public page and keep it off until an admin shows it again;
    the artisan sees the reason in the workshop. Every open report of it is settled: say how
    many."""
    text = _reason(reason)
    if _active(listing):
        _states(listing).require(listing, "hide")
    listing.moderation_reason = text
    listing.review_requested_at = None
    record(admin, "listing_hidden", kind_of(listing), listing.id, listing.title, text)
    return _close_reports(listing, admin, text)


def _close_reports(listing: Listing, admin: User, note: str) -> int:
    """Mark the listing's open reports upheld (one UPDATE: a report filed meanwhile is either
    closed here or stays open for the next admin, never lost)."""
    column = ListingReport.product_id if isinstance(listing, Product) else ListingReport.class_id
    reporter_ids = db.session.scalars(
        update(ListingReport)
        .where(column == listing.id, ListingReport.status == ReportStatus.OPEN)
        .values(
            status=ReportStatus.UPHELD,
            resolved_at=utcnow(),
            resolved_by_id=admin.id,
            resolution_note=note,
        )
        .returning(ListingReport.reporter_id)
        .execution_options(synchronize_session=False)
    ).all()
    for reporter in db.session.scalars(select(User).where(User.id.in_(reporter_ids))):
        tell_reporter(reporter, listing, upheld=True)
    if reporter_ids:
        record(
            admin,
            "listing_reports_upheld",
            kind_of(listing),
            listing.id,
            listing.title,
            str(len(reporter_ids)),
        )
    return len(reporter_ids)


def tell_reporter(reporter: User, listing: Listing, upheld: bool) -> None:
    """Tell whoever reported a listing what was decided (never who decided, nor their note)."""
    email_after_commit(
        reporter.email,
        "listing_report_closed",
        locale=reporter.locale,
        reporter=reporter,
        title=listing.title,
        upheld=upheld,
    )


def show_listing(listing: Listing, admin: User, reason: str = "") -> None:
    """Lift an admin's hiding: the listing is published again (if its workshop may sell)."""
    if listing.moderation_reason is None:
        raise InvalidTransition(str(_l("This listing is not hidden by an admin.")))
    listing.moderation_reason = None
    listing.review_requested_at = None
    states = _states(listing)
    may_sell = listing.artisan.status == ArtisanStatus.APPROVED
    if may_sell and listing.published_at is not None and states.allowed(listing, "publish"):
        moved = states.move(listing, "publish")
        if moved and isinstance(listing, Class):
            classes_public_again.send([listing.id])  # seats freed while hidden
    record(admin, "listing_shown", kind_of(listing), listing.id, listing.title, reason)


def ask_review(listing: Listing, artisan: Artisan) -> None:
    """The artisan changed what the admins asked and asks them to look again."""
    if listing.artisan_id != artisan.id:
        raise NotAllowed()
    if listing.moderation_reason is None:
        raise InvalidTransition(str(_l("This listing is not hidden by an admin.")))
    listing.review_requested_at = utcnow()
    db.session.flush()


def hidden_listings() -> list[tuple[str, Listing]]:
    """Every listing an admin keeps hidden: those asking for review first (oldest first)."""
    found: list[tuple[str, Listing]] = []
    for model in (Product, Class):
        rows = db.session.scalars(
            select(model).where(model.moderation_reason.is_not(None)).order_by(model.id)
        ).all()
        found.extend((kind_of(row), row) for row in rows)
    return sorted(
        found,
        key=lambda pair: (
            pair[1].review_requested_at is None,
            pair[1].review_requested_at or pair[1].updated_at,
        ),
    )


def listings_asking_review() -> list[tuple[str, Listing]]:
    """Hidden listings whose artisan asked for another look, oldest request first."""
    return [pair for pair in hidden_listings() if pair[1].review_requested_at is not None]


def suspend_user(user: User, admin: User, reason: str) -> None:
    """The account cannot log in and every session of it ends."""
    text = _reason(reason)
    if user.id == admin.id:
        raise NotAllowed(str(_l("You cannot suspend yourself.")))
    if user.is_admin:
        raise NotAllowed(str(_l("Remove the admin rights first.")))
    if user.suspended_at is not None:
        raise InvalidTransition(str(_l("This account is already suspended.")))
    user.suspended_at = utcnow()
    user.session_token = new_session_token()
    record(admin, "user_suspended", "user", user.id, user.email, text)


def reinstate_user(user: User, admin: User, reason: str = "") -> None:
    """The account may log in again."""
    if user.suspended_at is None:
        raise InvalidTransition(str(_l("This account is not suspended.")))
    user.suspended_at = None
    record(admin, "user_reinstated", "user", user.id, user.email, reason)


def suspend_artisan(artisan: Artisan, admin: User, reason: str) -> None:
    """The workshop leaves every public page; its owner only reads the admins' message."""
    artisan_services.decide(artisan, admin, "suspend", _reason(reason))  # logs an ArtisanEvent


def reinstate_artisan(artisan: Artisan, admin: User, reason: str = "") -> None:
    """The workshop is public again."""
    artisan_services.decide(artisan, admin, "reinstate", reason)  # logs an ArtisanEvent


def _lock_admins() -> list[int]:
    """Lock every admin row (in id order) so two removals cannot both see "another admin
    is left": the second waits, then sees the first one's change."""
    return list(
        db.session.scalars(
            select(User.id).where(User.is_admin.is_(True)).order_by(User.id).with_for_update()
        )
    )


def make_admin(user: User, admin: User, reason: str = "") -> None:
    """Give an account the admin rights."""
    if user.is_admin:
        raise InvalidTransition(str(_l("This account is already an admin.")))
    if user.suspended_at is not None:
        raise NotAllowed(str(_l("Reinstate the account first.")))
    user.is_admin = True
    record(admin, "admin_granted", "user", user.id, user.email, reason)


def remove_admin(user: User, admin: User, reason: str = "") -> None:
    """Take the admin rights away, never from the last admin."""
    admins = _lock_admins()
    db.session.refresh(user)
    if not user.is_admin:
        raise InvalidTransition(str(_l("This account is not an admin.")))
    if len(admins) <= 1 or admins == [user.id]:
        raise NotAllowed(str(_l("The last admin cannot be removed: appoint another first.")))
    user.is_admin = False
    user.session_token = new_session_token()  # pages opened as admin stop working
    record(admin, "admin_removed", "user", user.id, user.email, reason)
