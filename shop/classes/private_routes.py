"""Private sessions from the class page: booking an empty session whole for one group, or
asking the artisan for a day (the artisan answers in the workshop)."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from shop.classes import queries
from shop.classes.forms import PrivateRequestForm, WholeSessionForm
from shop.classes.models import ClassSession
from shop.classes.routes import bp, render_detail
from shop.core.views import unit_of_work
from shop.extensions import db, limiter
from shop.waitlist import private


@bp.route("/classes/<slug>/private", methods=["POST"])
@login_required
@limiter.limit("20 per hour", methods=["POST"])
def request_private(slug: str):
    klass = queries.get_public_class(slug)
    if klass is None or not private.offers_private(klass):
        abort(404)
    form = PrivateRequestForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            private.request_private(
                private.PrivateRequestData(
                    class_id=klass.id,
                    user_id=current_user.id,
                    wanted_on=form.wanted_on.data,
                    party_size=form.party_size.data,
                    attendees=(form.attendees.data or "").splitlines(),
                    message=form.message.data or "",
                    locale=str(get_locale()),
                )
            )
        if work:
            flash(
                _(
                    "Request sent. If %(artisan)s can teach that day, we e-mail you a link to "
                    "book the session: every seat is held for your group.",
                    artisan=klass.artisan.public_name,
                ),
                "success",
            )
            return redirect(url_for("classes.detail", slug=klass.slug))
    return render_detail(klass, private_form=form, status=422)


@bp.route("/classes/sessions/<int:session_id>/private", methods=["POST"])
@login_required
@limiter.limit("20 per hour", methods=["POST"])
def book_whole_session(session_id: int):
    class_session = db.get_or_404(ClassSession, session_id)
    klass = queries.get_public_class(class_session.class_.slug)
    if klass is None:
        abort(404)
    form = WholeSessionForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            offer = private.book_whole_session(
                session_id, current_user.id, (form.attendees.data or "").splitlines()
            )
        if work:
            return redirect(url_for("classes.waitlist_entry", token=offer.token))
    else:
        flash(_("Write one name per line for the people who come."), "danger")
    return redirect(url_for("classes.detail", slug=klass.slug))
