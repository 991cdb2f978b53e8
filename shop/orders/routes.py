"""Cart, checkout, the customer's orders and the artisan's incoming orders."""

from __future__ import annotations

import secrets

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, user_logged_in
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from shop.bookings import services as bookings
from shop.classes.models import ClassSession
from shop.core.forms import PostForm
from shop.core.inputs import parse_id
from shop.core.money import format_money_here
from shop.core.time import utcnow
from shop.core.views import perform, show_error
from shop.extensions import db
from shop.orders import cart, lifecycle
from shop.orders import checkout as ordering
from shop.orders.forms import AddSeatsForm, AddToCartForm, CheckoutForm
from shop.orders.models import Delivery, Order, OrderLine
from shop.payments import services as payments
from shop.waitlist import queries as waitlist_queries

bp = Blueprint("orders", __name__)


def current_cart():
    """The shopper's cart store: in the database when logged in, else in the session."""
    if current_user.is_authenticated:
        return cart.UserCart(current_user.id)
    return cart.SessionCart(session)


@bp.app_template_global("cart_count")
def cart_count() -> int:
    """Items in the shopper's cart (the header's badge): ids and quantities only, no pricing."""
    try:
        return sum(entry.quantity for entry in current_cart().entries())
    except (
        SQLAlchemyError
    ):  # a header badge never turns a page (an error page above all) into a 500
        current_app.logger.exception("cart count unavailable")
        return 0


@bp.route("/cart")
def view_cart():
    priced = cart.price(current_cart().entries())
    if priced.dropped:  # a GET never writes: the page offers to remove them
        flash(_("Some items in your cart are no longer for sale."), "info")
    return render_template("orders/cart.html", cart=priced, form=PostForm())


@bp.route("/cart/add", methods=["POST"])
def add_to_cart():
    form = AddToCartForm()
    back = (
        request.referrer
        if request.referrer and request.referrer.startswith(request.host_url)
        else url_for("orders.view_cart")
    )
    product_id = parse_id(form.product_id.data)
    if not form.validate_on_submit() or product_id is None:
        flash(_("Choose a quantity from 1 to 99."), "danger")
        return redirect(back)
    done = perform(lambda: cart.add(current_cart(), product_id, form.quantity.data))
    if not done:
        return redirect(back)
    flash(_("Added to your cart: %(title)s.", title=done.value.title), "success")
    return redirect(url_for("orders.view_cart"))


@bp.route("/cart/add-seats", methods=["POST"])
def add_seats_to_cart():
    form = AddSeatsForm()
    back = (
        request.referrer
        if request.referrer and request.referrer.startswith(request.host_url)
        else url_for("orders.view_cart")
    )
    session_id = parse_id(form.session_id.data)
    if not form.validate_on_submit() or session_id is None:
        flash(_("Choose from 1 to 99 seats and write one name per seat."), "danger")
        return redirect(back)
    names = (form.attendees.data or "").splitlines()
    done = perform(lambda: cart.add_seats(current_cart(), session_id, form.quantity.data, names))
    if not done:
        return redirect(back)
    flash(_("Added to your cart: %(title)s.", title=done.value.class_.title), "success")
    return redirect(url_for("orders.view_cart"))


@bp.route("/cart/update", methods=["POST"])
def update_cart():
    if PostForm().validate_on_submit():
        perform(lambda: _update_cart(current_cart()))
    return redirect(url_for("orders.view_cart"))


def _update_cart(store) -> None:
    """Apply the cart form: new quantities, one removal, or dropping what is off sale."""
    for key, value in request.form.items():
        kind, _, raw_id = key.removeprefix("qty_").partition("_")
        item_id = parse_id(raw_id)
        if key.startswith("qty_") and kind in cart.KINDS and item_id is not None:
            text = value.strip()
            digits = text.isascii() and text.isdigit() and len(text) <= 4
            cart.update(store, kind, item_id, int(text) if digits else -1)
    kind, _, raw_id = request.form.get("remove", "").partition("_")
    item_id = parse_id(raw_id)
    if kind in cart.KINDS and item_id is not None:
        cart.update(store, kind, item_id, 0)
    if request.form.get("prune"):
        for kind, item_id in cart.price(store.entries()).dropped:
            store.set(kind, item_id, 0)


def _deliveries(priced) -> dict[int, Delivery]:
    choices = {}
    for group in priced.groups:
        raw = request.form.get(f"delivery_{group.artisan.id}")
        if raw in (Delivery.PICKUP.value, Delivery.SHIPPING.value):
            choices[group.artisan.id] = Delivery(raw)
    return choices


@bp.route("/checkout", methods=["GET", "POST"])
def checkout():
    store = current_cart()
    priced = cart.price(store.entries())
    if not priced.lines:
        flash(_("Your cart is empty."), "info")
        return redirect(url_for("orders.view_cart"))
    form = CheckoutForm()
    if request.method == "GET":
        form.checkout_token.data = secrets.token_urlsafe(24)
        if current_user.is_authenticated:
            form.name.data = current_user.name
            form.email.data = current_user.email
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        checkout_request = ordering.CheckoutRequest(
            entries=store.entries(),
            contact=ordering.Contact(form.name.data, form.email.data, form.phone.data or ""),
            deliveries=_deliveries(priced),
            address=form.address.data or "",
            checkout_token=form.checkout_token.data,
            user_id=current_user.id if current_user.is_authenticated else None,
            locale=str(get_locale()),
        )

        def place():
            order = ordering.place_order(checkout_request)
            start = payments.start_payment(order)
            store.clear()
            return order, start

        done = perform(place, show=False)
        if done:
            order, start = done.value
            session["last_order"] = order.access_token
            return redirect(
                start.redirect_url or url_for("orders.detail", token=order.access_token)
            )
        error = done.error
        if isinstance(error, ordering.DuplicateCheckout):
            return to_existing_order(form.checkout_token.data)
        if isinstance(error, ordering.OutOfStock):
            flash(error.message, "danger")
            return redirect(url_for("orders.view_cart"))  # the cart shows what is left
        if error.field and error.field.startswith("delivery_"):
            errors[error.field] = error.message
        else:
            show_error(form, error)
        priced = cart.price(store.entries())
    status = 422 if (form.errors or errors) else 200
    return render_template(
        "orders/checkout.html", form=form, cart=priced, errors=errors, chosen=request.form
    ), status


