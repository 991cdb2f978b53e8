"""Reports of listings: someone logged in flags a product or class, an admin dismisses the
report or hides the listing (through services.hide_listing, which settles every open report of
it). Each resolution is audited; the artisan never learns who reported."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from shop.auth.models import User
from shop.catalog.models import Product
from shop.classes.models import Class
from shop.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from shop.core.states import StateMachine
from shop.core.time import utcnow
from shop.extensions import db
from shop.moderation.models import (
    REPORT_DETAILS_MAX,
    ListingReport,
    ReportReason,
    ReportStatus,
)
from shop.moderation.services import (
    Listing,
    _reason,
    hide_listing,
    kind_of,
    record,
    tell_reporter,
)

S = ReportStatus
# Hiding closes reports in bulk (services._close_reports); one report moves on its own here.
REPORT_STATES = StateMachine(
    ListingReport,
    {
        "dismiss": ({S.OPEN}, S.DISMISSED),
        "uphold": ({S.OPEN}, S.UPHELD),
    },
)


class ReportOutcome(enum.Enum):
    """What a submit did: a new report, or the one this person already has open."""

    RECEIVED = "received"
    ALREADY_OPEN = "already_open"


def _listing_column(listing: Listing):
    return ListingReport.product_id if isinstance(listing, Product) else ListingReport.class_id


def open_report_of(listing: Listing, reporter: User) -> ListingReport | None:
    """This person's open report of this listing, if any."""
    return db.session.scalar(
        select(ListingReport).where(
            _listing_column(listing) == listing.id,
            ListingReport.reporter_id == reporter.id,
            ListingReport.status == ReportStatus.OPEN,
        )
    )


def _details(reason: ReportReason, details: str | None) -> str:
    text = (details or "").strip()
    if reason == ReportReason.OTHER and not text:
        raise ValidationFailed(str(_l("Tell us what is wrong.")), field="details")
    if len(text) > REPORT_DETAILS_MAX:
        raise ValidationFailed(
            str(_l("At most %(n)s characters.", n=REPORT_DETAILS_MAX)), field="details"
        )
    return text


def report_listing(
    listing: Listing, reporter: User, reason: ReportReason, details: str | None = ""
) -> ReportOutcome:
    """File a report; the same person's second one while the first is open changes nothing."""
    text = _details(reason, details)
    if listing.artisan.user_id == reporter.id:
        raise NotAllowed(str(_l("This is your own listing.")))
    if open_report_of(listing, reporter) is not None:
        return ReportOutcome.ALREADY_OPEN
    entry = ListingReport(
        product_id=listing.id if isinstance(listing, Product) else None,
        class_id=listing.id if isinstance(listing, Class) else None,
        reporter_id=reporter.id,
        reason=reason,
        details=text,
    )
    try:
        with db.session.begin_nested():  # a savepoint: the unique index refuses a twin
            db.session.add(entry)
    except IntegrityError:  # the same person's other submit got there first
        return ReportOutcome.ALREADY_OPEN
    return ReportOutcome.RECEIVED


def dismiss(report: ListingReport, admin: User, note: str) -> ListingReport:
    """The listing stays as it is; the note says why (for the audit log, not the artisan)."""
    text = _reason(note)
    REPORT_STATES.require(
        report,
        "dismiss",
        message=str(_l("This report is already closed.")),
        resolved_at=utcnow(),
        resolved_by_id=admin.id,
        resolution_note=text,
    )
    listing = report.listing
    record(admin, "listing_report_dismissed", kind_of(listing), listing.id, listing.title, text)
    tell_reporter(report.reporter, listing, upheld=False)
    return report


def hide_reported(report: ListingReport, admin: User, reason: str) -> int:
    """Hide the reported listing through the one moderation path (audit log, the artisan reads
    the reason); that closes this and every other open report of it. Says how many closed."""
    if not report.is_open:
        raise InvalidTransition(str(_l("This report is already closed.")))
    closed = hide_listing(report.listing, admin, reason)
    db.session.refresh(report)
    return closed


def open_count() -> int:
    """How many reports wait for an admin."""
    return (
        db.session.scalar(
            select(func.count(ListingReport.id)).where(ListingReport.status == ReportStatus.OPEN)
        )
        or 0
    )


@dataclass
class ReportedListing:
    """A listing with open reports: its oldest open report (the one to open) and how many."""

    kind: str
    listing: Listing
    oldest: ListingReport
    count: int


def reported_listings(limit: int | None = None) -> list[ReportedListing]:
    """Listings with open reports, the longest waiting first."""
    rows = db.session.scalars(
        select(ListingReport)
        .where(ListingReport.status == ReportStatus.OPEN)
        .options(selectinload(ListingReport.product), selectinload(ListingReport.class_))
        .order_by(ListingReport.created_at, ListingReport.id)
    ).all()
    grouped: dict[tuple[str, int], ReportedListing] = {}
    for row in rows:
        key = (row.kind, row.listing.id)
        if key in grouped:
            grouped[key].count += 1
        else:
            grouped[key] = ReportedListing(row.kind, row.listing, row, 1)
    found = list(grouped.values())
    return found[:limit] if limit is not None else found


def reports_of(listing: Listing) -> list[ListingReport]:
    """Every report of a listing, newest first (for the admin's pages)."""
    return list(
        db.session.scalars(
            select(ListingReport)
            .where(_listing_column(listing) == listing.id)
            .options(selectinload(ListingReport.reporter))
            .order_by(ListingReport.id.desc())
        )
    )


def recently_closed(limit: int = 20) -> list[ListingReport]:
    """The latest decisions, for the admin's list page."""
    return list(
        db.session.scalars(
            select(ListingReport)
            .where(ListingReport.status != ReportStatus.OPEN)
            .options(selectinload(ListingReport.product), selectinload(ListingReport.class_))
            .order_by(ListingReport.resolved_at.desc(), ListingReport.id.desc())
            .limit(limit)
        )
    )
