"""Public catalogue pages: the list and each product."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from shop.catalog import services
from shop.core.inputs import page_arg
from shop.core.pagecache import cached_page
from shop.core.pagination import keyset_paginate

bp = Blueprint("catalog", __name__)

PER_PAGE = 24


@bp.route("/products")
@cached_page
def listing():
    filters = services.parse_filters(request.args)
    page = keyset_paginate(
        services.public_products(filters),
        per_page=PER_PAGE,
        page=page_arg(),
        after=request.args.get("after"),
        before=request.args.get("before"),
        count_in_query=filters.q is not None,
        load=services.products_by_id,
    )
    return render_template(
        "catalog/listing.html", page=page, filters=filters, categories=services.categories()
    )


def _photo_number(product, raw: str | None) -> int:
    """The photo shown large: ?photo=N (1-based) when it exists, else the first."""
    if raw and raw.isascii() and raw.isdecimal() and len(raw) <= 2:
        number = int(raw)
        if 1 <= number <= len(product.photos):
            return number
    return 1


@bp.route("/products/<slug>")
@cached_page
def detail(slug: str):
    product = services.get_public_product(slug)
    if product is None:
        abort(404)
    return render_template(
        "catalog/detail.html",
        product=product,
        preview=False,
        photo_number=_photo_number(product, request.args.get("photo")),
        more_from_shop=services.more_from_artisan(product),
        related=services.related_products(product),
    )


@bp.route("/products/<slug>/photos/<int:number>")
def photo(slug: str, number: int):
    """One photo large, on a page of its own (the viewer without JavaScript)."""
    product = services.get_public_product(slug)
    if product is None or not 1 <= number <= len(product.photos):
        abort(404)
    return render_template("catalog/photo.html", product=product, number=number)
