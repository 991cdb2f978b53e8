"""One form per step of the application; the fields are the application form's own."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from shop.artisans.drafts import goal_key
from shop.artisans.forms import ArtisanForm, country_choices
from shop.auth.forms import strip
from shop.core.forms import BaseForm
from shop.goals import all_goals


class AboutForm(BaseForm):
    """Step 1: about you, what the public sees, and consent."""

    first_name = ArtisanForm.first_name
    public_name_choice = ArtisanForm.public_name_choice
    city = ArtisanForm.city
    country = ArtisanForm.country
    origin_country = ArtisanForm.origin_country
    show_origin = ArtisanForm.show_origin
    languages = ArtisanForm.languages
    consent = BooleanField(
        ArtisanForm.consent.args[0],
        validators=[DataRequired(message=_l("We can only publish your story with your consent."))],
    )

    def __init__(self, *args, resubmitting: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        countries = [SelectChoice(code, name) for code, name in country_choices(str(get_locale()))]
        self.country.choices = [SelectChoice("", _l("Choose a country")), *countries]
        self.origin_country.choices = [SelectChoice("", _l("Prefer not to say")), *countries]
        if resubmitting:
            del self.consent  # given already; withdrawn and given back in the settings


class CraftForm(BaseForm):
    """Step 2: the workshop, its craft and the story."""

    shop_name = ArtisanForm.shop_name
    slug = ArtisanForm.slug
    craft = ArtisanForm.craft
    tagline = ArtisanForm.tagline
    story = ArtisanForm.story
    profile_language = ArtisanForm.profile_language
    story_url = ArtisanForm.story_url


class PhotosForm(BaseForm):
    """Step 3: a profile and a cover photo (both optional)."""

    profile_photo = ArtisanForm.profile_photo
    cover_photo = ArtisanForm.cover_photo


class GoalsForm(BaseForm):
    """Step 4: the goals the work supports, ticked from the 17 SDGs and 23 GCM objectives."""

    goals = SelectMultipleField(
        _l("Goals your work supports"),
        choices=[SelectChoice(goal_key(g.kind, g.n), g.code) for g in all_goals()],
        validate_choice=True,
    )


def statements_form(goals, locale: str, *args, **kwargs) -> BaseForm:
    """Step 4, second page: one line per goal chosen, and only for those."""

    class StatementsForm(BaseForm):
        pass

    for goal in goals:
        setattr(
            StatementsForm,
            goal_key(goal.kind, goal.n),
            StringField(
                f"{goal.code_in(locale)} · {goal.label(locale)}",
                filters=[strip],
                validators=[Length(max=200)],
            ),
        )
    return StatementsForm(*args, **kwargs)
