"""What search engines are told: the public pages in both languages (sitemap.xml), what not to
crawl (robots.txt), and each page's canonical and alternate-language addresses.

The language of a page can be chosen by a query parameter (`?lang=en`) that search engines
follow; without it a visitor gets their own choice (switcher, account, browser). So every public
page has one address per language, and each names the others with hreflang."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import current_app, request, url_for
from sqlalchemy import select

from shop.artisans.models import Artisan
from shop.catalog.models import Product
from shop.classes.models import Class
from shop.extensions import db
from shop.goals import all_goals

# Never useful in a search result: private pages, carts, forms and machine endpoints.
DISALLOWED = (
    "/workshop",
    "/admin",
    "/auth",
    "/cart",
    "/checkout",
    "/orders",
    "/bookings",
    "/payments",
    "/api/",
    "/media/",
)


@dataclass
class Page:
    """A public page: its endpoint and arguments, and when it last changed (if known)."""

    endpoint: str
    values: dict
    updated_at: datetime | None = None


def public_pages() -> list[Page]:
    """Every page a visitor can reach without an account."""
    pages = [
        Page("main.index", {}),
        Page("catalog.listing", {}),
        Page("classes.listing", {}),
        Page("artisans.directory", {}),
        Page("main.goals", {}),
        Page("impact.page", {}),
    ]
    pages += [Page("main.goal", {"kind": g.kind, "number": g.n}) for g in all_goals()]
    rows = db.session.execute(
        select(Artisan.slug, Artisan.updated_at).where(Artisan.public_filter())
    )
    pages += [Page("artisans.profile", {"slug": slug}, at) for slug, at in rows]
    rows = db.session.execute(
        select(Product.slug, Product.updated_at).where(Product.public_filter())
    )
    pages += [Page("catalog.detail", {"slug": slug}, at) for slug, at in rows]
    rows = db.session.execute(select(Class.slug, Class.updated_at).where(Class.public_filter()))
    pages += [Page("classes.detail", {"slug": slug}, at) for slug, at in rows]
    return pages


def language_urls(endpoint: str, values: dict) -> dict[str, str]:
    """The page's absolute address in each language."""
    return {
        lang: url_for(endpoint, **values, lang=lang, _external=True)
        for lang in current_app.config["LANGUAGES"]
    }


def this_page_alternates() -> dict[str, str] | None:
    """For the page being shown (a GET of a public page): its address in each language."""
    if request.method != "GET" or request.url_rule is None or request.endpoint is None:
        return None
    if request.path.startswith(DISALLOWED):
        return None
    values = dict(request.view_args or {})
    page = request.args.get("page", "")
    if page.isdigit() and page != "1":  # page 2 of a list is a page of its own
        values["page"] = page
    return language_urls(request.endpoint, values)


def without_language(target: str) -> str:
    """A local address without its ?lang= (after the switcher, the choice made there wins)."""
    parts = urlsplit(target)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    return urlunsplit(("", "", parts.path, urlencode(query), parts.fragment))
