"""Site-wide pages."""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from shop.artisans.services import goal_counts, public_artisans
from shop.catalog.services import ProductFilters, category_counts, public_products
from shop.classes.queries import ClassFilters, next_of, public_classes
from shop.core.forms import PostForm
from shop.core.health import check_parts
from shop.core.pagecache import cached_page
from shop.core.security import is_safe_next
from shop.core.views import commit
from shop.extensions import db
from shop.goals import all_goals, get_goal
from shop.main import seo, structured_data

bp = Blueprint("main", __name__)

log = logging.getLogger(__name__)


HOME_PRODUCTS = 8
HOME_CLASSES = 3


@bp.route("/")
@cached_page
def index():
    """The shop window: search, new work, the next classes, crafts, artisans and goals."""
    featured = db.session.scalars(public_artisans().limit(6)).unique().all()
    products = (
        db.session.scalars(public_products(ProductFilters(in_stock=True)).limit(HOME_PRODUCTS))
        .unique()
        .all()
    )
    classes = db.session.scalars(public_classes(ClassFilters()).limit(HOME_CLASSES)).unique().all()
    return render_template(
        "main/index.html",
        featured=featured,
        goal_counts=goal_counts(),
        products=products,
        classes=classes,
        next_sessions=next_of(classes),
        crafts=category_counts(),
    )


@bp.route("/language", methods=["POST"])
def set_language():
    """Remember the chosen language in the session (and on the account)."""
    form = PostForm()
    lang = request.form.get("lang", "")
    if form.validate_on_submit() and lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
            commit()
    target = request.form.get("next")
    if not is_safe_next(target):
        return redirect(url_for("main.index"))
    return redirect(seo.without_language(target))


@bp.route("/robots.txt")
def robots():
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in seo.DISALLOWED)]
    lines.append(f"Sitemap: {url_for('main.sitemap', _external=True)}")
    return current_app.response_class("\n".join(lines) + "\n", mimetype="text/plain")


@bp.route("/sitemap.xml")
def sitemap():
    """Every public page, in both languages, each naming its other-language twin."""
    entries = [
        (seo.language_urls(page.endpoint, page.values), page.updated_at)
        for page in seo.public_pages()
    ]
    body = render_template("main/sitemap.xml", entries=entries)
    return current_app.response_class(body, mimetype="application/xml")


@bp.route("/healthz")
def healthz():
    """Liveness, database and (when configured) Redis check for load balancers: 503 naming
    the part that failed."""
    parts = check_parts()
    healthy = all(state == "ok" for state in parts.values())
    return jsonify({"status": "ok" if healthy else "error", **parts}), 200 if healthy else 503


@bp.route("/goals")
def goals():
    """Every SDG and GCM objective with how many artisans support it."""
    return render_template("goals/index.html", goals=all_goals(), counts=goal_counts())


@bp.route("/goals/<kind>/<int:number>")
def goal(kind: str, number: int):
    """One goal's page: what it means and who works towards it."""
    found = get_goal(kind, number)
    if found is None:
        abort(404)
    artisans = db.session.scalars(public_artisans(goal=(kind, number))).unique().all()
    return render_template("goals/detail.html", goal=found, artisans=artisans)


# schema.org JSON-LD for the detail pages (templates/_jsonld.html renders a list of blocks).
bp.add_app_template_global(structured_data.product_page, "product_jsonld")
bp.add_app_template_global(structured_data.class_page, "class_jsonld")
bp.add_app_template_global(structured_data.artisan_shop_page, "artisan_jsonld")
