"""Money is integer minor units plus an ISO 4217 currency; this formats and parses it."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import format_currency, format_decimal, get_currency_precision
from flask_babel import get_locale

DEFAULT_CURRENCY = "USD"  # Ecuador uses the US dollar


def minor_units(currency: str) -> int:
    """Number of decimal places the currency uses (2 for USD, 0 for JPY)."""
    return get_currency_precision(currency)


def to_cents(amount: str | Decimal | int, currency: str = DEFAULT_CURRENCY) -> int:
    """Parse an amount typed by a person ("12.50", "12,50") into minor units."""
    if isinstance(amount, int):
        return amount * 10 ** minor_units(currency)
    text = str(amount).strip().replace(" ", "")
    # "12,50" is a decimal comma; in "1,234.50" the comma only groups thousands.
    text = text.replace(",", ".") if "," in text and "." not in text else text.replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"not an amount: {amount!r}") from None
    if not value.is_finite():
        raise ValueError(f"not an amount: {amount!r}")
    scale = Decimal(10) ** minor_units(currency)
    try:
        return int((value * scale).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    except InvalidOperation:  # beyond Decimal's precision: no real price is that large
        raise ValueError(f"amount out of range: {amount!r}") from None


def from_cents(cents: int, currency: str = DEFAULT_CURRENCY) -> Decimal:
    """Turn minor units into a Decimal amount."""
    return Decimal(cents) / (Decimal(10) ** minor_units(currency))


# Number formats of the market the shop serves: Spanish as written in Ecuador ("$22,50").
FORMAT_LOCALES = {"es": "es_EC", "en": "en_US"}


def number_locale(locale: str | None = None) -> str:
    """The locale whose number format a language uses here ("es" writes as in Ecuador)."""
    language = str(locale or get_locale() or "es")
    return FORMAT_LOCALES.get(language, language)


def format_money(cents: int, currency: str = DEFAULT_CURRENCY, locale: str = "es") -> str:
    """Format minor units for display in the given locale."""
    return format_currency(from_cents(cents, currency), currency, locale=number_locale(locale))


def amount_text(cents: int, currency: str = DEFAULT_CURRENCY) -> str:
    """An amount as people type it here, for a form field: "28,00" in Spanish, "28.00" in
    English; always the currency's decimals, never a symbol or grouped thousands."""
    decimals = minor_units(currency)
    pattern = "0." + "0" * decimals if decimals else "0"
    return format_decimal(from_cents(cents, currency), format=pattern, locale=number_locale())


def format_money_here(cents: int, currency: str = DEFAULT_CURRENCY) -> str:
    """Format minor units in the current request's language (e.g. for messages)."""
    return format_money(cents, currency, str(get_locale()))
