"""schema.org data (JSON-LD) for the public pages, in the shapes Google documents for rich
results: Product with Offer, Event for each class session, Person for the artisan, and the
BreadcrumbList of every detail page.

Only public facts go in: a class's place is its meeting area and city, never the address.
"""

from __future__ import annotations

from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from shop.artisans.models import Artisan
from shop.catalog.models import Product
from shop.classes.models import Class, ClassSession
from shop.core.markdown import plain_excerpt
from shop.core.money import from_cents, minor_units
from shop.media.services import photo_url

SCHEMA = "https://schema.org"
DESCRIPTION_CHARS = 300


def _amount(cents: int, currency: str) -> str:
    """'18.50': schema.org prices are plain numbers with a dot."""
    return f"{from_cents(cents, currency):.{minor_units(currency)}f}"


def _image_urls(photos) -> list[str]:
    return [photo_url(p.image, "1200", external=True) for p in photos]


def _describe(text: str) -> str:
    return plain_excerpt(text or "", DESCRIPTION_CHARS)


def person(artisan: Artisan) -> dict:
    """The artisan as a Person (their public name, craft and city: never more)."""
    data = {
        "@type": "Person",
        "name": artisan.public_name,
        "url": url_for("artisans.profile", slug=artisan.slug, _external=True),
        "jobTitle": artisan.craft,
        "address": {
            "@type": "PostalAddress",
            "addressLocality": artisan.city,
            "addressCountry": artisan.country,
        },
    }
    if artisan.profile_image:
        data["image"] = photo_url(artisan.profile_image, "400", external=True)
    if artisan.languages:
        data["knowsLanguage"] = [x.strip() for x in artisan.languages.split(",") if x.strip()]
    if artisan.tagline:
        data["description"] = artisan.tagline
    return data


def artisan_page(artisan: Artisan) -> dict:
    """The artisan's shop page: a ProfilePage about the Person (Google's profile page shape)."""
    return {
        "@context": SCHEMA,
        "@type": "ProfilePage",
        "dateCreated": (artisan.approved_at or artisan.created_at).isoformat(),
        "dateModified": artisan.updated_at.isoformat(),
        "mainEntity": person(artisan),
    }


def _availability(product: Product) -> str:
    if product.made_to_order:
        return f"{SCHEMA}/MadeToOrder"
    return f"{SCHEMA}/InStock" if product.stock > 0 else f"{SCHEMA}/OutOfStock"


def product(item: Product) -> dict:
    """A Product with one Offer: price, currency, availability, the seller, shipping."""
    url = url_for("catalog.detail", slug=item.slug, _external=True)
    offer = {
        "@type": "Offer",
        "url": url,
        "price": _amount(item.price_cents, item.currency),
        "priceCurrency": item.currency,
        "availability": _availability(item),
        "itemCondition": f"{SCHEMA}/NewCondition",
        "seller": person(item.artisan),
    }
    rate = item.artisan.shipping_rate_cents
    if item.shipping and rate is not None:
        offer["shippingDetails"] = {
            "@type": "OfferShippingDetails",
            "shippingRate": {
                "@type": "MonetaryAmount",
                "value": _amount(rate, item.currency),
                "currency": item.currency,
            },
            "shippingDestination": {
                "@type": "DefinedRegion",
                "addressCountry": item.artisan.country,
            },
        }
    data = {
        "@context": SCHEMA,
        "@type": "Product",
        "@id": f"{url}#product",  # the reviews' block names the same node
        "name": item.title,
        "url": url,
        "sku": f"taller-{item.id}",
        "description": _describe(item.description) or item.title,
        "category": item.category.name_en,
        "brand": {"@type": "Brand", "name": item.artisan.public_name},
        "offers": offer,
    }
    images = _image_urls(item.photos)
    if images:
        data["image"] = images
    if item.materials:
        data["material"] = item.materials
    return data


def _session_status(session: ClassSession) -> str:
    return f"{SCHEMA}/EventCancelled" if session.is_cancelled else f"{SCHEMA}/EventScheduled"


def session_event(klass: Class, session: ClassSession, now=None) -> dict:
    """One dated session as an Event; the location is the meeting area and city only."""
    url = url_for("classes.detail", slug=klass.slug, _external=True)
    artisan = klass.artisan
    event = {
        "@context": SCHEMA,
        "@type": "Event",
        "name": klass.title,
        "description": _describe(klass.description) or klass.title,
        "url": url,
        "startDate": session.starts_at.isoformat(),
        "endDate": session.ends_at.isoformat(),
        "eventStatus": _session_status(session),
        "eventAttendanceMode": f"{SCHEMA}/OfflineEventAttendanceMode",
        "location": {
            "@type": "Place",
            "name": f"{klass.meeting_area}, {artisan.city}",
            "address": {
                "@type": "PostalAddress",
                "addressLocality": artisan.city,
                "addressCountry": artisan.country,
            },
        },
        "organizer": person(artisan),
        "performer": person(artisan),
        "maximumAttendeeCapacity": session.capacity,
        "remainingAttendeeCapacity": session.seats_left,
        "offers": {
            "@type": "Offer",
            "url": url,
            "price": _amount(klass.price_cents, klass.currency),
            "priceCurrency": klass.currency,
            "availability": f"{SCHEMA}/SoldOut"
            if session.is_full or session.is_cancelled
            else f"{SCHEMA}/InStock",
            "validFrom": (klass.published_at or klass.created_at).isoformat(),
        },
    }
    images = _image_urls(klass.photos)
    if images:
        event["image"] = images
    if klass.languages:
        event["inLanguage"] = [x.strip() for x in klass.languages.split(",") if x.strip()]
    return event


def class_events(klass: Class, sessions: list[ClassSession]) -> list[dict]:
    """An Event for each upcoming session on the page."""
    return [session_event(klass, s) for s in sessions]


def breadcrumbs(trail: list[tuple[str, str | None]]) -> dict:
    """A BreadcrumbList from (name, absolute url) pairs; the last (this page) may have none."""
    items = []
    for position, (name, url) in enumerate(trail, start=1):
        item = {"@type": "ListItem", "position": position, "name": name}
        if url:
            item["item"] = url
        items.append(item)
    return {"@context": SCHEMA, "@type": "BreadcrumbList", "itemListElement": items}


def _home_and(listing_endpoint: str, listing_name: str) -> list[tuple[str, str | None]]:
    return [
        (_("Home"), url_for("main.index", _external=True)),
        (listing_name, url_for(listing_endpoint, _external=True)),
    ]


def product_page(item: Product) -> list[dict]:
    """Everything a product page says to search engines."""
    trail = _home_and("catalog.listing", _("Products"))
    category = item.category
    trail.append(
        (
            category.name(str(get_locale())),
            url_for("catalog.listing", category=category.slug, _external=True),
        )
    )
    trail.append((item.title, None))
    return [product(item), breadcrumbs(trail)]


def class_page(klass: Class, sessions: list[ClassSession]) -> list[dict]:
    """Everything a class page says: one Event per session, and the breadcrumbs."""
    trail = [*_home_and("classes.listing", _("Classes")), (klass.title, None)]
    return [*class_events(klass, sessions), breadcrumbs(trail)]


def artisan_shop_page(artisan: Artisan) -> list[dict]:
    """The artisan's page: the Person, and the breadcrumbs."""
    trail = [*_home_and("artisans.directory", _("Artisans")), (artisan.public_name, None)]
    return [artisan_page(artisan), breadcrumbs(trail)]
