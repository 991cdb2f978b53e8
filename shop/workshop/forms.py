"""The forms of the artisan's workshop: products and classes (one listing base), shipping,
sessions and seats."""

from __future__ import annotations

from babel.dates import get_day_names
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from shop.artisans.listings import other_language
from shop.auth.forms import strip
from shop.classes.models import (
    DEFAULT_DECISION_HOURS,
    DEFAULT_TIMEZONE,
    MAX_DECISION_HOURS,
    CancellationPolicy,
    SkillLevel,
)
from shop.classes.policy import describe_policy, policy_name
from shop.classes.services import MAX_DURATION_MINUTES, MAX_PARTICIPANTS, MAX_WEEKS, known_timezones
from shop.core.fields import MoneyField, MultiCheckboxField, written_in_field
from shop.core.forms import BaseForm
from shop.goals import all_goals


def price_field(label) -> MoneyField:
    """A listing's price: required, at least one cent, at most 100,000."""
    return MoneyField(
        label,
        validators=[
            InputRequired(message=_l("Enter a price, for example 25.00.")),
            NumberRange(
                min=1, max=10_000_000, message=_l("Enter a price between 0.01 and 100,000.")
            ),
        ],
    )


class ListingForm(BaseForm):
    """What the product and class editors share: a title, the goals, photos, a save button.
    Subclasses add their own fields and label `goals` for what they list."""

    title = StringField(_l("Title"), filters=[strip], validators=[DataRequired(), Length(max=120)])
    language = written_in_field(_l("I wrote this in"))
    title_translated = StringField(
        _l("Heading in the other language (optional)"),
        filters=[strip],
        validators=[Length(max=120)],
        description=_l("Visitors who read the other language see it, with a link to yours."),
    )
    description_translated = TextAreaField(
        _l("Text in the other language (optional)"), validators=[Length(max=10_000)]
    )
    goals = MultiCheckboxField(_l("Goals"), coerce=str)
    photos = FileField(
        _l("Add photos"),
        render_kw={"multiple": True},
        description=_l("Up to 8 photos: JPEG, PNG or WebP, 8 MB each. Location data is removed."),
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, locale: str = "es", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.goals.choices = [
            SelectChoice(f"{g.kind}-{g.n}", f"{g.code_in(locale)} · {g.label(locale)}")
            for g in all_goals()
        ]
        # Each text box says which language it holds (screen readers, spell checkers).
        written = self.language.data if self.language.data in ("es", "en") else "es"
        for name, lang in (
            ("title", written),
            ("description", written),
            ("title_translated", other_language(written)),
            ("description_translated", other_language(written)),
        ):
            field = getattr(self, name, None)
            if field is not None:
                field.render_kw = {**(field.render_kw or {}), "lang": lang}

    def load(self, listing) -> None:
        """Show a saved listing: its price in money and its goals ticked."""
        self.price.data = listing.price_cents
        self.goals.data = [f"{g.kind}-{g.number}" for g in listing.goals]

    def goal_pairs(self) -> list[tuple[str, int]]:
        """Chosen goals as (kind, number)."""
        pairs = []
        for value in self.goals.data or []:
            kind, _, number = value.partition("-")
            if number.isdigit():
                pairs.append((kind, int(number)))
        return pairs


class ProductForm(ListingForm):
    """Create or edit a product."""

    category_id = SelectField(_l("Category"), coerce=int, validators=[DataRequired()])
    price = price_field(_l("Price (USD)"))
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
    dispatch_days_min = IntegerField(
        _l("Ships in at least (days)"), validators=[Optional(), NumberRange(min=0, max=90)]
    )
    dispatch_days_max = IntegerField(
        _l("and at most (days)"),
        validators=[Optional(), NumberRange(min=0, max=90)],
        description=_l('For items in stock, for example 3 and 5: "ships in 3-5 days".'),
    )
    pickup = BooleanField(_l("Pickup in my city"), default=True)
    shipping = BooleanField(_l("Shipping (at my flat rate per order)"))
    goals = MultiCheckboxField(_l("Goals this product supports"), coerce=str)

    def __init__(self, *args, categories=(), locale: str = "es", **kwargs) -> None:
        super().__init__(*args, locale=locale, **kwargs)
        self.category_id.choices = [SelectChoice(c.id, c.name(locale)) for c in categories]


class ShippingForm(BaseForm):
    """The artisan's flat shipping rate, charged once per order."""

    shipping_rate = MoneyField(
        _l("Flat shipping rate per order (USD)"),
        validators=[Optional(), NumberRange(min=0, max=100_000)],
        description=_l("Leave empty if you do not ship."),
    )
    returns_policy = TextAreaField(
        _l("Returns and cancellations"),
        filters=[strip],
        validators=[Length(max=1_000)],
        description=_l(
            "Shown on your product pages. For example: returns within 14 days, unused; "
            "made-to-order pieces cannot be returned."
        ),
    )
    submit = SubmitField(_l("Save delivery and returns"))


# Offered first: where Taller's artisans teach today.
COMMON_TIMEZONES = (
    "America/Guayaquil",
    "Pacific/Galapagos",
    "America/Bogota",
    "America/Lima",
    "America/Caracas",
    "America/La_Paz",
    "America/Santiago",
    "America/Argentina/Buenos_Aires",
    "America/Mexico_City",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Europe/Madrid",
    "Europe/Rome",
)
MAX_SESSION_CAPACITY = 100_000  # a sanity bound for the form; the service only needs > 0


def timezone_choices() -> dict[str, list[SelectChoice]]:
    """Zones in two groups: the usual ones first, then every IANA zone."""
    common = [z for z in COMMON_TIMEZONES if z in known_timezones()]
    everything = sorted(z for z in known_timezones() if "/" in z and not z.startswith("Etc/"))
    return {
        str(_l("Usual time zones")): [SelectChoice(z, z) for z in common],
        str(_l("All time zones")): [SelectChoice(z, z) for z in everything],
    }


class ClassForm(ListingForm):
    """Create or edit a class."""

    description = TextAreaField(
        _l("Description"),
        validators=[Length(max=10_000)],
        description=_l("What people will make and learn. Markdown is welcome: **bold**, lists."),
    )
    included = TextAreaField(
        _l("What is included"),
        validators=[Length(max=2_000)],
        description=_l("For example: clay, glazes and firing; tea and bread."),
    )
    skill_level = SelectField(_l("Level"), default=SkillLevel.ALL.value)
    languages = StringField(
        _l("Languages of the class"),
        filters=[strip],
        validators=[Length(max=200)],
        description=_l("For example: Spanish, English."),
    )
    what_to_bring = TextAreaField(
        _l("What to bring"),
        validators=[Length(max=1_000)],
        description=_l("For example: clothes that can get dirty; nothing else."),
    )
    accessibility = TextAreaField(
        _l("Accessibility"),
        validators=[Length(max=1_000)],
        description=_l("For example: ground floor, no steps; seated work; a quiet room."),
    )
    duration_minutes = IntegerField(
        _l("Duration (minutes)"),
        default=120,
        validators=[
            InputRequired(message=_l("Say how many minutes the class lasts.")),
            NumberRange(min=1, max=MAX_DURATION_MINUTES),
        ],
    )
    price = price_field(_l("Price per person (USD)"))
    min_participants = IntegerField(
        _l("Minimum participants"),
        default=1,
        validators=[InputRequired(), NumberRange(min=1, max=MAX_PARTICIPANTS)],
    )
    decision_hours = IntegerField(
        _l("Decide how many hours before"),
        default=DEFAULT_DECISION_HOURS,
        validators=[InputRequired(), NumberRange(min=1, max=MAX_DECISION_HOURS)],
        description=_l(
            "At this time each session is confirmed if the minimum has booked; otherwise it "
            "is cancelled and everyone gets their money back."
        ),
    )
    max_participants = IntegerField(
        _l("Maximum participants"),
        default=8,
        validators=[InputRequired(), NumberRange(min=1, max=MAX_PARTICIPANTS)],
        description=_l("New sessions get this many seats; you can change each session."),
    )
    meeting_area = StringField(
        _l("Meeting area (public)"),
        filters=[strip],
        validators=[DataRequired(), Length(max=160)],
        description=_l("A neighbourhood or landmark, for example: La Floresta, Quito."),
    )
    address = StringField(
        _l("Address (private)"),
        filters=[strip],
        validators=[DataRequired(), Length(max=300)],
        description=_l("Only customers who booked see it. It is never shown on public pages."),
    )
    timezone = SelectField(
        _l("Time zone of the venue"),
        default=DEFAULT_TIMEZONE,
        validators=[DataRequired()],
        description=_l("Session times are entered and shown in this zone."),
    )
    cancellation_policy = RadioField(
        _l("Cancellation policy"), default=CancellationPolicy.FLEXIBLE.value
    )
    private_min = MoneyField(
        _l("Minimum for a private session (USD, optional)"),
        validators=[
            Optional(),
            NumberRange(
                min=1, max=10_000_000, message=_l("Enter an amount between 0.01 and 100,000.")
            ),
        ],
        description=_l(
            "Fill it in to let a group book a whole session for itself: it pays the seats at "
            "the usual price, or this minimum if that is more. Leave empty to offer no private "
            "sessions."
        ),
    )
    goals = MultiCheckboxField(_l("Goals this class supports"), coerce=str)

    def __init__(self, *args, locale: str = "es", **kwargs) -> None:
        super().__init__(*args, locale=locale, **kwargs)
        self.skill_level.choices = [SelectChoice(s.value, s.label) for s in SkillLevel]
        self.timezone.choices = timezone_choices()
        self.cancellation_policy.choices = [
            SelectChoice(p.value, f"{policy_name(p)}: {describe_policy(p)}")
            for p in CancellationPolicy
        ]


def _capacity_field() -> IntegerField:
    return IntegerField(
        _l("Seats"),
        validators=[Optional(), NumberRange(min=1, max=MAX_SESSION_CAPACITY)],
        description=_l("Leave empty to use the class maximum."),
    )


class SessionForm(BaseForm):
    """One session: a date and a time at the venue."""

    date = DateField(_l("Date"), validators=[InputRequired(message=_l("Choose a date."))])
    time = TimeField(_l("Start time"), validators=[InputRequired(message=_l("Choose a time."))])
    capacity = _capacity_field()
    submit = SubmitField(_l("Add session"))


class WeeklyForm(BaseForm):
    """A weekly series: the same day and time for a number of weeks."""

    weekday = SelectField(_l("Day of the week"), coerce=int, validators=[InputRequired()])
    starting = DateField(
        _l("Starting from"), validators=[InputRequired(message=_l("Choose a date."))]
    )
    start_time = TimeField(
        _l("Start time"), validators=[InputRequired(message=_l("Choose a time."))]
    )
    weeks = IntegerField(
        _l("Number of weeks"),
        default=4,
        validators=[InputRequired(), NumberRange(min=1, max=MAX_WEEKS)],
    )
    seats = _capacity_field()
    submit = SubmitField(_l("Add weekly sessions"))

    def __init__(self, *args, locale: str = "es", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        names = get_day_names("wide", locale=locale)
        self.weekday.choices = [SelectChoice(day, names[day].capitalize()) for day in range(7)]


class CapacityForm(BaseForm):
    """A session's number of seats."""

    capacity = IntegerField(
        _l("Seats"),
        validators=[InputRequired(), NumberRange(min=1, max=MAX_SESSION_CAPACITY)],
    )


class AcceptPrivateForm(BaseForm):
    """Accept a request for a private session: the start time on the requested day."""

    time = TimeField(_l("Start time"), validators=[InputRequired(message=_l("Choose a time."))])
