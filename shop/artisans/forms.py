"""The workshop application form (also used to edit the profile)."""

from __future__ import annotations

from functools import cache

from babel import Locale
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from shop.artisans.models import STORY_MAX, PublicName
from shop.auth.forms import strip
from shop.core.fields import written_in_field
from shop.core.forms import BaseForm
from shop.core.markdown import safe_external_url
from shop.goals import all_goals


@cache
def country_choices(locale: str) -> list[tuple[str, str]]:
    """ISO country codes with names in the reader's language, sorted by name."""
    territories = Locale.parse(locale).territories
    countries = [
        (code, name)
        for code, name in territories.items()
        if len(code) == 2
        and code.isalpha()
        and code not in {"ZZ", "EU", "EZ", "UN", "QO", "XA", "XB", "XK"}
    ]
    return sorted(countries, key=lambda item: item[1])


def _external_url(form, field) -> None:
    if field.data and safe_external_url(field.data) is None:
        raise ValidationError(_l("Use a full web address that starts with https://"))


class ArtisanForm(BaseForm):
    """Everything about the workshop; goal fields are added below, one pair per goal."""

    shop_name = StringField(
        _l("Workshop name"), filters=[strip], validators=[DataRequired(), Length(max=120)]
    )
    slug = StringField(
        _l("Web address"),
        filters=[strip],
        validators=[Optional(), Length(max=80)],
        description=_l(
            "Your page will be at /artisans/<address>. Leave empty to use the workshop name."
        ),
    )
    first_name = StringField(
        _l("Your first name"), filters=[strip], validators=[DataRequired(), Length(max=60)]
    )
    public_name_choice = RadioField(
        _l("Name shown to the public"),
        choices=[
            SelectChoice(PublicName.SHOP_NAME.value, _l("The workshop name")),
            SelectChoice(PublicName.FIRST_NAME.value, _l("My first name")),
        ],
        default=PublicName.SHOP_NAME.value,
    )
    craft = StringField(
        _l("Craft"),
        filters=[strip],
        validators=[DataRequired(), Length(max=80)],
        description=_l("For example: ceramics, textiles, jewellery."),
    )
    city = StringField(
        _l("City where you work"),
        filters=[strip],
        validators=[DataRequired(), Length(max=80)],
        description=_l("Only the city is shown. Never write your street address."),
    )
    country = SelectField(
        _l("Country where you work"), validators=[DataRequired()], validate_choice=True
    )
    origin_country = SelectField(_l("Country of origin (optional)"), validators=[Optional()])
    show_origin = BooleanField(_l("Show my country of origin on my public page"))
    show_impact = BooleanField(_l("Show how many pieces I sold and students I taught on my page"))
    languages = StringField(
        _l("Languages you speak"),
        filters=[strip],
        validators=[Length(max=200)],
        description=_l("For example: Spanish, English, Kichwa."),
    )
    tagline = StringField(
        _l("Tagline"),
        filters=[strip],
        validators=[Length(max=160)],
        description=_l("One sentence about your work."),
    )
    story = TextAreaField(
        _l("Your story"),
        validators=[
            DataRequired(),
            Length(max=STORY_MAX, message=_l("Your story can have at most 20,000 characters.")),
        ],
        description=_l(
            "Several paragraphs are welcome. You can use Markdown: **bold**, "
            "*italic*, lists and links."
        ),
    )
    profile_language = written_in_field(_l("I wrote my tagline and story in"))
    story_url = URLField(
        _l("Where your story was published (optional)"),
        filters=[strip],
        validators=[Optional(), Length(max=500), _external_url],
    )
    profile_photo = FileField(
        _l("Profile photo"),
        description=_l("JPEG, PNG or WebP, up to 8 MB. Location data is removed."),
    )
    cover_photo = FileField(_l("Cover photo"))
    consent = BooleanField(
        _l(
            "I agree that Taller publishes my story, photos and city. I can withdraw this at "
            "any time, and my page is hidden at once."
        )
    )
    submit = SubmitField(_l("Send application"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        countries = [SelectChoice(code, name) for code, name in country_choices(str(get_locale()))]
        self.country.choices = [SelectChoice("", _l("Choose a country")), *countries]
        self.origin_country.choices = [SelectChoice("", _l("Prefer not to say")), *countries]

    def goal_fields(self, kind: str):
        """(goal, checkbox, statement) for each goal of one kind, for the template."""
        return [
            (goal, self[f"goal_{kind}_{goal.n}"], self[f"goal_{kind}_{goal.n}_statement"])
            for goal in all_goals(kind)
        ]

    def chosen_goals(self) -> dict[tuple[str, int], str]:
        """The goals ticked (or given a statement), with their statements."""
        chosen = {}
        for goal in all_goals():
            ticked = self[f"goal_{goal.kind}_{goal.n}"].data
            statement = (self[f"goal_{goal.kind}_{goal.n}_statement"].data or "").strip()
            if ticked or statement:
                chosen[(goal.kind, goal.n)] = statement
        return chosen

    def load_goals(self, goals) -> None:
        """Fill the goal fields from an artisan's saved goals."""
        for goal in goals:
            self[f"goal_{goal.kind}_{goal.number}"].data = True
            self[f"goal_{goal.kind}_{goal.number}_statement"].data = goal.statement


for _goal in all_goals():
    setattr(ArtisanForm, f"goal_{_goal.kind}_{_goal.n}", BooleanField(_goal.code))
    setattr(
        ArtisanForm,
        f"goal_{_goal.kind}_{_goal.n}_statement",
        StringField(_l("How your work contributes"), filters=[strip], validators=[Length(max=200)]),
    )


DECISION_LABELS = {
    "approve": _l("Approve"),
    "reject": _l("Reject"),
    "request_changes": _l("Request changes"),
    "suspend": _l("Suspend"),
    "reinstate": _l("Reinstate"),
}


class DecisionForm(BaseForm):
    """An admin decision on an application, with the reason the artisan will read."""

    action = SelectField(choices=[SelectChoice(k, v) for k, v in DECISION_LABELS.items()])
    reason = TextAreaField(
        _l("Reason (the artisan reads this)"), filters=[strip], validators=[Length(max=2000)]
    )
