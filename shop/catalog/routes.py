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
    )
    return render_template(
        "catalog/listing.html", page=page, filters=filters, categories=services.categories()
    )


@bp.route("/products/<slug>")
@cached_page
def detail(slug: str):
    product = services.get_public_product(slug)
    if product is None:
        abort(404)
    return render_template("catalog/detail.html", product=product, preview=False)
