"""Public artisan pages: the directory and each artisan's shop."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from shop.artisans import services
from shop.catalog.services import shop_products
from shop.classes.queries import ClassFilters, next_of, public_classes
from shop.core.inputs import page_arg
from shop.core.pagecache import cached_page
from shop.extensions import db
from shop.goals import KINDS, get_goal

bp = Blueprint("artisans", __name__)

PER_PAGE = 24
SHOP_PER_PAGE = 12  # products on an artisan's shop page


def _goal_arg() -> tuple[str, int] | None:
    kind, _, number = (request.args.get("goal") or "").partition("-")
    if kind in KINDS and number.isascii() and number.isdigit() and get_goal(kind, int(number)):
        return kind, int(number)
    return None


@bp.route("/artisans")
@cached_page
def directory():
    goal = _goal_arg()
    query = services.public_artisans(
        craft=request.args.get("craft"), city=request.args.get("city"), goal=goal
    )
    page = db.paginate(query, per_page=PER_PAGE, page=page_arg(), error_out=False)
    return render_template(
        "artisans/directory.html",
        page=page,
        facets=services.public_facets(),
        selected_goal=get_goal(*goal) if goal else None,
    )


@bp.route("/artisans/<slug>")
@cached_page
def profile(slug: str):
    artisan = services.get_public_artisan(slug)
    if artisan is None:
        abort(404)
    products = db.paginate(
        shop_products(artisan.slug), per_page=SHOP_PER_PAGE, page=page_arg(), error_out=False
    )
    classes = db.session.scalars(public_classes(ClassFilters(artisan=artisan.slug))).unique().all()
    return render_template(
        "artisans/profile.html",
        artisan=artisan,
        products=products,
        classes=classes,
        next_sessions=next_of(classes),
    )
