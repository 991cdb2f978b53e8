"""Bilingual listings: a product or class is written in one language with an optional
translation; pages show the visitor's language with a link to the original, search matches
either language without accents, and the API gives both."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from shop.artisans.listings import fill_texts
from shop.catalog import search, services
from shop.catalog.models import Product
from shop.core.errors import ValidationFailed
from tests import factories
from tests.catalog.test_catalog_routes import approved, product_form  # noqa: F401
from tests.conftest import post_form

EN = {"Accept-Language": "en"}


def _translated(
    title="Taza de barro", english="Clay mug", description="Thrown by hand.", **kwargs
) -> Product:
    product = factories.product(title=title, description="Torneada a mano.", **kwargs)
    product.title_translated = english
    product.description_translated = description
    search.index_product(product)
    return product


def _titles(q: str) -> list[str]:
    query = services.public_products(services.ProductFilters(q=q))
    return [p.title for p in services.db.session.scalars(query).unique()]


def test_search_matches_either_language_without_accents(db):
    _translated()
    _translated(title="Ají de tomate de árbol", english="Tree tomato sauce", description="Hot.")
    factories.product(title="Cuenco verde")
    assert _titles("mug") == ["Taza de barro"]
    assert _titles("taza") == ["Taza de barro"]
    assert _titles("arbol") == ["Ají de tomate de árbol"]
    assert _titles("ÁRBOL tree") == ["Ají de tomate de árbol"]
    assert _titles("thrown") == ["Taza de barro"]  # the translated description counts too
    assert _titles("sauce mug") == []


def test_a_translation_needs_a_known_language_and_a_title(db):
    product = factories.product()
    with pytest.raises(ValidationFailed) as error:
        fill_texts(product, "fr", "", "")
    assert error.value.field == "language"
    with pytest.raises(ValidationFailed) as error:
        fill_texts(product, "es", "", "A description alone")
    assert error.value.field == "title_translated"
    fill_texts(product, "en", "  Taza  ", "Descripción\r\n")
    assert (product.language, product.title_translated, product.description_translated) == (
        "en",
        "Taza",
        "Descripción",
    )


def test_pages_show_the_visitors_language_and_link_to_the_original(client, db):
    product = _translated()
    db.session.commit()
    english = client.get(f"/products/{product.slug}", headers=EN).get_data(as_text=True)
    assert '<h1 class="h2">Clay mug</h1>' in english
    assert "Thrown by hand." in english and "Show original" in english
    assert f"/products/{product.slug}?original=1" in english
    original = client.get(f"/products/{product.slug}?original=1", headers=EN)
    text = original.get_data(as_text=True)
    assert '<h1 class="h2" lang="es">Taza de barro</h1>' in text
    assert "Torneada a mano." in text and "Show translation" in text
    spanish = client.get(f"/products/{product.slug}").get_data(as_text=True)
    assert '<h1 class="h2">Taza de barro</h1>' in spanish
    assert "Ver original" not in spanish and "Mostrar original" not in spanish
    listing = client.get("/products?q=mug", headers=EN).get_data(as_text=True)
    assert "Clay mug" in listing
    assert "Taza de barro" in client.get("/products?q=mug").get_data(as_text=True)


def test_an_untranslated_listing_shows_the_original_to_everyone(client, db):
    product = factories.product(title="Cuenco verde")
    db.session.commit()
    english = client.get(f"/products/{product.slug}", headers=EN).get_data(as_text=True)
    assert '<h1 class="h2" lang="es">Cuenco verde</h1>' in english
    assert "Show original" not in english


def test_class_pages_are_bilingual_too(client, db):
    session = factories.session()
    klass = session.class_
    klass.title_translated = "Pottery for beginners"
    klass.description_translated = "We make a bowl."
    db.session.commit()
    english = client.get(f"/classes/{klass.slug}", headers=EN).get_data(as_text=True)
    assert "Pottery for beginners" in english and "We make a bowl." in english
    assert "Pottery for beginners" in client.get("/classes", headers=EN).get_data(as_text=True)
    spanish = client.get(f"/classes/{klass.slug}").get_data(as_text=True)
    assert "Pottery for beginners" not in spanish and klass.title in spanish


def test_the_workshop_form_saves_the_language_and_translation(approved, db):  # noqa: F811
    artisan, client = approved
    response = post_form(
        client,
        "/workshop/products/new",
        product_form(
            language="en",
            title="Blue mug",
            title_translated="Taza azul",
            description_translated="Esmaltada a mano",
        ),
    )
    assert response.status_code == 302
    product = db.session.scalar(select(Product).where(Product.artisan_id == artisan.id))
    assert (product.language, product.title_translated) == ("en", "Taza azul")
    edit = client.get(f"/workshop/products/{product.id}/edit").get_data(as_text=True)
    assert 'value="Taza azul"' in edit and "Esmaltada a mano" in edit
    # A translated description without its title is refused with the form shown again.
    again = post_form(
        client,
        f"/workshop/products/{product.id}/edit",
        product_form(
            title="Blue mug", title_translated="", description_translated="Sola", stock_shown="4"
        ),
    )
    assert again.status_code == 422
    assert "Escribe también el título traducido." in again.get_data(as_text=True)
    db.session.refresh(product)
    assert product.title_translated == "Taza azul"
    bad_language = post_form(client, "/workshop/products/new", product_form(language="fr"))
    assert bad_language.status_code == 422


def test_the_api_gives_both_languages(client, db):
    product = _translated()
    db.session.commit()
    detail = client.get(f"/api/v1/products/{product.slug}").get_json()
    assert detail["language"] == "es"
    assert detail["titles"] == {"es": "Taza de barro", "en": "Clay mug"}
    assert detail["descriptions_markdown"] == {"es": "Torneada a mano.", "en": "Thrown by hand."}
    found = client.get("/api/v1/products?q=mug").get_json()
    assert [item["slug"] for item in found["items"]] == [product.slug]
