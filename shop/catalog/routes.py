"""Public catalogue pages and the artisan's product pages."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from shop.artisans.models import Artisan
from shop.catalog import services
from shop.catalog.forms import ProductForm, ShippingForm
from shop.catalog.models import Product
from shop.core.errors import DomainError, ValidationFailed
from shop.core.forms import PostForm
from shop.core.images import ImageRejected
from shop.core.inputs import page_arg
from shop.core.views import commit, unit_of_work
from shop.extensions import db
from shop.inventory import services as inventory
from shop.media.services import save_image

bp = Blueprint("catalog", __name__)

PER_PAGE = 24


@bp.route("/products")
def listing():
    filters = services.parse_filters(request.args)
    page = db.paginate(
        services.public_products(filters),
        per_page=PER_PAGE,
        max_per_page=48,
        page=page_arg(),
        error_out=False,
    )
    return render_template(
        "catalog/listing.html", page=page, filters=filters, categories=services.categories()
    )


@bp.route("/products/<slug>")
def detail(slug: str):
    product = services.get_public_product(slug)
    if product is None:
        abort(404)
    return render_template("catalog/detail.html", product=product, preview=False)


def _artisan() -> Artisan:
    if current_user.artisan is None:
        abort(404)
    return current_user.artisan


def _own_product(product_id: int) -> Product:
    product = db.get_or_404(Product, product_id)
    if product.artisan.user_id != current_user.id:
        abort(404)  # never confirm that someone else's product exists
    return product


def _form(product: Product | None = None) -> ProductForm:
    form = ProductForm(
        obj=product if request.method == "GET" else None,
        categories=services.categories(),
        locale=str(get_locale()),
    )
    if request.method == "GET":
        if product is not None:
            form.stock_shown.data = str(product.stock)
            form.price.data = product.price_cents
            form.goals.data = [f"{g.kind}-{g.number}" for g in product.goals]
        else:
            form.goals.data = [f"{g.kind}-{g.number}" for g in current_user.artisan.goals]
    return form


def _data(form: ProductForm) -> services.ProductData:
    return services.ProductData(
        title=form.title.data,
        category_id=form.category_id.data,
        price_cents=form.price.data,
        description=form.description.data or "",
        materials=form.materials.data or "",
        dimensions=form.dimensions.data or "",
        weight_grams=form.weight_grams.data,
        stock=form.stock.data or 0,
        made_to_order=form.made_to_order.data,
        lead_time_days=form.lead_time_days.data,
        pickup=form.pickup.data,
        shipping=form.shipping.data,
        goals=form.goal_pairs(),
    )


def _save_photos(form: ProductForm, product: Product) -> None:
    for upload in request.files.getlist(form.photos.name):
        if not upload or not upload.filename:
            continue
        try:
            image = save_image(upload.read(), current_user.id, alt=product.title)
        except ImageRejected as error:
            raise ValidationFailed(f"{upload.filename}: {error}", field="photos") from None
        services.add_photo(product, image)


def _stock_shown(form: ProductForm) -> int | None:
    raw = str(form.stock_shown.data or "")
    return int(raw) if raw.isdigit() and len(raw) <= 9 else None


def _show_current_stock(form: ProductForm, stock: int) -> None:
    """After a conflict: the form shows (and will check against) the stock as it is now."""
    form.stock.data, form.stock.raw_data = stock, [str(stock)]
    form.stock_shown.data, form.stock_shown.raw_data = str(stock), [str(stock)]


@bp.route("/workshop/products")
@login_required
def my_products():
    artisan = _artisan()
    products = artisan.products.order_by(Product.updated_at.desc()).all()
    return render_template(
        "catalog/my_products.html",
        artisan=artisan,
        products=products,
        form=PostForm(),
        shipping_form=ShippingForm(shipping_rate=artisan.shipping_rate_cents),
    )


@bp.route("/workshop/shipping", methods=["POST"])
@login_required
def shipping_rate():
    artisan = _artisan()
    form = ShippingForm()
    if form.validate_on_submit():
        artisan.shipping_rate_cents = form.shipping_rate.data
        commit()
        flash(_("Shipping rate saved."), "success")
    else:
        flash(_("Enter a shipping rate between 0 and 1,000, or leave it empty."), "danger")
    return redirect(url_for("catalog.my_products"))


@bp.route("/workshop/products/new", methods=["GET", "POST"])
@login_required
def new_product():
    artisan = _artisan()
    form = _form()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            product = services.create_product(artisan, _data(form))
            _save_photos(form, product)
        if work:
            flash(_("Saved as a draft. Preview it, then publish."), "success")
            return redirect(url_for("catalog.edit_product", product_id=product.id))
    return render_template("catalog/edit.html", form=form, product=None), (
        422 if form.errors else 200
    )


@bp.route("/workshop/products/<int:product_id>/edit", methods=["GET", "POST"])
@login_required
def edit_product(product_id: int):
    product = _own_product(product_id)
    form = _form(product)
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            shown = _stock_shown(form)
            if shown is None:  # a form from before this check, or tampered with
                raise inventory.StockChanged(product.stock)
            services.update_product(product, _data(form))
            inventory.set_stock(product, form.stock.data or 0, shown)
            _save_photos(form, product)
        if not work:
            product = _own_product(product_id)
            if isinstance(work.error, inventory.StockChanged):
                _show_current_stock(form, product.stock)
        else:
            flash(_("Product saved."), "success")
            return redirect(url_for("catalog.edit_product", product_id=product.id))
    return render_template("catalog/edit.html", form=form, product=product, post_form=PostForm), (
        422 if form.errors else 200
    )


@bp.route("/workshop/products/<int:product_id>/preview")
@login_required
def preview_product(product_id: int):
    product = _own_product(product_id)
    return render_template("catalog/detail.html", product=product, preview=True)


@bp.route("/workshop/products/<int:product_id>/status", methods=["POST"])
@login_required
def product_status(product_id: int):
    product = _own_product(product_id)
    if PostForm().validate_on_submit():
        with unit_of_work() as work:
            services.change_status(product, request.form.get("action", ""))
        if work:
            flash(_("Status changed: %(status)s.", status=product.status.label), "success")
    if request.form.get("back") == "list":
        return redirect(url_for("catalog.my_products"))
    return redirect(url_for("catalog.edit_product", product_id=product.id))


@bp.route("/workshop/products/<int:product_id>/photos/<int:photo_id>", methods=["POST"])
@login_required
def product_photo(product_id: int, photo_id: int):
    product = _own_product(product_id)
    if PostForm().validate_on_submit():
        action = request.form.get("action")
        try:
            if action == "remove":
                services.remove_photo(product, photo_id)
            elif action in ("up", "down"):
                services.move_photo(product, photo_id, -1 if action == "up" else 1)
        except DomainError:
            abort(404)
        commit()
    return redirect(url_for("catalog.edit_product", product_id=product.id) + "#photos")
