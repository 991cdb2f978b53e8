"""The form a logged-in person fills in to report a product or class."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from shop.auth.forms import strip
from shop.core.forms import BaseForm
from shop.moderation.models import REPORT_DETAILS_MAX, ReportReason


def _reason_choices() -> list[SelectChoice]:
    return [SelectChoice(reason.value, reason.label) for reason in ReportReason]


class ListingReportForm(BaseForm):
    """Why the listing breaks the rules, and the details (required for "something else")."""

    reason = RadioField(
        _l("What is wrong with this listing?"),
        choices=[SelectChoice(reason.value, reason.value) for reason in ReportReason],
        validators=[InputRequired(message=_l("Choose what is wrong."))],
    )
    details = TextAreaField(
        _l("Details"),
        filters=[strip],
        validators=[Length(max=REPORT_DETAILS_MAX)],
        description=_l(
            "What you saw, and where (for example a link to the original). Required when you "
            "choose “Something else”. At most %(n)s characters.",
            n=REPORT_DETAILS_MAX,
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.reason.choices = _reason_choices()  # labels in the request's language

    def validate_details(self, field) -> None:
        if self.reason.data == ReportReason.OTHER.value and not field.data:
            field.errors.append(str(_l("Tell us what is wrong.")))
