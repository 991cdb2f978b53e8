"""Moderation pages (on the admin blueprint, behind its admin-only guard): hidden listings,
a listing's page with hide/show, accounts with suspend/reinstate and admin rights, each
change through a confirmation page that says what will happen (no JavaScript needed)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from shop.admin import history
from shop.admin.attention import product_or_class
from shop.admin.forms import ReasonForm
from shop.admin.routes import bp
from shop.artisans.models import Artisan, ArtisanStatus
from shop.auth.models import User
from shop.core.views import perform
from shop.extensions import db
from shop.moderation import reports
from shop.moderation import services as moderation
from shop.moderation.models import AuditEntry, ListingReport

# What each account action does, said before it is done.
USER_ACTIONS = {
    "suspend": (
        _l("Suspend this account"),
        _l(
            "They are logged out everywhere and cannot log in until an admin reinstates the "
            "account. Their orders and bookings stay as they are."
        ),
        moderation.suspend_user,
        True,
    ),
    "reinstate": (
        _l("Reinstate this account"),
        _l("They can log in again."),
        moderation.reinstate_user,
        False,
    ),
    "make_admin": (
        _l("Make this account an admin"),
        _l("They can see every order, decide on workshops and change every setting."),
        moderation.make_admin,
        False,
    ),
    "remove_admin": (
        _l("Remove admin rights"),
        _l("They keep their account but lose the admin pages. The last admin cannot be removed."),
        moderation.remove_admin,
        False,
    ),
}
ARTISAN_ACTIONS = {
    "suspend": (
        _l("Suspend this workshop"),
        _l(
            "Its shop page, products and classes leave every public page and search. The "
            "artisan can only read your reason in the workshop. Paid orders stay to be "
            "fulfilled or refunded."
        ),
        moderation.suspend_artisan,
        True,
    ),
    "reinstate": (
        _l("Reinstate this workshop"),
        _l("Its shop page, products and classes are public again."),
        moderation.reinstate_artisan,
        False,
    ),
}

REPORT_ACTIONS = {
    "dismiss": (
        _l("Dismiss this report"),
        _l(
            "The report is closed and the listing stays as it is. Neither the reporter nor the "
            "artisan is told; your note goes to the audit log."
        ),
        reports.dismiss,
        True,
    ),
    "hide": (
        _l("Hide the reported listing"),
        _l(
            "It leaves every public page, search, the sitemap and the API until an admin shows "
            "it again. The artisan sees your reason (never who reported it) and can answer by "
            "changing it. Every open report of this listing is closed."
        ),
        reports.hide_reported,
        True,
    ),
}


def _listing_or_404(kind: str, listing_id: int):
    model = product_or_class(kind)
    if model is None:
        abort(404)
    return db.get_or_404(model, listing_id)


@bp.route("/listings")
def hidden_listings():
    return render_template("admin/hidden_listings.html", listings=moderation.hidden_listings())


def _listing_page(kind: str, listing, form: ReasonForm):
    entries = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.target_kind == kind, AuditEntry.target_id == listing.id)
        .order_by(AuditEntry.id.desc())
    ).all()
    return render_template(
        "admin/listing.html",
        kind=kind,
        listing=listing,
        form=form,
        events=[history.audit_sentence(e) for e in entries],
        reports=reports.reports_of(listing),
    ), (422 if form.errors else 200)


@bp.route("/listings/<kind>/<int:listing_id>")
def listing(kind: str, listing_id: int):
    return _listing_page(kind, _listing_or_404(kind, listing_id), ReasonForm(formdata=None))


def _change_listing(kind: str, listing_id: int, change, success: str):
    """Hide or show a listing with the admin's reason; the form again with its errors."""
    found = _listing_or_404(kind, listing_id)
    form = ReasonForm()
    if form.validate_on_submit() and perform(
        lambda: change(found, current_user, form.reason.data), form=form, success=success
    ):
        return redirect(url_for("admin.listing", kind=kind, listing_id=found.id))
    return _listing_page(kind, found, form)


@bp.route("/listings/<kind>/<int:listing_id>/hide", methods=["POST"])
def hide_listing(kind: str, listing_id: int):
    return _change_listing(
        kind,
        listing_id,
        moderation.hide_listing,
        str(_l("Hidden. The artisan sees your reason in the workshop.")),
    )


@bp.route("/listings/<kind>/<int:listing_id>/show", methods=["POST"])
def show_listing(kind: str, listing_id: int):
    return _change_listing(kind, listing_id, moderation.show_listing, str(_l("Shown again.")))


@bp.route("/users/<int:user_id>")
def user(user_id: int):
    found = db.get_or_404(User, user_id)
    entries = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.target_kind == "user", AuditEntry.target_id == found.id)
        .order_by(AuditEntry.id.desc())
    ).all()
    return render_template(
        "admin/user.html",
        user=found,
        events=[history.audit_sentence(e) for e in entries],
        artisan_statuses=ArtisanStatus,
    )


def _confirm(
    target, action: str, actions: dict, back: str, template_target: str, reason_label=None
):
    if action not in actions:
        abort(404)
    title, effect, change, reason_required = actions[action]
    form = ReasonForm()
    if reason_label is not None:
        form.reason.label.text = str(reason_label)
    if form.validate_on_submit() and perform(
        lambda: change(target, current_user, form.reason.data),
        form=form,
        success=str(_l("Done.")),
    ):
        return redirect(back)
    return render_template(
        "admin/confirm.html",
        form=form,
        title=title,
        effect=effect,
        reason_required=reason_required,
        back=back,
        target_name=template_target,
    ), (422 if form.errors else 200)


@bp.route("/users/<int:user_id>/confirm/<action>", methods=["GET", "POST"])
def confirm_user(user_id: int, action: str):
    found = db.get_or_404(User, user_id)
    back = url_for("admin.user", user_id=found.id)
    return _confirm(found, action, USER_ACTIONS, back, f"{found.name} <{found.email}>")


@bp.route("/artisans/<int:artisan_id>/confirm/<action>", methods=["GET", "POST"])
def confirm_artisan(artisan_id: int, action: str):
    found = db.get_or_404(Artisan, artisan_id)
    back = url_for("admin.review", artisan_id=found.id)
    return _confirm(found, action, ARTISAN_ACTIONS, back, found.shop_name)


# Reports of listings


@bp.route("/reports")
def listing_reports():
    return render_template(
        "admin/reports.html",
        reported=reports.reported_listings(),
        closed=reports.recently_closed(),
    )


@bp.route("/reports/<int:report_id>")
def listing_report(report_id: int):
    found = db.get_or_404(ListingReport, report_id)
    others = [r for r in reports.reports_of(found.listing) if r.id != found.id]
    return render_template("admin/report.html", report=found, others=others)


@bp.route("/reports/<int:report_id>/confirm/<action>", methods=["GET", "POST"])
def confirm_report(report_id: int, action: str):
    found = db.get_or_404(ListingReport, report_id)
    back = url_for("admin.listing_report", report_id=found.id)
    if action in REPORT_ACTIONS and not found.is_open and request.method == "GET":
        flash(str(_l("This report is already closed.")), "info")
        return redirect(back)
    label = f"{found.listing.title} · {found.reason.label}"
    # Dismissing tells nobody: the note is for the admins (hiding keeps the artisan's label).
    note = _l("Note for the audit log") if action == "dismiss" else None
    return _confirm(found, action, REPORT_ACTIONS, back, label, reason_label=note)
