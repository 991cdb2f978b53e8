"""Reference goals: the bilingual data file, its CSS colours and the shop.goals API."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from shop.goals import KINDS, Goal, all_goals, get_goal, goal_choices

PROJECT = Path(__file__).resolve().parents[2]
DATA_FILE = PROJECT / "shop" / "data" / "goals.json"
CSS_FILE = PROJECT / "static" / "css" / "goals.css"
REFERENCE_FILE = Path(__file__).resolve().parents[3] / "shared/reference/goals.json"
HEX = re.compile(r"#[0-9A-Fa-f]{6}")
WHITE, NEAR_BLACK = "#FFFFFF", "#1A1A1A"


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2.x relative luminance of a #RRGGBB colour."""
    channels = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio between two colours (1 to 21)."""
    high, low = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def css_rules() -> dict[str, dict[str, str]]:
    """Declarations of the single-class goal colour rules in goals.css, by selector."""
    css = re.sub(r"/\*.*?\*/", "", CSS_FILE.read_text(encoding="utf-8"), flags=re.S)
    rules = {}
    for selector, body in re.findall(r"(\.goal-(?:sdg-\d+|gcm))\s*\{([^}]*)\}", css):
        decls = dict(
            (name.strip().lower(), value.strip())
            for name, value in (d.split(":", 1) for d in body.split(";") if ":" in d)
        )
        rules[selector] = decls
    return rules


@pytest.fixture(scope="module")
def data() -> dict:
    """The project's bilingual goals file."""
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def reference() -> dict:
    """The shared English reference the project's copy must agree with."""
    if not REFERENCE_FILE.is_file():
        pytest.skip(f"shared reference file not found at {REFERENCE_FILE}")
    return json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))


def test_numbering(data):
    assert [item["n"] for item in data["sdg"]] == list(range(1, 18))
    assert [item["n"] for item in data["gcm"]] == list(range(1, 24))
    assert isinstance(data["about"], str) and data["about"]
    assert data["source"]


def test_english_matches_reference(data, reference):
    assert data["about"] == reference["about"]
    for kind in KINDS:
        assert len(data[kind]) == len(reference[kind])
        for ours, theirs in zip(data[kind], reference[kind], strict=True):
            for key, value in theirs.items():
                assert ours.get(key) == value, f"{kind} {theirs['n']}: {key} differs"
            # Every text field of the reference has a Spanish twin.
            for key, value in theirs.items():
                if isinstance(value, str) and not HEX.fullmatch(value):
                    assert f"{key}_es" in ours, f"{kind} {theirs['n']}: no {key}_es"


def test_spanish_fields(data):
    assert data["about_es"].strip() and data["about_es"] != data["about"]
    required = {"sdg": ("title_es",), "gcm": ("label_es", "title_es")}
    for kind, keys in required.items():
        for item in data[kind]:
            for key in keys:
                assert item.get(key, "").strip(), f"{kind} {item['n']}: {key} is empty"
            for key, value in item.items():
                if key.endswith("_es"):
                    english = item[key.removesuffix("_es")]
                    assert value.strip() and value != english, f"{kind} {item['n']}: {key}"


def test_known_spanish_titles(data):
    sdg = {item["n"]: item for item in data["sdg"]}
    gcm = {item["n"]: item for item in data["gcm"]}
    assert sdg[1]["title_es"] == "Fin de la pobreza"
    assert sdg[8]["title_es"] == "Trabajo decente y crecimiento económico"
    assert sdg[17]["title_es"] == "Alianzas para lograr los objetivos"
    assert gcm[19]["title_es"] == (
        "Crear las condiciones necesarias para que los migrantes y las diásporas puedan "
        "contribuir plenamente al desarrollo sostenible en todos los países"
    )


def test_sdg_colours_are_hex(data):
    for item in data["sdg"]:
        assert HEX.fullmatch(item["color"]), item
        assert HEX.fullmatch(item["text_color"]), item
    assert HEX.fullmatch(data["gcm_badge"]["color"])
    assert HEX.fullmatch(data["gcm_badge"]["text_color"])


def test_text_colour_contrast(data):
    for item in data["sdg"]:
        bg, fg = item["color"], item["text_color"]
        assert fg in (WHITE, NEAR_BLACK)
        assert contrast(bg, fg) >= 3.0, f"SDG {item['n']}: {contrast(bg, fg):.2f}"
        # The text colour is whichever of white and near-black contrasts more.
        best = max((WHITE, NEAR_BLACK), key=lambda c: contrast(bg, c))
        assert fg == best, f"SDG {item['n']}: expected {best}"
    badge = data["gcm_badge"]
    assert contrast(badge["color"], badge["text_color"]) >= 4.5  # WCAG AA, normal text


