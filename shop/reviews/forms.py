"""Review forms: writing and editing, the artisan's reply, reports and moderation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length

from shop.auth.forms import strip
from shop.core.fields import optional_photo_field
from shop.core.forms import BaseForm
from shop.reviews.models import BODY_MAX, REASON_MAX, REPLY_MAX

STARS = [SelectChoice(n, str(n)) for n in range(1, 6)]


class ReviewForm(BaseForm):
    """Stars, words and an optional photo."""

    rating = RadioField(
        _l("Your rating"),
        choices=STARS,
        coerce=int,
        validators=[InputRequired(message=_l("Choose from 1 to 5 stars."))],
    )
    body = TextAreaField(
        _l("Your review"),
        filters=[strip],
        validators=[Length(max=BODY_MAX)],
        description=_l("What you bought or learnt, and how it went. Plain text."),
    )
    photo = optional_photo_field()
    remove_photo = BooleanField(_l("Remove the photo"))


class ReplyForm(BaseForm):
    """The artisan's one public answer."""

    reply = TextAreaField(
        _l("Your public reply"),
        filters=[strip],
        validators=[DataRequired(message=_l("Write your reply.")), Length(max=REPLY_MAX)],
    )


class ReportForm(BaseForm):
    """Why a review (or a conversation) should be looked at by an admin."""

    reason = TextAreaField(
        _l("What is wrong?"),
        filters=[strip],
        validators=[DataRequired(message=_l("Tell us what is wrong.")), Length(max=REASON_MAX)],
    )
    next = HiddenField()


class ModerateForm(BaseForm):
    """An admin hides or restores a review, with the reason the author reads."""

    action = HiddenField(validators=[AnyOf(["hide", "restore"])])
    reason = TextAreaField(
        _l("Reason (the author sees it)"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Give the reason the author will read.")),
            Length(max=REASON_MAX),
        ],
    )
