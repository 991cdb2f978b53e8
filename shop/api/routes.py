"""API endpoints. Only public data: never e-mails, exact locations or unpublished rows."""

from __future__ import annotations

import re
from typing import NoReturn

from flask import Blueprint, abort, current_app, jsonify, make_response, request, url_for
from flask_babel import gettext as _

from shop.api.openapi import (
    DEFAULT_PER_PAGE,
    GOAL_CODES,
    IN_STOCK_VALUES,
    MAX_PAGE,
    MAX_PER_PAGE,
    openapi_document,
)
from shop.artisans import services as artisan_services
from shop.artisans.models import Artisan
from shop.catalog import services as catalog_services
from shop.catalog.models import Product
from shop.core.pagecache import cached_page
from shop.core.pagination import keyset_paginate
from shop.core.time import utcnow
from shop.errors import render_error
from shop.extensions import csrf, db
from shop.impact.export import report_json
from shop.impact.periods import month_choice
from shop.impact.queries import impact_report
from shop.media.services import photo_url
from shop.payouts.reports import parse_month

bp = Blueprint("api", __name__, url_prefix="/api/v1")

csrf.exempt(bp)  # read-only GET endpoints; nothing here changes state


def _image(image) -> dict | None:
    if image is None:
        return None
    return {
        "url": photo_url(image, "1200", external=True),
        "thumbnail_url": photo_url(image, "400", external=True),
        "width": image.width,
        "height": image.height,
        "alt": image.alt,
    }


def _goal(kind: str, number: int, verified: bool | None = None, statement: str | None = None):
    data = {"kind": kind, "number": number}
    if statement is not None:
        data["statement"] = statement
    if verified is not None:
        data["verified"] = verified
    return data


def artisan_summary(artisan: Artisan) -> dict:
    """Public fields of an artisan for lists."""
    return {
        "slug": artisan.slug,
        "name": artisan.public_name,
        "craft": artisan.craft,
        "city": artisan.city,
        "country": artisan.country,
        "tagline": artisan.tagline,
        "profile_language": artisan.profile_language,
        "profile_image": _image(artisan.profile_image),
        "url": url_for("artisans.profile", slug=artisan.slug, _external=True),
        "goals": [_goal(g.kind, g.number, g.is_verified) for g in artisan.goals],
    }


def artisan_detail(artisan: Artisan) -> dict:
    """Everything public about an artisan."""
    data = artisan_summary(artisan)
    data.update(
        story_markdown=artisan.story,
        story_url=artisan.story_url,
        languages=artisan.languages,
        origin_country=artisan.origin_country if artisan.show_origin else None,
        cover_image=_image(artisan.cover_image),
        goals=[_goal(g.kind, g.number, g.is_verified, g.statement) for g in artisan.goals],
    )
    return data


def product_summary(product: Product) -> dict:
    """Public fields of a product for lists."""
    return {
        "slug": product.slug,
        "title": product.title,
        "language": product.language,
        "titles": {lang: texts["title"] for lang, texts in product.texts().items()},
        "price": {"amount_cents": product.price_cents, "currency": product.currency},
        "category": product.category.slug,
        "in_stock": product.in_stock,
        "stock": None if product.made_to_order else product.stock,
        "made_to_order": product.made_to_order,
        "lead_time_days": product.lead_time_days,
        "image": _image(product.cover),
        "artisan": {
            "slug": product.artisan.slug,
            "name": product.artisan.public_name,
            "city": product.artisan.city,
        },
        "url": url_for("catalog.detail", slug=product.slug, _external=True),
    }


def product_detail(product: Product) -> dict:
    """Everything public about a product."""
    data = product_summary(product)
    data.update(
        description_markdown=product.description,
        descriptions_markdown={
            lang: texts["description"] for lang, texts in product.texts().items()
        },
        materials=product.materials,
        dimensions=product.dimensions,
        weight_grams=product.weight_grams,
        images=[_image(p.image) for p in product.photos],
        delivery={
            "pickup": product.pickup,
            "shipping": product.shipping and product.artisan.shipping_rate_cents is not None,
            "shipping_rate_cents": product.artisan.shipping_rate_cents
            if product.shipping
            else None,
        },
        goals=[_goal(g.kind, g.number) for g in product.goals],
        published_at=product.published_at.isoformat() if product.published_at else None,
    )
    return data


