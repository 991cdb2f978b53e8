"""Two languages from day one: every user-facing string has a Spanish translation."""

from __future__ import annotations

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from shop import ROOT

KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
METHOD_MAP = [
    ("shop/**.py", "python"),
    ("templates/**.html", "jinja2"),
    ("templates/**.txt", "jinja2"),
]


def _source_messages() -> set[str]:
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), METHOD_MAP, keywords=KEYWORDS
    ):
        # Plural messages come back as (singular, plural), as the catalogue keys them.
        found.add(tuple(message) if isinstance(message, tuple) else message)
    return found


def _catalogue(locale: str):
    with open(ROOT / "shop/translations" / locale / "LC_MESSAGES/messages.po", "rb") as handle:
        return read_po(handle)


def test_every_source_string_has_a_spanish_translation():
    spanish = _catalogue("es")
    missing = []
    for message_id in sorted(_source_messages(), key=str):
        entry = spanish.get(message_id)
        strings = (
            entry.string
            if entry and isinstance(entry.string, tuple)
            else ((entry.string,) if entry else ("",))
        )
        if entry is None or not all(strings) or entry.fuzzy:
            missing.append(str(message_id))
    assert not missing, (
        "untranslated Spanish strings (run `make i18n`, then translate):\n" + "\n".join(missing)
    )


def test_english_catalogue_knows_every_string():
    english = _catalogue("en")
    missing = [str(m) for m in _source_messages() if english.get(m) is None]
    assert not missing, "run `make i18n` to refresh the English catalogue: " + ", ".join(missing)


def test_spanish_placeholders_match_english():
    import re

    placeholder = re.compile(r"%\(\w+\)[sd]")
    for entry in _catalogue("es"):
        if entry.id and entry.string and isinstance(entry.id, str):
            assert sorted(placeholder.findall(entry.id)) == sorted(
                placeholder.findall(entry.string)
            ), entry.id


def test_spanish_is_the_default(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="es">' in html
    assert "Iniciar sesión" in html


def test_accept_language_picks_english(client):
    html = client.get("/", headers={"Accept-Language": "en-US,en;q=0.8"}).get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Log in" in html


def test_switcher_choice_is_remembered_over_the_browser(client):
    from tests.conftest import post_form

    response = post_form(client, "/language", {"lang": "en", "next": "/auth/login"})
    assert response.headers["Location"] == "/auth/login"
    html = client.get("/", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert '<html lang="en">' in html


def test_switcher_ignores_unknown_language_and_foreign_next(client):
    from tests.conftest import post_form

    response = post_form(client, "/language", {"lang": "xx", "next": "https://evil.example.com"})
    assert response.headers["Location"] == "/"
    assert '<html lang="es">' in client.get("/").get_data(as_text=True)


def test_switcher_saves_the_choice_on_the_account(customer_client, db, customer):
    from shop.auth.models import User
    from tests.conftest import post_form

    post_form(customer_client, "/language", {"lang": "en"})
    db.session.expire_all()
    assert db.session.get(User, customer.id).locale == "en"
