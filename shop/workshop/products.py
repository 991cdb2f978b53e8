"""The artisan's products: the list, the shipping rate, the editor, preview, status, photos."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from shop.catalog import services
from shop.catalog.models import Product
from shop.catalog.services import PRODUCT_STATES
from shop.core.forms import PostForm
from shop.core.views import commit, get_owned_or_404, unit_of_work
from shop.inventory import services as inventory
from shop.workshop import listings
from shop.workshop.blueprint import bp, current_artisan
from shop.workshop.forms import ProductForm, ShippingForm


def _own_product(product_id: int) -> Product:
    return get_owned_or_404(Product, product_id, current_artisan().id)


def _form(product: Product | None = None) -> ProductForm:
    form = ProductForm(
        obj=product if request.method == "GET" else None,
        categories=services.categories(),
        locale=str(get_locale()),
    )
    if request.method == "GET":
        if product is not None:
            form.load(product)
            form.stock_shown.data = str(product.stock)
        else:
            form.goals.data = [f"{g.kind}-{g.number}" for g in current_artisan().goals]
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
        dispatch_days_min=form.dispatch_days_min.data,
        dispatch_days_max=form.dispatch_days_max.data,
        pickup=form.pickup.data,
        shipping=form.shipping.data,
        goals=form.goal_pairs(),
        language=form.language.data,
        title_translated=form.title_translated.data or "",
        description_translated=form.description_translated.data or "",
    )


def _stock_shown(form: ProductForm) -> int | None:
    raw = str(form.stock_shown.data or "")
    return int(raw) if raw.isdigit() and len(raw) <= 9 else None


def _show_current_stock(form: ProductForm, stock: int) -> None:
    """After a conflict: the form shows (and will check against) the stock as it is now."""
    form.stock.data, form.stock.raw_data = stock, [str(stock)]
    form.stock_shown.data, form.stock_shown.raw_data = str(stock), [str(stock)]


def _editor(form: ProductForm, product: Product | None):
    return listings.render_editor(
        "workshop/product_edit.html", form, product, "product", PRODUCT_STATES
    )


@bp.route("/products")
def products(shipping_form: ShippingForm | None = None, status: int = 200):
    artisan = current_artisan()
    if shipping_form is None:
        shipping_form = ShippingForm(
            shipping_rate=artisan.shipping_rate_cents, returns_policy=artisan.returns_policy
        )
    return render_template(
        "workshop/products.html",
        artisan=artisan,
        products=artisan.products.order_by(Product.updated_at.desc()).all(),
        form=PostForm(),
        shipping_form=shipping_form,
    ), status


@bp.route("/shipping", methods=["POST"])
def shipping_rate():
    """The artisan's flat shipping rate and returns terms; a bad value re-renders with errors."""
    form = ShippingForm()
    if not form.validate_on_submit():
        return products(form, 422)
    artisan = current_artisan()
    artisan.shipping_rate_cents = form.shipping_rate.data
    artisan.returns_policy = (form.returns_policy.data or "").replace("\r\n", "\n")
    commit()
    flash(_("Delivery and returns saved."), "success")
    return redirect(url_for("workshop.products"))


@bp.route("/products/new", methods=["GET", "POST"])
def new_product():
    form = _form()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            product = services.create_product(current_artisan(), _data(form))
            listings.save_photos(form, product, services.add_photo)
        if work:
            flash(_("Saved as a draft. Preview it, then publish."), "success")
            return redirect(listings.edit_url("product", product))
    return _editor(form, None)


@bp.route("/products/<int:product_id>/edit", methods=["GET", "POST"])
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
            listings.save_photos(form, product, services.add_photo)
        if not work:
            product = _own_product(product_id)  # rolled back: load it afresh
            if isinstance(work.error, inventory.StockChanged):
                _show_current_stock(form, product.stock)
        else:
            flash(_("Product saved."), "success")
            return redirect(listings.edit_url("product", product))
    return _editor(form, product)


@bp.route("/products/<int:product_id>/preview")
def preview_product(product_id: int):
    product = _own_product(product_id)
    return render_template("catalog/detail.html", product=product, preview=True)


@bp.route("/products/<int:product_id>/status", methods=["POST"])
def product_status(product_id: int):
    product = _own_product(product_id)
    return listings.change_status(
        product,
        services.change_status,
        listings.edit_url("product", product),
        url_for("workshop.products"),
    )


@bp.route("/products/<int:product_id>/photos/<int:photo_id>", methods=["POST"])
def product_photo(product_id: int, photo_id: int):
    product = _own_product(product_id)
    return listings.change_photo(product, photo_id, services, listings.edit_url("product", product))
