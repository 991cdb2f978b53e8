"""The public class forms: the waitlist and booking a waitlist offer."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    EmailField,
    StringField,
)
from wtforms.validators import Length, Optional

from shop.auth.forms import strip
from shop.core.forms import EmailAddress
from shop.orders.forms import AddSeatsForm, CheckoutForm


class WaitlistForm(AddSeatsForm):
    """Join the waitlist of a full session: the seats wanted and who attends; guests also
    give their name and e-mail."""

    name = StringField(_l("Name"), filters=[strip], validators=[Optional(), Length(max=120)])
    email = EmailField(
        _l("E-mail"),
        filters=[strip],
        validators=[Optional(), EmailAddress(), Length(max=254)],
        description=_l("We write to you here when seats free up."),
    )


class OfferForm(CheckoutForm):
    """Book the seats a waitlist offer holds: contact details, then payment."""

    address = None  # seats are attended in person
