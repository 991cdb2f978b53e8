"""Cart, checkout and order forms."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from shop.auth.forms import strip
from shop.core.fields import MoneyField
from shop.core.forms import BaseForm, EmailAddress
from shop.core.inputs import parse_id
from shop.core.money import format_money_here
from shop.core.views import perform
from shop.extensions import db
from shop.orders.models import Order, OrderLine
from shop.payments import refunds
from shop.payments.models import Refund, RefundStatus


class AddToCartForm(BaseForm):
    """Add a product to the cart."""

    product_id = HiddenField(validators=[DataRequired()])
    quantity = IntegerField(
        _l("Quantity"), default=1, validators=[InputRequired(), NumberRange(min=1, max=99)]
    )


class AddSeatsForm(BaseForm):
    """Book seats of a class session (paid through the cart like a product)."""

    session_id = HiddenField(validators=[DataRequired()])
    quantity = IntegerField(
        _l("Seats"), default=1, validators=[InputRequired(), NumberRange(min=1, max=99)]
    )
    attendees = TextAreaField(
        _l("Who attends (one name per line)"),
        filters=[strip],
        validators=[DataRequired(), Length(max=2000)],
    )


class CheckoutForm(BaseForm):
    """Contact details and the shipping address; delivery choices come per artisan."""

    checkout_token = HiddenField(validators=[DataRequired(), Length(max=64)])
    name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(), Length(max=120)])
    email = EmailField(
        _l("E-mail"),
        filters=[strip],
        validators=[DataRequired(), EmailAddress(), Length(max=254)],
        description=_l("We send the confirmation and your order link here."),
    )
    phone = StringField(
        _l("Phone (optional)"),
        filters=[strip],
        validators=[Length(max=40)],
        description=_l(
            "Shared only with the artisans you meet: for a pickup or a class, to reach you on "
            "the day. Leave it empty to keep it to yourself."
        ),
    )
    address = TextAreaField(
        _l("Shipping address"),
        filters=[strip],
        validators=[Length(max=600)],
        description=_l("Only needed when something is shipped. Only that artisan sees it."),
    )


class FulfilmentForm(BaseForm):
    """An artisan's next step on their part of an order."""

    status = SelectField(_l("New status"))
    note = StringField(
        _l("Tracking note (optional)"), filters=[strip], validators=[Length(max=300)]
    )

    def __init__(self, *args, steps=(), current=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The status words are lower case for use in sentences; an option starts a line.
        choices = [SelectChoice(s.value, str(s.label).capitalize()) for s in steps]
        if current is not None and steps:
            # Where the order stands comes first and selected: saving it changes nothing.
            label = _l("%(status)s (now)", status=str(current.label).capitalize())
            choices.insert(0, SelectChoice(current.value, label))
            if self.status.data is None:
                self.status.data = current.value
        self.status.choices = choices


class RefundForm(BaseForm):
    """Refund an amount for a line (or the whole order, for admins)."""

    # Not a HiddenField: hidden_tag() would render an empty line_id ahead of the page's own
    # line picker, and the first value wins (a line refund became a whole-order refund).
    line_id = StringField()
    amount = MoneyField(_l("Amount to refund"), validators=[InputRequired(), NumberRange(min=1)])
    restock = IntegerField(
        _l("Units back into stock"), default=0, validators=[Optional(), NumberRange(min=0, max=99)]
    )
    reason = StringField(_l("Reason"), filters=[strip], validators=[Length(max=300)])

    def chosen_line(self, order: Order) -> OrderLine | None:
        """The order's line this refund names; None for the whole order. A line of another
        order, or an id no column holds, is a 404 (never confirm what exists elsewhere)."""
        if not self.line_id.data:
            return None
        line_id = parse_id(self.line_id.data)
        line = db.session.get(OrderLine, line_id) if line_id else None
        if line is None or line.order_id != order.id:
            abort(404)
        return line

    def problem(self, order: Order, line: OrderLine | None) -> str | None:
        """Why this refund cannot be confirmed (checked again, under lock, when it is sent)."""
        if not self.validate():
            return _("Enter the amount to refund, for example 12.50.")
        left = order.refundable_cents if line is None else line.total_cents - line.refunded_cents
        if self.amount.data > left:
            return _(
                "At most %(amount)s can still be refunded.",
                amount=format_money_here(left, order.currency),
            )
        restock = self.restock.data or 0
        if restock and (line is None or restock > line.quantity - line.restocked_quantity):
            return _("Cannot restock more than was sold.")
        return None

    def send(self, order: Order, actor) -> bool:
        """Validate and refund as one unit of work; the outcome is flashed."""
        line = self.chosen_line(order)
        if not self.validate_on_submit():
            flash(_("Enter the amount to refund, for example 12.50."), "danger")
            return False
        done = perform(
            lambda: refunds.refund(
                order,
                actor,
                self.amount.data,
                line=line,
                restock_quantity=self.restock.data or 0,
                reason=self.reason.data or "",
            )
        )
        if done:
            flash_refund(done.value)
        return done.ok


def refund_confirmation(order: Order, action: str, back: str):
    """GET: check the refund typed on the order page and show what it will do; the POST from
    that page sends it. An amount that cannot be refunded goes back with the reason."""
    form = RefundForm(formdata=request.args, meta={"csrf": False})
    line = form.chosen_line(order)
    problem = form.problem(order, line)
    if problem:
        flash(problem, "danger")
        return redirect(back)
    return render_template(
        "orders/confirm_refund.html", order=order, line=line, form=form, action=action, back=back
    )


def flash_refund(record: Refund) -> None:
    """Say what the gateway answered: the refund was committed and sent before this runs."""
    if record.status == RefundStatus.SUCCEEDED:
        flash(_("Refund sent."), "success")
    elif record.status == RefundStatus.FAILED:
        flash(
            _(
                "The refund is recorded but the payment provider refused it (%(error)s). "
                "An administrator can send it again from the order's page.",
                error=record.last_error or "",
            ),
            "warning",
        )
    else:
        flash(_("The refund is recorded; it is being sent to the payment provider."), "info")
