"""What products and classes share: the SDG and GCM goals they support, which default to
their artisan's, and the language they are written in with an optional translation."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shop.artisans.models import Artisan, GoalLink
from shop.core.errors import ValidationFailed
from shop.goals import get_goal

GoalPairs = list[tuple[str, int]]


def sync_goals(
    links: list[GoalLink],
    wanted: GoalPairs | None,
    artisan: Artisan,
    make_link: type[GoalLink],
) -> None:
    """Make a listing's goal links (`links`, its relationship list) the `wanted` goals:
    unknown goals are refused, links no longer wanted go, missing ones are added.
    `None` means "as the artisan's goals"."""
    if wanted is None:
        wanted = [(g.kind, g.number) for g in artisan.goals]
    for kind, number in wanted:
        if get_goal(kind, number) is None:
            raise ValidationFailed(str(_l("Unknown goal.")), field="goals")
    chosen = set(wanted)
    for link in list(links):
        if (link.kind, link.number) not in chosen:
            links.remove(link)
    have = {(link.kind, link.number) for link in links}
    for kind, number in sorted(chosen - have):
        links.append(make_link(kind=kind, number=number))


LANGUAGES = ("es", "en")


def other_language(language: str) -> str:
    """The listing language a translation is written in: the one the artisan did not use."""
    return "en" if language == "es" else "es"


def locale_language(locale: object) -> str:
    """'es' for Spanish locales ("es", "es_EC"), 'en' for anything else."""
    return "es" if str(locale or "").lower().startswith("es") else "en"


@dataclass(frozen=True)
class ShownTexts:
    """What a visitor reads of a listing: title and description, the language they are in,
    and whether it is the artisan's translation (pages then offer the original)."""

    title: str
    description: str
    language: str
    description_language: str
    translated: bool
    has_translation: bool


class BilingualListing:
    """Mixin for products and classes: written in one language (`language`), with an optional
    translation of title and description in the other one."""

    language: Mapped[str] = mapped_column(String(2), default="es", server_default="es")
    title_translated: Mapped[str] = mapped_column(String(120), default="", server_default="")
    description_translated: Mapped[str] = mapped_column(Text, default="", server_default="")

    def shows_translation(self, locale: object, original: bool = False) -> bool:
        """Whether a visitor reading `locale` sees the translation (never when they asked
        for the original, or when there is none)."""
        return (
            not original
            and bool(self.title_translated)
            and locale_language(locale) != self.language
        )

    def title_in(self, locale: object, original: bool = False) -> str:
        """The title in the visitor's language when the artisan gave one."""
        return self.title_translated if self.shows_translation(locale, original) else self.title

    def description_in(self, locale: object, original: bool = False) -> str:
        """The description in the visitor's language when translated (else the original)."""
        if self.shows_translation(locale, original) and self.description_translated:
            return self.description_translated
        return self.description

    def shown(self, locale: object, original: bool = False) -> ShownTexts:
        """The texts for a visitor reading `locale` (the original when they asked for it)."""
        translated = self.shows_translation(locale, original)
        return ShownTexts(
            title=self.title_in(locale, original),
            description=self.description_in(locale, original),
            language=other_language(self.language) if translated else self.language,
            description_language=(
                other_language(self.language)
                if translated and self.description_translated
                else self.language
            ),
            translated=translated,
            has_translation=bool(self.title_translated),
        )

    def texts(self) -> dict[str, dict[str, str]]:
        """Both languages for the API: {"es": {title, description}, "en": {...}}; a missing
        translation is empty text."""
        return {
            self.language: {"title": self.title, "description": self.description},
            other_language(self.language): {
                "title": self.title_translated,
                "description": self.description_translated,
            },
        }


def fill_texts(listing: BilingualListing, language: str, title: str, description: str) -> None:
    """Set a listing's language and its optional translation (validated: a known language, a
    translated description needs a translated title)."""
    if language not in LANGUAGES:
        raise ValidationFailed(str(_l("Choose the language you wrote in.")), field="language")
    title, description = title.strip(), description.replace("\r\n", "\n").strip()
    if len(title) > 120:
        raise ValidationFailed(
            str(_l("The translated title is too long (120 characters at most).")),
            field="title_translated",
        )
    if description and not title:
        raise ValidationFailed(str(_l("Give the translated title too.")), field="title_translated")
    listing.language = language
    listing.title_translated = title
    listing.description_translated = description
