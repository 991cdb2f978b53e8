"""The product page: photo viewer (with and without JavaScript), delivery and dispatch, the
artisan's returns terms, more from the shop, related products, sharing tags."""

from __future__ import annotations

import re

import pytest

from shop.catalog import services
from shop.catalog.models import ProductPhoto
from shop.media.services import save_image
from tests import factories
from tests.conftest import login, post_form
from tests.support.images import jpeg_bytes

EN = {"Accept-Language": "en"}


def with_photos(product, count: int):
    for position in range(count):
        image = save_image(jpeg_bytes(size=(300 + position, 200), gps=False), None, alt="")
        product.photos.append(ProductPhoto(image=image, position=position))


@pytest.fixture
def product(db):
    artisan = factories.artisan(status="approved")
    artisan.returns_policy = "Devoluciones en 14 días, sin uso."
    artisan.shipping_rate_cents = 500
    item = factories.product(artisan_workshop=artisan, title="Jarra azul", shipping=True)
    item.dispatch_days_min, item.dispatch_days_max = 3, 5
    with_photos(item, 3)
    db.session.commit()
    return item


def main_photo_src(html: str) -> str:
    return re.search(r'<img src="([^"]+)"[^>]*class="gallery__main', html, re.S).group(1)


def test_thumbnails_link_to_photo_n_and_the_page_shows_that_photo(client, product):
    first = client.get(f"/products/{product.slug}", headers=EN).get_data(as_text=True)
    assert 'href="?photo=2#photos"' in first and 'href="?photo=3#photos"' in first
    assert main_photo_src(first).endswith(product.photos[0].image.filename("1200"))
    second = client.get(f"/products/{product.slug}?photo=2", headers=EN).get_data(as_text=True)
    assert main_photo_src(second).endswith(product.photos[1].image.filename("1200"))
    assert f'href="/products/{product.slug}/photos/2"' in second  # the larger view
    # Nonsense falls back to the first photo, never an error.
    for bad in ("0", "9", "x", "-1", "\uff11"):
        page = client.get(f"/products/{product.slug}?photo={bad}")
        assert page.status_code == 200
        assert main_photo_src(page.get_data(as_text=True)).endswith(
            product.photos[0].image.filename("1200")
        )


def test_the_photo_page_shows_the_large_photo_with_previous_and_next(client, product):
    page = client.get(f"/products/{product.slug}/photos/2", headers=EN)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert product.photos[1].image.filename("full") in html
    assert f"/products/{product.slug}/photos/1" in html
    assert f"/products/{product.slug}/photos/3" in html
    assert "noindex" in html
    assert client.get(f"/products/{product.slug}/photos/4").status_code == 404
    assert client.get(f"/products/{product.slug}/photos/0").status_code == 404


def test_delivery_dispatch_pickup_and_returns(client, product):
    html = client.get(f"/products/{product.slug}", headers=EN).get_data(as_text=True)
    assert "Ships in 3-5 days" in html
    assert f"Free pickup in {product.artisan.city}" in html
    assert "Shipping: $5.00 per order" in html
    assert "Devoluciones en 14 días, sin uso." in html
    es = client.get(f"/products/{product.slug}", headers={"Accept-Language": "es"})
    assert "Sale en 3-5 días" in es.get_data(as_text=True)


def test_made_to_order_says_its_lead_time(client, db):
    item = factories.product(made_to_order=True, lead_time_days=10, stock=0)
    db.session.commit()
    html = client.get(f"/products/{item.slug}", headers=EN).get_data(as_text=True)
    assert "ready to send in 10 days" in html


def test_more_from_the_shop_and_related_products(client, db, product):
    sibling = factories.product(artisan_workshop=product.artisan, title="Plato hondo")
    same_category = factories.product(title="Cuenco de otro taller", goals=[])
    same_goal = factories.product(title="Chal de lana", category="textiles", goals=[("sdg", 8)])
    unrelated = factories.product(title="Anillo de plata", category="jewellery", goals=[])
    db.session.commit()
    html = client.get(f"/products/{product.slug}", headers=EN).get_data(as_text=True)
    more = html[html.index('id="more-h"') : html.index('id="related-h"')]
    related = html[html.index('id="related-h"') :]
    assert sibling.title in more and same_category.title not in more
    assert same_category.title in related and same_goal.title in related
    assert unrelated.title not in html and sibling.title not in related
    assert product.title not in more  # never itself


def test_sharing_tags_and_links(client, product):
    html = client.get(f"/products/{product.slug}", headers=EN).get_data(as_text=True)
    image = product.photos[0].image.filename("1200")
    assert f'<meta property="og:image" content="http://localhost/media/{image}">' in html
    assert '<meta property="og:title" content="Jarra azul">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert "https://wa.me/?text=Jarra%20azul%20http%3A//localhost/products/" in html
    assert "https://www.facebook.com/sharer/sharer.php?u=http%3A//localhost/products/" in html
    assert "data-copy-link=" in html
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert scripts and all(
        s.startswith("/") and not s.startswith("//") for s in scripts
    )  # our own files only


def test_dispatch_days_and_returns_are_edited_in_the_workshop(app, client, db):
    artisan = factories.artisan(status="approved")
    item = factories.product(artisan_workshop=artisan)
    db.session.commit()
    login(client, artisan.user.email)
    form = {"shipping_rate": "4", "returns_policy": "Cambios en 7 días."}
    assert post_form(client, "/workshop/shipping", form).status_code == 302
    db.session.refresh(artisan)
    assert artisan.returns_policy == "Cambios en 7 días." and artisan.shipping_rate_cents == 400
    too_long = {**form, "returns_policy": "x" * 1001}
    page = post_form(client, "/workshop/shipping", too_long)
    assert page.status_code == 422 and "is-invalid" in page.get_data(as_text=True)
    data = services.ProductData(
        title="Taza", category_id=item.category_id, price_cents=900, dispatch_days_max=2
    )
    services.update_product(item, data)
    assert (item.dispatch_days_min, item.dispatch_days_max) == (2, 2)
    with pytest.raises(services.ValidationFailed):
        services.update_product(
            item,
            services.ProductData(
                title="Taza",
                category_id=item.category_id,
                price_cents=900,
                dispatch_days_min=6,
                dispatch_days_max=2,
            ),
        )
    db.session.rollback()
