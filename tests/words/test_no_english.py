"""No English on Spanish pages or in Spanish e-mails.

The demo marketplace (Spanish data) is seeded; every GET page is rendered for a visitor, a
customer, an artisan and an admin, plus pages with form errors, and every e-mail those
actions sent; the visible words (text, titles, labels, placeholders, alt text, button values)
must hold none of the English fragments below. Text marked with another `lang` (the
language switcher's "English") and addresses (URLs, e-mails) are left out.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from shop import demo
from shop.artisans.models import Artisan
from shop.catalog.models import Product
from shop.classes.models import Class, ClassSession
from shop.messages.models import Conversation
from shop.moderation.models import ListingReport
from shop.orders.models import Order, OrderGroup, OrderLine
from shop.reviews.models import Review
from tests.conftest import login, post_form

# The demo's pictures are the same at every seed: encode each once per process (see conftest).
pytestmark = pytest.mark.usefixtures("reuse_encoded_pictures")

# Words and phrases that cannot appear in Spanish text (whole words; case-sensitive where a
# capital is what gives them away, e.g. "Email" as a label).
ENGLISH_WORDS = (
    "the|and|with|your|you|this|that|from|please|Please|is|are|was|were|will|would|should|"
    "must|been|here|there|which|what|these|those|than|into|about|yet|only|also|after|before|"
    "Save|Cancel|Delete|Submit|Search|Login|Log in|Logout|Log out|Sign in|Sign up|Invalid|"
    "invalid|Required|required|Email|Password|Next|Previous|Back|Loading|field|Field|Home|"
    "Cart|Checkout|Orders|Price|Quantity|Shipping|Pickup|pickup|Refund|Messages|Reviews|"
    "Profile|Settings|Account|Dashboard|Upload|Choose|Select|Remove|Edit|Update|View|Show|"
    "Hide|Close|Yes|AM|PM|Not a valid|This field|Not Found|Forbidden|Bad Request"
)
ENGLISH = re.compile(rf"(?<![\w@./-])(?:{ENGLISH_WORDS})(?![\w@/-])")
ADDRESSES = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|/[\w./-]+")
SHOWN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
SKIPPED_TAGS = {"script", "style", "code", "pre"}
NOT_PAGES = ("/static", "/bootstrap", "/api", "/media", "/uploads", ".ics", ".csv", ".xml", ".txt")


class _VisibleWords(HTMLParser):
    """Collects what a reader sees or hears: text and the shown attributes."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: hidden from this check?
        self.words: list[str] = []

    def _hidden(self) -> bool:
        return any(self.stack)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        lang = (attributes.get("lang") or "es").split("-")[0]
        hidden = tag in SKIPPED_TAGS or lang != "es"
        if not self._hidden() and not hidden:
            self.words += [attributes[a] or "" for a in SHOWN_ATTRIBUTES if a in attributes]
            if tag == "input" and attributes.get("type") in ("submit", "button"):
                self.words.append(attributes.get("value") or "")
        if tag not in self.VOID:
            self.stack.append(hidden)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not self._hidden():
            self.words.append(data)


def english_in(text: str) -> list[str]:
    """The English fragments found in a piece of Spanish text (addresses left out)."""
    return sorted(set(ENGLISH.findall(ADDRESSES.sub(" ", text))))


def english_on_page(html: str) -> list[str]:
    reader = _VisibleWords()
    reader.feed(html)
    return english_in(" ".join(reader.words))


def test_the_check_finds_english():
    """The detector itself: English is caught; Spanish, addresses and lang="en" are not."""
    assert english_on_page("<p>Email inválido</p>") == ["Email"]
    assert english_on_page('<input placeholder="Search the shop">') == ["Search", "the"]
    assert english_on_page('<p>Correo electrónico no válido</p><a lang="en">English</a>') == []
    assert english_on_page("<p>Escribe a ana@the-shop.example o https://x.example/the</p>") == []


@pytest.fixture
def marketplace(app, db):
    with app.test_request_context():
        assert demo.seed()
    db.session.commit()