def to_existing_order(checkout_token: str):
    """A form submitted twice: show the order its first submit made."""
    order = ordering.find_by_checkout_token(checkout_token)
    if order is None:
        abort(409)
    return redirect(url_for("orders.detail", token=order.access_token))


def _order_for_viewer(token: str) -> Order:
    order = lifecycle.order_for_viewer(token, current_user)
    if order is None:
        abort(404)
    return order


@bp.route("/orders/<token>")
def detail(token: str):
    order = _order_for_viewer(token)
    return render_template("orders/detail.html", order=order, form=PostForm())


@bp.route("/orders/<token>/pay", methods=["POST"])
def pay(token: str):
    order = _order_for_viewer(token)
    if not PostForm().validate_on_submit():
        abort(400)
    done = perform(lambda: payments.start_payment(order))
    if not done:
        return redirect(url_for("orders.detail", token=token))
    return redirect(done.value.redirect_url or url_for("orders.detail", token=token))


@bp.route("/orders/<token>/cancel", methods=["POST"])
def cancel(token: str):
    order = _order_for_viewer(token)
    if PostForm().validate_on_submit():
        actor = current_user if current_user.is_authenticated else None
        perform(
            lambda: lifecycle.cancel_unpaid(order, actor, "cancelled by the customer"),
            success=_("Your order is cancelled."),
        )
    return redirect(url_for("orders.detail", token=token))


@bp.route("/orders")
@login_required
def my_orders():
    orders = db.session.scalars(
        select(Order)
        .where(Order.user_id == current_user.id)
        .options(selectinload(Order.lines))
        .order_by(Order.created_at.desc())
    ).all()
    return render_template("orders/my_orders.html", orders=orders)


def _booking(token: str, line_id: int) -> OrderLine:
    order = _order_for_viewer(token)
    line = db.session.get(OrderLine, line_id)
    if line is None or line.order_id != order.id or not line.is_seat or line.session is None:
        abort(404)
    return line


@bp.route("/orders/<token>/bookings/<int:line_id>.ics")
def booking_calendar(token: str, line_id: int):
    """The booking as a calendar file (exact address included: the customer booked)."""
    line = _booking(token, line_id)
    if line.order.status not in lifecycle.PAID_STATES:
        abort(404)
    return Response(
        lifecycle.booking_ics(line),
        mimetype="text/calendar",
        headers={
            "Content-Disposition": f'attachment; filename="taller-{line.order.reference}.ics"'
        },
    )


@bp.route("/orders/<token>/bookings/<int:line_id>/cancel", methods=["GET", "POST"])
def cancel_booking(token: str, line_id: int):
    """GET says what cancelling gives back and frees; the POST from that page cancels."""
    line = _booking(token, line_id)
    form = PostForm()
    if form.validate_on_submit():
        actor = current_user if current_user.is_authenticated else None
        done = perform(lambda: bookings.cancel_booking(line, actor=actor))
        if done:
            refund = format_money_here(done.value, line.order.currency)
            flash(_("Booking cancelled. Refund: %(amount)s.", amount=refund), "success")
        return redirect(url_for("orders.detail", token=token))
    cancellable = (
        line.cancelled_at is None
        and line.order.status in lifecycle.PAID_STATES
        and line.session.starts_at > utcnow()
    )
    return render_template(
        "orders/cancel_booking.html",
        line=line,
        form=form,
        cancellable=cancellable,
        refund_cents=bookings.booking_refund_cents(line) if cancellable else 0,
    )


@bp.route("/bookings")
@login_required
def my_bookings():
    lines = db.session.scalars(
        select(OrderLine)
        .join(OrderLine.order)
        .join(OrderLine.session)
        .where(
            Order.user_id == current_user.id,
            OrderLine.kind == "seat",
            Order.status.in_(lifecycle.PAID_STATES),
        )
        .options(
            selectinload(OrderLine.order),
            selectinload(OrderLine.session).selectinload(ClassSession.class_),
        )
        .order_by(ClassSession.starts_at)
    ).all()
    now = utcnow()
    upcoming = [line for line in lines if line.session.starts_at > now]
    past = [line for line in lines if line.session.starts_at <= now]
    return render_template(
        "orders/bookings.html",
        upcoming=upcoming,
        past=past[::-1],
        places=waitlist_queries.entries_of_user(current_user.id, now),
        form=PostForm(),
        refund_for=bookings.booking_refund_cents,
    )


@user_logged_in.connect
def _merge_cart_on_login(sender, user, **extra) -> None:
    """A guest's cart joins the account's cart when they log in (the log-in view commits)."""
    guest = cart.SessionCart(session)
    if guest.entries():
        cart.merge(guest, cart.UserCart(user.id))
