"""JSON-LD on the product, class and artisan pages, checked against the shapes Google
documents (tests/support/jsonld.py), and the checker itself checked on broken data."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shop.catalog.models import ProductPhoto
from shop.classes.models import ClassPhoto
from shop.core.time import utcnow
from shop.media.services import save_image
from tests import factories
from tests.support import jsonld
from tests.support.images import jpeg_bytes

EN = {"Accept-Language": "en"}


def page_blocks(client, path: str) -> list[dict]:
    response = client.get(path, headers=EN)
    assert response.status_code == 200
    return jsonld.blocks_in(response.get_data(as_text=True))


def test_product_offer_and_breadcrumbs(client, db):
    artisan = factories.artisan(status="approved")
    artisan.shipping_rate_cents = 450
    item = factories.product(
        artisan_workshop=artisan, title="Jarra", price_cents=1850, stock=2, shipping=True
    )
    item.photos.append(ProductPhoto(image=save_image(jpeg_bytes(gps=False), None), position=0))
    db.session.commit()
    blocks = page_blocks(client, f"/products/{item.slug}")
    assert jsonld.problems(blocks) == []
    (product,) = jsonld.of_type(blocks, "Product")
    assert jsonld.missing_recommended(product) == []
    offer = product["offers"]
    assert (offer["price"], offer["priceCurrency"]) == ("18.50", "USD")
    assert offer["availability"] == "https://schema.org/InStock"
    assert offer["shippingDetails"]["shippingRate"]["value"] == "4.50"
    assert offer["seller"]["name"] == artisan.public_name
    assert product["image"][0].startswith("http://localhost/media/")
    (trail,) = jsonld.of_type(blocks, "BreadcrumbList")
    names = [i["name"] for i in trail["itemListElement"]]
    assert names == ["Home", "Products", "Ceramics", "Jarra"]


@pytest.mark.parametrize(
    ("stock", "made_to_order", "expected"),
    [(0, False, "OutOfStock"), (0, True, "MadeToOrder"), (1, False, "InStock")],
)
def test_availability_follows_the_stock(client, db, stock, made_to_order, expected):
    item = factories.product(stock=stock, made_to_order=made_to_order, lead_time_days=5)
    db.session.commit()
    (product,) = jsonld.of_type(page_blocks(client, f"/products/{item.slug}"), "Product")
    assert product["offers"]["availability"] == f"https://schema.org/{expected}"


def test_class_sessions_are_events_located_by_city_only(client, db):
    klass = factories.class_(title="Tejido en telar", meeting_area="San Juan")
    klass.photos.append(ClassPhoto(image=save_image(jpeg_bytes(gps=False), None), position=0))
    full = factories.session(klass=klass, capacity=2, seats_taken=2)
    soon = utcnow().replace(microsecond=0)
    cancelled = factories.session(
        klass=klass, status="cancelled", starts_at=soon + timedelta(days=3)
    )
    open_ = factories.session(klass=klass, starts_at=soon + timedelta(days=5))
    db.session.commit()
    blocks = page_blocks(client, f"/classes/{klass.slug}")
    assert jsonld.problems(blocks) == []
    events = {e["startDate"]: e for e in jsonld.of_type(blocks, "Event")}
    assert len(events) == 3
    event = events[open_.starts_at.isoformat()]
    assert jsonld.missing_recommended(event) == []
    assert event["offers"]["availability"] == "https://schema.org/InStock"
    assert events[full.starts_at.isoformat()]["offers"]["availability"].endswith("SoldOut")
    assert events[cancelled.starts_at.isoformat()]["eventStatus"].endswith("EventCancelled")
    place = event["location"]
    assert place["address"] == {
        "@type": "PostalAddress",
        "addressLocality": klass.artisan.city,
        "addressCountry": klass.artisan.country,
    }
    assert place["name"] == f"San Juan, {klass.artisan.city}"
    everything = str(blocks)
    assert klass.address not in everything and "streetAddress" not in everything


def test_the_artisan_page_is_a_profile_of_a_person(client, db):
    artisan = factories.artisan(status="approved")
    db.session.commit()
    blocks = page_blocks(client, f"/artisans/{artisan.slug}")
    assert jsonld.problems(blocks) == []
    (profile,) = jsonld.of_type(blocks, "ProfilePage")
    person = profile["mainEntity"]
    assert person["@type"] == "Person" and person["name"] == artisan.public_name
    assert person["address"]["addressLocality"] == artisan.city
    assert "streetAddress" not in str(profile)
    assert len(jsonld.of_type(blocks, "BreadcrumbList")) == 1


def test_the_checker_refuses_what_google_would():
    good = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": "Jarra",
        "offers": {"@type": "Offer", "price": "18.50", "priceCurrency": "USD"},
    }
    assert jsonld.problems(good) == []
    assert jsonld.problems({**good, "offers": {"@type": "Offer", "priceCurrency": "USD"}})
    assert jsonld.problems({**good, "offers": {**good["offers"], "price": "$18,50"}})
    assert jsonld.problems({**good, "offers": {**good["offers"], "availability": "in stock"}})
    assert jsonld.problems({k: v for k, v in good.items() if k != "offers"})
    event = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": "Clase",
        "startDate": "2026-12-12T10:00:00",
        "location": {"@type": "Place", "address": {"@type": "PostalAddress"}},
    }
    found = jsonld.problems(event)
    assert any("time zone" in p for p in found) and any("addressLocality" in p for p in found)
    crumbs = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [{"@type": "ListItem", "position": 1, "name": "Inicio"}],
    }
    assert jsonld.problems(crumbs)
