"""Payment pages: the demo gateway's pay page, which is that gateway's confirmation path."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from shop.auth.forms import PostForm
from shop.extensions import db
from shop.orders.models import PaymentStatus
from shop.payments import bp, services
from shop.payments.gateway import get_gateway


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
            db.session.commit()
            flash(
                _("The demo payment failed. You can try again while your items are held."),
                "warning",
            )
        else:
            outcome = services.confirm_payment(payment, payment.amount_cents, payment.currency)
            db.session.commit()
            if outcome in ("paid", "already_paid", "duplicate"):
                flash(_("Payment received. Thank you!"), "success")
            else:
                flash(
                    _("We received your payment but must check it; we will contact you."), "warning"
                )
        return redirect(url_for("orders.detail", token=order.access_token))
    return render_template("payments/demo.html", payment=payment, order=order, form=form)