DOC_URL = "/api/v1/openapi.json"


def _bad_parameter(message: str) -> NoReturn:
    """Stop with the documented JSON 400, saying which parameter was wrong."""
    abort(make_response(render_error(400, message)))


def _int_arg(name: str, default: int, highest: int) -> int:
    """A whole-number parameter from 1 to highest, as the document says; else a 400."""
    raw = request.args.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"[0-9]{1,9}", raw) or not 1 <= int(raw) <= highest:
        _bad_parameter(
            _("%(name)s must be a whole number from 1 to %(highest)d.", name=name, highest=highest)
        )
    return int(raw)


def _choice_arg(name: str, allowed) -> None:
    """An enumerated parameter: absent, or one of the documented values; else a 400."""
    if name not in request.args or request.args[name] in allowed:
        return
    if len(allowed) > 6:  # goals: point at the document rather than list forty codes
        _bad_parameter(
            _("%(name)s must be one of the values listed in %(url)s.", name=name, url=DOC_URL)
        )
    _bad_parameter(_("%(name)s must be one of: %(values)s.", name=name, values=", ".join(allowed)))


def _page(query, serialise):
    page_number = _int_arg("page", 1, MAX_PAGE)
    per_page = _int_arg("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
    page = db.paginate(query, page=page_number, per_page=per_page, error_out=False)
    return jsonify(
        {
            "items": [serialise(item) for item in page.items],
            "page": page.page,
            "per_page": page.per_page,
            "total": page.total,
            "pages": page.pages,
        }
    )


@bp.route("/products")
@cached_page
def products():
    _choice_arg("goal", GOAL_CODES)
    _choice_arg("sort", catalog_services.SORTS)
    _choice_arg("in_stock", IN_STOCK_VALUES)
    filters = catalog_services.parse_filters(request.args)
    if filters.errors:
        abort(400)
    page = keyset_paginate(
        catalog_services.public_products(filters),
        page=_int_arg("page", 1, MAX_PAGE),
        per_page=_int_arg("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE),
        after=request.args.get("after"),
        count_in_query=filters.q is not None,
        load=catalog_services.products_by_id,
    )
    return jsonify(
        {
            "items": [product_summary(item) for item in page.items],
            "page": page.page,
            "per_page": page.per_page,
            "total": page.total,
            "pages": page.pages,
            "next_after": page.next_cursor,
        }
    )


@bp.route("/products/<slug>")
@cached_page
def product(slug: str):
    found = catalog_services.get_public_product(slug)
    if found is None:
        abort(404)
    return jsonify(product_detail(found))


@bp.route("/artisans")
@cached_page
def artisans():
    _choice_arg("goal", GOAL_CODES)
    goal = catalog_services.parse_goal(request.args.get("goal"))
    query = artisan_services.public_artisans(
        craft=request.args.get("craft"), city=request.args.get("city"), goal=goal
    )
    return _page(query, artisan_summary)


@bp.route("/artisans/<slug>")
@cached_page
def artisan(slug: str):
    found = artisan_services.get_public_artisan(slug)
    if found is None:
        abort(404)
    return jsonify(artisan_detail(found))


@bp.route("/impact")
def impact():
    """The public impact figures for whole months (the last 12 unless `from`/`to` or
    `period=all` say otherwise); figures built from too few customers are null."""
    _choice_arg("period", ("all",))
    months = {}
    for name in ("from", "to"):
        if name in request.args:
            months[name] = parse_month(request.args[name])
            if months[name] is None:
                _bad_parameter(_("%(name)s must be a month as YYYY-MM.", name=name))
    args = dict(request.args)
    if len(months) == 2 and months["from"] > months["to"]:  # a range given backwards
        args["from"], args["to"] = request.args["to"], request.args["from"]
    zone = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    choice = month_choice(args, utcnow(), zone)
    return jsonify(report_json(impact_report(choice.period, zone)))


@bp.route("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@bp.after_app_request
def allow_embedding_sites(response):
    """Partners read the API (errors included) from their own sites' browsers."""
    if request.path.startswith("/api/"):
        response.headers["Access-Control-Allow-Origin"] = "*"
        if response.status_code == 200:
            response.headers["Cache-Control"] = "public, max-age=60"
    return response
