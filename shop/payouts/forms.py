"""Forms of the payouts pages: the artisan's payout details, and the admins' payouts,
transfers, adjustments and settings."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from shop.auth.forms import strip
from shop.core.fields import MoneyField
from shop.core.forms import BaseForm
from shop.payouts.models import MANUAL_METHODS

_MAX_CENTS = 100_000_000  # a million dollars: no payout of this shop is larger


def method_choices() -> list[tuple[str, str]]:
    return [(method.value, method.label.capitalize()) for method in MANUAL_METHODS]


def percent_to_bps(value: Decimal | None) -> int | None:
    """'12.5' (per cent) -> 1250 basis points; None stays None."""
    return None if value is None else int((value * 100).to_integral_value())


class PayoutDetailsForm(BaseForm):
    """How the artisan wants to be paid."""

    method = SelectField(_l("How you want to be paid"), choices=method_choices)
    details = TextAreaField(
        _l("Account details"),
        filters=[strip],
        validators=[Length(max=500)],
        description=_l(
            "Bank, account type and number, or the phone for mobile money. Only the "
            "administrators see this in full."
        ),
    )


class ManualPayoutForm(BaseForm):
    """An admin records money paid by hand."""

    amount = MoneyField(
        _l("Amount paid"), validators=[InputRequired(), NumberRange(min=1, max=_MAX_CENTS)]
    )
    method = SelectField(_l("Method"), choices=method_choices)
    reference = StringField(
        _l("Reference (transfer number, receipt)"), filters=[strip], validators=[Length(max=120)]
    )
    paid_on = DateField(_l("Date paid"), validators=[InputRequired()])
    note = StringField(_l("Note (optional)"), filters=[strip], validators=[Length(max=300)])
    over_available = BooleanField(_l("Pay more than the available balance"))


class TransferForm(BaseForm):
    """An admin sends a payout as a Stripe transfer."""

    amount = MoneyField(
        _l("Amount to transfer"), validators=[InputRequired(), NumberRange(min=1, max=_MAX_CENTS)]
    )
    over_available = BooleanField(_l("Transfer more than the available balance"))


class TermsForm(BaseForm):
    """An admin sets an artisan's own commission rate and connected Stripe account."""

    commission = DecimalField(
        _l("Commission for this artisan (%)"),
        places=2,
        validators=[Optional(), NumberRange(min=0, max=100)],
        description=_l("Leave empty to use the platform's rate."),
    )
    stripe_account = StringField(
        _l("Connected Stripe account"),
        filters=[strip],
        validators=[Length(max=64)],
        description=_l("Only where Stripe can pay out, e.g. acct_1A2b3C. Leave empty otherwise."),
    )


class AdjustmentForm(BaseForm):
    """An admin corrects an artisan's balance, with a note."""

    amount = MoneyField(
        _l("Amount (negative to deduct)"),
        validators=[InputRequired(), NumberRange(min=-_MAX_CENTS, max=_MAX_CENTS)],
    )
    note = StringField(_l("Why"), filters=[strip], validators=[DataRequired(), Length(max=300)])


class PlatformSettingsForm(BaseForm):
    """The platform's commission, holds and payout threshold."""

    commission = DecimalField(
        _l("Platform commission (%)"),
        places=2,
        validators=[InputRequired(), NumberRange(min=0, max=100)],
    )
    product_hold_days = IntegerField(
        _l("Days after shipping before product sales can be paid out"),
        validators=[InputRequired(), NumberRange(min=0, max=90)],
    )
    seat_hold_days = IntegerField(
        _l("Days after a class before its seats can be paid out"),
        validators=[InputRequired(), NumberRange(min=0, max=90)],
    )
    threshold = MoneyField(
        _l("Show artisans in “payouts due” from this available balance"),
        validators=[InputRequired(), NumberRange(min=0, max=_MAX_CENTS)],
    )
