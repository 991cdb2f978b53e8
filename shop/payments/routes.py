"""Payment pages: the demo gateway's pay page, which is that gateway's confirmation path."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from shop.core.forms import PostForm
from shop.core.security import allow_csp_sources
from shop.core.views import commit
from shop.extensions import csrf, db
from shop.orders import lifecycle
from shop.orders.models import OrderStatus
from shop.payments import services
from shop.payments.gateways import get_gateway
from shop.payments.gateways.stripe import BadWebhook
from shop.payments.models import Payment, PaymentStatus

bp = Blueprint("payments", __name__, url_prefix="/payments")

log = logging.getLogger(__name__)


def _demo_payment(ref: str):
    if get_gateway().name != "demo":
        abort(404)  # with a real gateway configured, nothing can be "paid" here
    payment = services.payment_by_ref("demo", ref)
    if payment is None:
        abort(404)
    return payment


@bp.route("/demo/<ref>", methods=["GET", "POST"])
def demo_pay(ref: str):
    """Demo payments: no money moves. "Pay" confirms like a gateway notification would."""
    payment = _demo_payment(ref)
    order = payment.order
    form = PostForm()
    if form.validate_on_submit() and payment.status == PaymentStatus.CREATED:
        if request.form.get("outcome") == "fail":
            services.fail_payment(payment, "demo: card declined")
            commit()
            flash(
                _("The demo payment failed. You can try again while your items are held."),
                "warning",
            )
        else:
            outcome = services.confirm_payment(payment, payment.amount_cents, payment.currency)
            commit()
            if outcome in ("paid", "already_paid", "duplicate"):
                flash(_("Payment received. Thank you!"), "success")
            else:
                flash(
                    _("We received your payment but must check it; we will contact you."), "warning"
                )
        return redirect(url_for("orders.detail", token=order.access_token))
    return render_template("payments/demo.html", payment=payment, order=order, form=form)


@bp.route("/stripe/webhook", methods=["POST"])
@csrf.exempt
def stripe_webhook():
    """Signed Stripe events; the only CSRF-exempt route (its signature protects it)."""
    gateway = get_gateway()
    if gateway.name != "stripe":
        abort(404)
    try:
        event = gateway.parse_webhook(
            request.get_data(cache=False), request.headers.get("Stripe-Signature")
        )
    except BadWebhook as error:
        log.warning("stripe webhook refused: %s", error)
        return jsonify({"error": "invalid signature"}), 400
    outcome = services.handle_stripe_event(event)
    commit()  # e-mails go out after this commit
    return jsonify({"received": True, "outcome": outcome})


@bp.route("/stripe/<token>")
def stripe_pay(token: str):
    """The card form: Stripe's Payment Element confirms in the browser; the webhook fulfils."""
    gateway = get_gateway()
    if gateway.name != "stripe":
        abort(404)
    order = lifecycle.order_for_viewer(token, current_user)
    if order is None:
        abort(404)
    payment = db.session.scalar(
        select(Payment)
        .where(Payment.order_id == order.id, Payment.gateway == "stripe")
        .order_by(Payment.id.desc())
    )
    if payment is None or order.status != OrderStatus.PENDING_PAYMENT:
        return redirect(url_for("orders.detail", token=token))
    status, client_secret = gateway.intent(payment.gateway_ref)
    if status in ("processing", "succeeded"):
        return redirect(url_for("orders.detail", token=token, payment="processing"))
    allow_csp_sources("script-src", "https://js.stripe.com")
    allow_csp_sources("frame-src", "https://js.stripe.com", "https://hooks.stripe.com")
    allow_csp_sources("connect-src", "https://api.stripe.com")
    return render_template(
        "payments/stripe.html",
        order=order,
        payment=payment,
        client_secret=client_secret,
        publishable_key=gateway.publishable_key,
        return_url=url_for("orders.detail", token=token, payment="processing", _external=True),
    )
