"""Reporting a listing: /products/<slug>/report and /classes/<slug>/report, for people logged in.
The listing pages link here with plain markup (the same for everyone, so they stay cacheable)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from shop.catalog.services import get_public_product
from shop.classes.queries import get_public_class
from shop.core.views import perform
from shop.extensions import limiter
from shop.moderation import reports
from shop.moderation.forms import ListingReportForm
from shop.moderation.models import ReportReason

bp = Blueprint("moderation", __name__)

# Per account, like reviews and messages: changeable in the config.
DEFAULT_REPORT_LIMIT = "20 per day"
KINDS = {
    "product": (get_public_product, "catalog.detail"),
    "class": (get_public_class, "classes.detail"),
}


def _report_limit() -> str:
    return current_app.config.get("LISTING_REPORT_RATE_LIMIT", DEFAULT_REPORT_LIMIT)


def _account_key() -> str:
    return f"reports:{current_user.id}" if current_user.is_authenticated else "reports:anon"


@bp.after_request
def never_cache(response):
    """The form carries the reporter's own CSRF token and state."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _report(kind: str, slug: str):
    find, detail_endpoint = KINDS[kind]
    listing = find(slug)
    if listing is None:
        abort(404)
    back = url_for(detail_endpoint, slug=listing.slug)
    own = listing.artisan.user_id == current_user.id
    form = ListingReportForm()
    if not own and form.validate_on_submit():
        done = perform(
            lambda: reports.report_listing(
                listing, current_user, ReportReason(form.reason.data), form.details.data
            ),
            form=form,
        )
        if done:
            if done.value == reports.ReportOutcome.ALREADY_OPEN:
                flash(_("We already received your report of this listing."), "info")
            else:
                flash(
                    _(
                        "Thank you: an admin will look at this listing. The artisan is not told "
                        "who reported it."
                    ),
                    "success",
                )
            return redirect(back)
    already = None if form.errors else reports.open_report_of(listing, current_user)
    return render_template(
        "moderation/report.html",
        form=form,
        kind=kind,
        listing=listing,
        back=back,
        own=own,
        already=already,
    ), (422 if form.errors else 200)


@bp.route("/products/<slug>/report", methods=["GET", "POST"])
@login_required
@limiter.limit(_report_limit, key_func=_account_key, methods=["POST"])
def report_product(slug: str):
    return _report("product", slug)


@bp.route("/classes/<slug>/report", methods=["GET", "POST"])
@login_required
@limiter.limit(_report_limit, key_func=_account_key, methods=["POST"])
def report_class(slug: str):
    return _report("class", slug)
