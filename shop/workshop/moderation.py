"""The artisan's side of moderation (behind the workshop guard): after
changing a listing an admin hid, ask the admins to look again."""

from __future__ import annotations

from flask import abort, redirect, url_for
from flask_babel import gettext as _

from shop.catalog.models import Product
from shop.classes.models import Class
from shop.core.forms import PostForm
from shop.core.views import get_owned_or_404, perform
from shop.moderation import services as moderation
from shop.workshop.blueprint import bp, current_artisan

MODELS = {"product": Product, "class": Class}


@bp.route("/listings/<kind>/<int:listing_id>/ask-review", methods=["POST"])
def ask_listing_review(kind: str, listing_id: int):
    model = MODELS.get(kind)
    if model is None:
        abort(404)
    artisan = current_artisan()
    listing = get_owned_or_404(model, listing_id, artisan.id)
    if PostForm().validate_on_submit():
        perform(
            lambda: moderation.ask_review(listing, artisan),
            success=_("Thank you: the admins will look at it again."),
        )
    return redirect(url_for(f"workshop.edit_{kind}", **{f"{kind}_id": listing.id}))
