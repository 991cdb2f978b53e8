"""The public class forms: the waitlist, booking a waitlist offer, asking for a private
session."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, EmailField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from shop.auth.forms import strip
from shop.core.forms import BaseForm, EmailAddress
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


class PrivateRequestForm(BaseForm):
    """Ask the artisan for a private session: the day, the group and who comes."""

    wanted_on = DateField(
        _l("Day you would like"),
        validators=[InputRequired(message=_l("Choose a day."))],
    )
    party_size = IntegerField(
        _l("People in your group"),
        default=2,
        validators=[InputRequired(), NumberRange(min=1, max=99)],
    )
    attendees = TextAreaField(
        _l("Who attends (one name per line)"),
        filters=[strip],
        validators=[DataRequired(), Length(max=2000)],
    )
    message = TextAreaField(
        _l("Message for the artisan (optional)"),
        filters=[strip],
        validators=[Length(max=2000)],
        description=_l("For example: the time of day that suits you."),
    )


class WholeSessionForm(BaseForm):
    """Book a whole session for one group: who comes (the session gets that many seats)."""

    attendees = TextAreaField(
        _l("Who attends (one name per line)"),
        filters=[strip],
        validators=[DataRequired(), Length(max=2000)],
    )
