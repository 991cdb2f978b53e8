"""Search engines: robots.txt, a sitemap of every public page in both languages, and pages
that name their canonical address and their other-language twin."""

from __future__ import annotations

from xml.etree import ElementTree

from tests import factories
from tests.conftest import login, post_form

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


def test_robots_keeps_crawlers_out_of_private_pages_and_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    for path in ("/workshop", "/admin", "/cart", "/checkout", "/orders", "/auth"):
        assert f"Disallow: {path}" in text
    assert "Sitemap: http://localhost/sitemap.xml" in text


def test_sitemap_lists_public_pages_in_both_languages_and_nothing_private(client, db):
    shown = factories.product(title="Cuenco azul", status="active")
    draft = factories.product(title="Borrador", status="draft")
    klass = factories.class_(title="Torno", status="active")
    hidden = factories.artisan(status="pending")
    hidden_product = factories.product(artisan_workshop=hidden, title="Oculto", status="active")
    db.session.commit()
    response = client.get("/sitemap.xml")
    assert response.mimetype == "application/xml"
    root = ElementTree.fromstring(response.data)  # noqa: S314 (our own sitemap)
    locs = [url.findtext("s:loc", namespaces=NS) for url in root.findall("s:url", NS)]
    public = [f"/products/{shown.slug}", f"/classes/{klass.slug}", "/goals/sdg/8", "/"]
    public.append(f"/artisans/{shown.artisan.slug}")
    for path in public:
        for lang in ("es", "en"):
            assert f"http://localhost{path}?lang={lang}" in locs, (path, lang)
    private = [f"/products/{draft.slug}", f"/products/{hidden_product.slug}"]
    private.append(f"/artisans/{hidden.slug}")
    for path in private:
        assert not any(loc.startswith(f"http://localhost{path}?") for loc in locs), path
    # Each entry names both languages.
    entry = next(
        url
        for url in root.findall("s:url", NS)
        if url.findtext("s:loc", namespaces=NS).endswith(f"/products/{shown.slug}?lang=en")
    )
    alternates = {link.get("hreflang"): link.get("href") for link in entry.findall("x:link", NS)}
    assert alternates == {
        "es": f"http://localhost/products/{shown.slug}?lang=es",
        "en": f"http://localhost/products/{shown.slug}?lang=en",
    }


def test_a_language_in_the_address_is_that_language_with_canonical_and_hreflang(client, db):
    product = factories.product(title="Cuenco azul", status="active", stock=3)
    db.session.commit()
    address = f"http://localhost/products/{product.slug}"
    english = client.get(f"/products/{product.slug}?lang=en").get_data(as_text=True)
    assert '<html lang="en"' in english and "3 left" in english
    assert f'<link rel="canonical" href="{address}?lang=en">' in english
    assert f'hreflang="es" href="{address}?lang=es"' in english
    assert f'hreflang="x-default" href="{address}?lang=es"' in english
    spanish = client.get(f"/products/{product.slug}?lang=es").get_data(as_text=True)
    assert '<html lang="es"' in spanish and "Quedan 3" in spanish
    # Page 2 of a list is its own canonical page.
    listing = client.get("/products?page=2&lang=en").get_data(as_text=True)
    assert 'rel="canonical" href="http://localhost/products?page=2&amp;lang=en"' in listing


def test_the_switcher_wins_over_the_language_in_the_address(client, db):
    product = factories.product(title="Cuenco azul", status="active")
    db.session.commit()
    response = post_form(
        client, "/language", {"lang": "es", "next": f"/products/{product.slug}?lang=en"}
    )
    assert response.headers["Location"] == f"/products/{product.slug}"
    assert '<html lang="es"' in client.get(response.headers["Location"]).get_data(as_text=True)


def test_private_pages_name_no_canonical_address(client, db):
    customer = factories.user()
    db.session.commit()
    login(client, customer.email)
    assert 'rel="canonical"' not in client.get("/orders").get_data(as_text=True)
    assert 'rel="canonical"' not in client.get("/auth/login").get_data(as_text=True)
