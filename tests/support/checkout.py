"""The checkout form driven through a test client, as a browser submits it."""

from __future__ import annotations

import re

from tests.conftest import post_form


def checkout_form(client, **overrides) -> dict:
    """The checkout page's form, filled in for Gina Guest (overrides replace fields)."""
    html = client.get("/checkout").get_data(as_text=True)
    token = re.search(r'name="checkout_token" type="hidden" value="([^"]+)"', html)
    assert token, html[:2000]
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    data = {
        "csrf_token": csrf,
        "checkout_token": token.group(1),
        "name": "Gina Guest",
        "email": "gina@example.com",
        "phone": "",
        "address": "",
    }
    data.update(overrides)
    return data


def place(client, product_ids_delivery: dict[int, str] | None = None, **overrides):
    """Submit the checkout for the cart (delivery choice per artisan id); returns the
    response and the data sent."""
    data = checkout_form(client, **overrides)
    for artisan_id, choice in (product_ids_delivery or {}).items():
        data[f"delivery_{artisan_id}"] = choice
    return client.post("/checkout", data=data), data


def add(client, product, quantity=1):
    """Put units of a product in the client's cart through the real form."""
    return post_form(
        client, "/cart/add", {"product_id": str(product.id), "quantity": str(quantity)}
    )