def _samples(db) -> dict[str, object]:
    first = lambda model: db.session.scalars(select(model).order_by(model.id)).first()  # noqa: E731
    seat = db.session.scalars(
        select(OrderLine).where(OrderLine.session_id.is_not(None)).order_by(OrderLine.id)
    ).first()
    order = seat.order if seat else first(Order)
    klass, product, artisan = first(Class), first(Product), first(Artisan)
    review, conversation = first(Review), first(Conversation)
    report = first(ListingReport)
    return {
        "class_id": klass.id,
        "session_id": first(ClassSession).id,
        "line_id": seat.id if seat else 1,
        "token": order.access_token,
        "group_id": first(OrderGroup).id,
        "target_id": first(OrderGroup).id,
        "order_id": order.id,
        "product_id": product.id,
        "artisan_id": artisan.id,
        "review_id": review.id if review else 1,
        "conversation_id": conversation.id if conversation else 1,
        "listing_id": product.id,
        "user_id": artisan.user_id,
        "action": "suspend",
        "page": "about",
        "request_id": 1,
        "report_id": report.id if report else 1,
        "kind": "sdg",
        "number": 8,
        "goal_id": 1,
        "photo_id": 1,
        "refund_id": 1,
        "payout_id": 1,
        "ref": "demo_x",
        "name": "nothing.jpg",
        "filename": "css/app.css",
        "slugs": {"classes": klass.slug, "artisans": artisan.slug, "products": product.slug},
    }


def _url(rule, samples) -> str:
    path = rule.rule
    for argument in rule.arguments:
        if argument == "slug":
            area = next((k for k in samples["slugs"] if k in rule.rule), "products")
            value = samples["slugs"][area]
        else:
            value = samples[argument]
        for pattern in (f"<int:{argument}>", f"<path:{argument}>", f"<{argument}>"):
            path = path.replace(pattern, str(value))
    return path


def test_no_english_on_any_spanish_page_or_e_mail(app, client, db, marketplace, outbox):
    samples = _samples(db)
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not any(part in rule.rule for part in NOT_PAGES)
    ]
    logins = {"visitor": None, **{role: (e, p) for role, e, p in demo.DEMO_LOGINS}}
    found: dict[str, list[str]] = {}
    pages = 0
    statuses: dict[int, int] = {}
    for role, credentials in logins.items():
        visitor = app.test_client()
        if credentials:
            login(visitor, *credentials)
        for rule in rules:
            url = _url(rule, samples)
            response = visitor.get(url)
            if response.mimetype != "text/html" or response.status_code in (301, 302, 303):
                continue
            pages += 1
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            english = english_on_page(response.get_data(as_text=True))
            if english:
                found[f"{role} GET {url} ({response.status_code})"] = english
    # Pages with form errors, as a visitor sends them.
    for path, data in (
        ("/auth/register", {"name": "", "email": "no-es-un-correo", "password": "corta"}),
        ("/auth/login", {"email": "no-es-un-correo", "password": ""}),
        ("/auth/forgot", {"email": "no-es-un-correo"}),
    ):
        response = post_form(client, path, data)
        pages += 1
        html = response.get_data(as_text=True)
        if path == "/auth/register":
            assert "Correo electrónico no válido" in html
        english = english_on_page(html)
        if english:
            found[f"POST {path}"] = english
    mails = outbox.messages()
    assert len(mails) >= 5, "the demo sends e-mails (orders, decisions, reviews)"
    for message in mails:
        text = message.get_body(preferencelist=("plain",)).get_content()
        english = english_in(f"{message['Subject']}\n{text}")
        html = message.get_body(preferencelist=("html",))
        if html is not None:
            english += english_on_page(html.get_content())
        if english:
            found[f"e-mail {message['Subject']!r}"] = sorted(set(english))
    assert pages > 100 and statuses[200] > 100, statuses
    assert not found, "\n".join(f"{where}: {words}" for where, words in sorted(found.items()))
