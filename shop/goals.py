"""Reference goals for artisan tags: the 17 UN SDGs and the 23 GCM objectives."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

KINDS = ("sdg", "gcm")
_CODE_PREFIX = {"sdg": "SDG", "gcm": "GCM"}
_DATA_FILE = ("data", "goals.json")


def _is_spanish(locale: object) -> bool:
    """True for Spanish locales ("es", "es_AR", "es-MX"), given as text or a Babel Locale."""
    return str(locale or "").strip().lower().startswith("es")


@dataclass(frozen=True)
class Goal:
    """One SDG or GCM objective, in English and Spanish, with its badge colours."""

    kind: str
    n: int
    title_en: str
    title_es: str
    label_en: str
    label_es: str
    color: str | None
    text_color: str

    @property
    def code(self) -> str:
        """Short code such as "SDG 8" or "GCM 19"."""
        return f"{_CODE_PREFIX[self.kind]} {self.n}"

    @property
    def css_class(self) -> str:
        """CSS class carrying the badge colours (see static/css/goals.css)."""
        return f"goal-sdg-{self.n}" if self.kind == "sdg" else "goal-gcm"

    def code_in(self, locale: str) -> str:
        """The code in the reader's language: "ODS 8" / "PMM 19" in Spanish."""
        if _is_spanish(locale):
            return f"{'ODS' if self.kind == 'sdg' else 'PMM'} {self.n}"
        return self.code

    def title(self, locale: str) -> str:
        """Full title in Spanish for "es*" locales, otherwise English."""
        return self.title_es if _is_spanish(locale) else self.title_en

    def label(self, locale: str) -> str:
        """Short label in Spanish for "es*" locales, otherwise English."""
        return self.label_es if _is_spanish(locale) else self.label_en


@cache
def _goals() -> tuple[Goal, ...]:
    """Every goal, read once from shop/data/goals.json (SDG 1..17, then GCM 1..23)."""
    path = resources.files(__package__ or "shop").joinpath(*_DATA_FILE)
    data = json.loads(path.read_text(encoding="utf-8"))
    sdgs = [
        Goal(
            kind="sdg",
            n=int(item["n"]),
            title_en=item["title"],
            title_es=item["title_es"],
            label_en=item["title"],
            label_es=item["title_es"],
            color=item["color"],
            text_color=item["text_color"],
        )
        for item in data["sdg"]
    ]
    gcm_text = data["gcm_badge"]["text_color"]
    gcms = [
        Goal(
            kind="gcm",
            n=int(item["n"]),
            title_en=item["title"],
            title_es=item["title_es"],
            label_en=item["label"],
            label_es=item["label_es"],
            color=None,
            text_color=gcm_text,
        )
        for item in data["gcm"]
    ]
    return tuple(sorted(sdgs, key=lambda g: g.n) + sorted(gcms, key=lambda g: g.n))


@cache
def _index() -> dict[tuple[str, int], Goal]:
    """Goals keyed by (kind, number)."""
    return {(goal.kind, goal.n): goal for goal in _goals()}


def _check_kind(kind: str) -> None:
    """Raise ValueError for a kind other than "sdg" or "gcm"."""
    if kind not in KINDS:
        raise ValueError(f"unknown goal kind {kind!r}; expected one of {KINDS}")


def all_goals(kind: str | None = None) -> list[Goal]:
    """All goals in order (SDG 1..17 then GCM 1..23), or only those of one kind."""
    if kind is None:
        return list(_goals())
    _check_kind(kind)
    return [goal for goal in _goals() if goal.kind == kind]


def get_goal(kind: str, n: int) -> Goal | None:
    """The goal of this kind and number, or None if there is no such goal."""
    return _index().get((kind, n))


def goal_choices(kind: str, locale: str) -> list[tuple[int, str]]:
    """(number, "SDG 8 · Decent Work and Economic Growth") pairs for a form select field."""
    return [(goal.n, f"{goal.code} · {goal.label(locale)}") for goal in all_goals(kind)]
