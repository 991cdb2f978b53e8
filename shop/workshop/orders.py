"""The artisan's incoming orders: the list, one order group (fulfilment), refunds of its lines."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.core.inputs import page_arg, parse_id
from shop.core.views import get_owned_or_404, perform
from shop.extensions import db
from shop.orders import lifecycle
from shop.orders.forms import FulfilmentForm, RefundForm, refund_confirmation
from shop.orders.models import FulfilmentStatus, OrderGroup
from shop.workshop.blueprint import bp, current_artisan


def _own_group(group_id: int) -> OrderGroup:
    return get_owned_or_404(OrderGroup, group_id, current_artisan().id)


@bp.route("/orders")
def orders():
    page = db.paginate(
        lifecycle.orders_for_artisan(current_artisan()),
        per_page=50,
        page=page_arg(),
        error_out=False,
    )
    return render_template("workshop/orders.html", page=page)


@bp.route("/orders/<int:group_id>", methods=["GET", "POST"])
def order(group_id: int):
    group = _own_group(group_id)
    form = FulfilmentForm(steps=lifecycle.next_fulfilment_steps(group), current=group.status)
    if form.validate_on_submit():
        status = FulfilmentStatus(form.status.data)
        if status == group.status:
            flash(_("Nothing changed: the order is still %(status)s.", status=status.label), "info")
            return redirect(url_for("workshop.order", group_id=group.id))
        perform(
            lambda: lifecycle.set_fulfilment(group, current_user, status, form.note.data or ""),
            success=_("Status saved; the customer was told."),
        )
        return redirect(url_for("workshop.order", group_id=group.id))
    return render_template("workshop/order.html", group=group, form=form, refund_form=RefundForm())


@bp.route("/orders/<int:group_id>/refund", methods=["GET", "POST"])
def refund(group_id: int):
    """GET confirms what the refund will do; the POST from the confirmation sends it."""
    group = _own_group(group_id)
    back = url_for("workshop.order", group_id=group.id)
    line_id = request.values.get("line_id", "")
    if parse_id(line_id) not in {line.id for line in group.lines}:
        abort(404)  # artisans refund their own lines only
    if request.method == "GET":
        return refund_confirmation(group.order, url_for("workshop.refund", group_id=group.id), back)
    RefundForm().send(group.order, current_user)
    return redirect(back)
