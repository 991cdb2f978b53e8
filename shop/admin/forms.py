"""Forms of the operator console: reasons for moderation, the site settings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, IntegerField, SelectMultipleField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from shop.auth.forms import strip
from shop.core.forms import BaseForm, EmailAddress


class ReasonForm(BaseForm):
    """A moderation action and why (the person affected reads it)."""

    reason = TextAreaField(
        _l("Reason (the person affected reads this)"),
        filters=[strip],
        validators=[Length(max=1000)],
    )


class SiteSettingsForm(BaseForm):
    """The settings of the shop as a whole."""

    hold_minutes = IntegerField(
        _l("Minutes an unpaid order holds its items"), validators=[NumberRange(5, 24 * 60)]
    )
    offer_hours = IntegerField(
        _l("Hours a waitlist offer stays open"), validators=[NumberRange(1, 7 * 24)]
    )
    contact_email = EmailField(
        _l("Contact e-mail shown to the public"),
        filters=[strip],
        validators=[Optional(), EmailAddress(), Length(max=254)],
    )
    featured_artisans = SelectMultipleField(_l("Featured workshops"), coerce=int)
    featured_products = SelectMultipleField(_l("Featured products"), coerce=int)
    featured_classes = SelectMultipleField(_l("Featured classes"), coerce=int)