def test_contrast_helper_matches_wcag():
    assert contrast("#FFFFFF", "#000000") == pytest.approx(21.0)
    assert contrast("#777777", "#777777") == pytest.approx(1.0)
    assert contrast("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)


def test_css_has_data_colours(data):
    rules = css_rules()
    for item in data["sdg"]:
        rule = rules.get(f".goal-sdg-{item['n']}")
        assert rule is not None, f"no CSS rule for SDG {item['n']}"
        assert rule["background-color"].upper() == item["color"].upper()
        assert rule["color"].upper() == item["text_color"].upper()
    gcm = rules[".goal-gcm"]
    assert gcm["background-color"].upper() == data["gcm_badge"]["color"].upper()
    assert gcm["color"].upper() == data["gcm_badge"]["text_color"].upper()
    assert contrast(gcm["background-color"], gcm["color"]) >= 4.5
    css = CSS_FILE.read_text(encoding="utf-8")
    assert re.search(r"\.goal-badge\s*\{[^}]*font-weight:\s*600", css)
    assert re.search(r"\.goal-badge--verified::after\s*\{[^}]*content:", css)


def test_all_goals_order():
    goals = all_goals()
    assert [(g.kind, g.n) for g in goals] == (
        [("sdg", n) for n in range(1, 18)] + [("gcm", n) for n in range(1, 24)]
    )
    assert [g.n for g in all_goals("sdg")] == list(range(1, 18))
    assert [g.n for g in all_goals("gcm")] == list(range(1, 24))
    goals.clear()  # callers get a copy, never the cached data
    assert len(all_goals()) == 40
    with pytest.raises(ValueError):
        all_goals("odm")


def test_module_matches_data(data):
    for item in data["sdg"]:
        goal = get_goal("sdg", item["n"])
        assert goal.title_en == goal.label_en == item["title"]
        assert goal.title_es == goal.label_es == item["title_es"]
        assert goal.color == item["color"]
        assert goal.text_color == item["text_color"]
    for item in data["gcm"]:
        goal = get_goal("gcm", item["n"])
        assert (goal.label_en, goal.title_en) == (item["label"], item["title"])
        assert (goal.label_es, goal.title_es) == (item["label_es"], item["title_es"])
        assert goal.color is None
        assert goal.text_color == data["gcm_badge"]["text_color"]


def test_get_goal_unknown_returns_none():
    assert get_goal("sdg", 0) is None
    assert get_goal("sdg", 18) is None
    assert get_goal("gcm", 24) is None
    assert get_goal("odm", 1) is None
    assert get_goal("sdg", "8") is None


def test_code_and_css_class():
    sdg8, gcm19 = get_goal("sdg", 8), get_goal("gcm", 19)
    assert (sdg8.code, sdg8.css_class) == ("SDG 8", "goal-sdg-8")
    assert (gcm19.code, gcm19.css_class) == ("GCM 19", "goal-gcm")
    with pytest.raises(dataclasses.FrozenInstanceError):
        sdg8.n = 9
    assert isinstance(sdg8, Goal)


@pytest.mark.parametrize(
    ("locale", "spanish"),
    [
        ("es", True),
        ("es_AR", True),
        ("es-MX", True),
        ("ES", True),
        ("en", False),
        ("en_US", False),
        ("fr", False),
        ("", False),
    ],
)
def test_locale_switching(locale, spanish):
    sdg8, gcm19 = get_goal("sdg", 8), get_goal("gcm", 19)
    if spanish:
        assert sdg8.title(locale) == sdg8.label(locale) == "Trabajo decente y crecimiento económico"
        assert gcm19.label(locale) == gcm19.label_es
        assert gcm19.title(locale) == gcm19.title_es
    else:
        assert sdg8.title(locale) == sdg8.label(locale) == "Decent Work and Economic Growth"
        assert gcm19.label(locale) == "Migrant and diaspora contributions"
        assert gcm19.title(locale) == gcm19.title_en


def test_goal_choices():
    sdg_en = goal_choices("sdg", "en")
    assert len(sdg_en) == 17
    assert sdg_en[7] == (8, "SDG 8 · Decent Work and Economic Growth")
    assert dict(goal_choices("sdg", "es"))[8] == "SDG 8 · Trabajo decente y crecimiento económico"
    gcm_es = goal_choices("gcm", "es_ES")
    assert [n for n, _ in gcm_es] == list(range(1, 24))
    assert gcm_es[18] == (19, "GCM 19 · Contribución de migrantes y diásporas")
    with pytest.raises(ValueError):
        goal_choices("odm", "en")
