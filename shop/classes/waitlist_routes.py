"""Waitlist pages: join a full session, see one's place, book held seats, or let them go."""

from __future__ import annotations

import secrets

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from shop.classes import queries
from shop.classes.forms import OfferForm, WaitlistForm
from shop.classes.models import ClassSession, WaitlistEntry, WaitlistStatus
from shop.classes.routes import bp, render_detail
from shop.core.errors import DomainError
from shop.core.forms import PostForm
from shop.core.views import commit, rollback, show_error, unit_of_work
from shop.extensions import db, limiter
from shop.orders import checkout
from shop.payments import services as payments
from shop.waitlist import queries as waitlist_queries
from shop.waitlist import services as waitlist


@bp.route("/classes/sessions/<int:session_id>/waitlist", methods=["POST"])
@limiter.limit("30 per hour", methods=["POST"])
def join_waitlist(session_id: int):
    class_session = db.get_or_404(ClassSession, session_id)
    klass = queries.get_public_class(class_session.class_.slug)
    if klass is None:
        abort(404)
    form = WaitlistForm()
    if form.validate_on_submit():
        signed_in = current_user.is_authenticated
        with unit_of_work(form) as work:
            entry = waitlist.join(
                waitlist.JoinRequest(
                    session_id=session_id,
                    email=current_user.email if signed_in else (form.email.data or ""),
                    name=current_user.name if signed_in else (form.name.data or ""),
                    quantity=form.quantity.data,
                    attendees=(form.attendees.data or "").splitlines(),
                    user_id=current_user.id if signed_in else None,
                    locale=str(get_locale()),
                )
            )
        if work:
            if not entry.is_confirmed:
                # The private link goes only to the address: whoever typed it here may not own it.
                flash(
                    _(
                        "Almost done: we sent a link to %(email)s. Open it to confirm your place "
                        "on the waitlist; until then it does not count.",
                        email=entry.email,
                    ),
                    "info",
                )
                return redirect(url_for("classes.detail", slug=klass.slug))
            flash(
                _("You are on the waitlist. We sent the details to %(email)s.", email=entry.email),
                "success",
            )
            return redirect(url_for("classes.waitlist_entry", token=entry.token))
    return render_detail(klass, waitlist_form=form, open_session=session_id, status=422)


def _entry_for_viewer(token: str) -> WaitlistEntry:
    """The link is the key; a place taken while signed in also needs that account."""
    entry = waitlist_queries.entry_by_token(token)
    if entry is None:
        abort(404)
    if entry.user_id is not None:
        if not current_user.is_authenticated:
            abort(current_app.login_manager.unauthorized())
        if current_user.id != entry.user_id and not current_user.is_admin:
            abort(404)
    return entry


def _offer_form(entry: WaitlistEntry) -> OfferForm:
    form = OfferForm(formdata=None)
    form.checkout_token.data = secrets.token_urlsafe(24)
    form.name.data = entry.name
    form.email.data = entry.email
    return form


def _render_entry(entry: WaitlistEntry, offer_form: OfferForm | None = None, status: int = 200):
    return render_template(
        "classes/waitlist_entry.html",
        entry=entry,
        class_session=entry.session,
        klass=entry.session.class_,
        position=waitlist_queries.position(entry),
        status=waitlist_queries.shown_status(entry),
        offer_form=offer_form or _offer_form(entry),
        form=PostForm(),
        W=WaitlistStatus,
    ), status


@bp.route("/waitlist/<token>")
def waitlist_entry(token: str):
    return _render_entry(_entry_for_viewer(token))


@bp.route("/waitlist/<token>/confirm", methods=["POST"])
def confirm_waitlist_place(token: str):
    """The e-mailed link proves the address: the place joins the line."""
    entry = _entry_for_viewer(token)
    if PostForm().validate_on_submit():
        with unit_of_work() as work:
            confirmed = waitlist.confirm(entry)
        if work and confirmed:
            flash(_("Your place on the waitlist is confirmed."), "success")
    return redirect(url_for("classes.waitlist_entry", token=token))


@bp.route("/waitlist/<token>/book", methods=["POST"])
def book_waitlist_offer(token: str):
    entry = _entry_for_viewer(token)
    form = OfferForm()
    if form.validate_on_submit():
        try:
            order = checkout.book_offer(
                entry,
                checkout.Contact(form.name.data, form.email.data, form.phone.data or ""),
                checkout_token=form.checkout_token.data,
                user_id=current_user.id if current_user.is_authenticated else None,
                locale=str(get_locale()),
            )
            start = payments.start_payment(order)
        except checkout.DuplicateCheckout:
            rollback()
            return _to_existing_order(form.checkout_token.data)
        except DomainError as error:
            rollback()
            entry = _entry_for_viewer(token)
            show_error(form, error)
        else:
            commit()
            return redirect(
                start.redirect_url or url_for("orders.detail", token=order.access_token)
            )
    return _render_entry(entry, form, 422)


@bp.route("/waitlist/<token>/leave", methods=["POST"])
def leave_waitlist(token: str):
    entry = _entry_for_viewer(token)
    if PostForm().validate_on_submit():
        with unit_of_work() as work:
            status = waitlist.withdraw(entry)
        if work:
            if status == WaitlistStatus.DECLINED:
                flash(_("Thank you for letting us know: the seats go to the next person."), "info")
            else:
                flash(_("You have left the waitlist."), "info")
    return redirect(url_for("classes.waitlist_entry", token=token))


def _to_existing_order(checkout_token: str):
    """The offer form submitted twice: show the order its first submit made."""
    order = checkout.find_by_checkout_token(checkout_token)
    if order is None:
        abort(409)
    return redirect(url_for("orders.detail", token=order.access_token))
