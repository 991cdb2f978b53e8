"""Message forms: writing (with an optional photo) and marking a conversation read."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from shop.auth.forms import strip
from shop.core.fields import optional_photo_field
from shop.core.forms import BaseForm
from shop.core.inputs import DB_INT_MAX
from shop.messages.models import BODY_MAX


class MessageForm(BaseForm):
    """A message; its token makes a second submit of the same form a no-op."""

    body = TextAreaField(
        _l("Your message"),
        filters=[strip],
        validators=[Length(max=BODY_MAX)],
        description=_l("Your e-mail and phone stay private: talk here."),
    )
    image = optional_photo_field()
    client_token = HiddenField(
        validators=[Length(max=64)], default=lambda: secrets.token_urlsafe(24)
    )


class ReadForm(BaseForm):
    """Seen up to this message (sent by the page's script, or its button)."""

    up_to = IntegerField(validators=[InputRequired(), NumberRange(min=0, max=DB_INT_MAX)])
