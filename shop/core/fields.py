"""Form fields shared by features."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import RadioField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from shop.core.money import DEFAULT_CURRENCY, amount_text, to_cents


class MoneyField(StringField):
    """An amount typed as text ("18,50" or "18.50"); its data is integer minor units.

    A text input (not type=number) because phones in Spanish type a decimal comma.
    """

    def __init__(self, *args, currency: str = DEFAULT_CURRENCY, **kwargs) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(*args, **kwargs)
        self.currency = currency

    def process_formdata(self, valuelist) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = to_cents(valuelist[0], self.currency)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter an amount such as 18.50.")) from None

    def _value(self) -> str:
        """What was typed, else the saved amount as people write it here ("28,00" in Spanish,
        "28.00" in English: always the currency's decimals, never grouped thousands)."""
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return amount_text(self.data, self.currency)


def written_in_field(label) -> RadioField:
    """Which of the shop's two languages a text is written in (Spanish by default): pages mark
    the text with it (lang) and offer the other language where there is a translation."""
    return RadioField(
        label,
        default="es",
        choices=[SelectChoice("es", _l("Spanish")), SelectChoice("en", _l("English"))],
    )


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes for a multiple choice (no JavaScript needed)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def optional_photo_field() -> FileField:
    """One optional photo, checked and re-encoded by the image pipeline when saved."""
    return FileField(
        _l("Photo (optional)"),
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
        description=_l("JPEG, PNG or WebP, 8 MB at most. Location data is removed."),
    )
