"""Product forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from shop.auth.forms import strip
from shop.core.fields import MoneyField
from shop.core.forms import BaseForm
from shop.goals import all_goals


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes for a multiple choice (no JavaScript needed)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ProductForm(BaseForm):
    """Create or edit a product."""

    title = StringField(_l("Title"), filters=[strip], validators=[DataRequired(), Length(max=120)])
    category_id = SelectField(_l("Category"), coerce=int, validators=[DataRequired()])
    price = MoneyField(
        _l("Price (USD)"),
        validators=[
            InputRequired(message=_l("Enter a price, for example 25.00.")),
            NumberRange(
                min=1, max=10_000_000, message=_l("Enter a price between 0.01 and 100,000.")
            ),
        ],
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Length(max=10_000)],
        description=_l("Markdown is welcome: **bold**, lists, links."),
    )
    materials = StringField(_l("Materials"), filters=[strip], validators=[Length(max=200)])
    dimensions = StringField(
        _l("Dimensions"),
        filters=[strip],
        validators=[Length(max=120)],
        description=_l("For example: 12 cm high, 9 cm wide."),
    )
    weight_grams = IntegerField(
        _l("Weight (grams)"), validators=[Optional(), NumberRange(min=0, max=1_000_000)]
    )
    stock = IntegerField(
        _l("Units in stock"), default=1, validators=[Optional(), NumberRange(min=0, max=100_000)]
    )
    # The stock the form showed: a save never overwrites units sold since (optimistic check).
    stock_shown = HiddenField()
    made_to_order = BooleanField(_l("Made to order"))
    lead_time_days = IntegerField(
        _l("Days to make it"), validators=[Optional(), NumberRange(min=1, max=365)]
    )
    pickup = BooleanField(_l("Pickup in my city"), default=True)
    shipping = BooleanField(_l("Shipping (at my flat rate per order)"))
    goals = MultiCheckboxField(_l("Goals this product supports"), coerce=str)
    photos = FileField(
        _l("Add photos"),
        render_kw={"multiple": True},
        description=_l("Up to 8 photos: JPEG, PNG or WebP, 8 MB each. Location data is removed."),
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, categories=(), locale: str = "es", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.category_id.choices = [SelectChoice(c.id, c.name(locale)) for c in categories]
        self.goals.choices = [
            SelectChoice(f"{g.kind}-{g.n}", f"{g.code_in(locale)} · {g.label(locale)}")
            for g in all_goals()
        ]

    def goal_pairs(self) -> list[tuple[str, int]]:
        """Chosen goals as (kind, number)."""
        pairs = []
        for value in self.goals.data or []:
            kind, _, number = value.partition("-")
            if number.isdigit():
                pairs.append((kind, int(number)))
        return pairs


class ShippingForm(BaseForm):
    """The artisan's flat shipping rate, charged once per order."""

    shipping_rate = MoneyField(
        _l("Flat shipping rate per order (USD)"),
        validators=[Optional(), NumberRange(min=0, max=100_000)],
        description=_l("Leave empty if you do not ship."),
    )
    submit = SubmitField(_l("Save shipping rate"))
