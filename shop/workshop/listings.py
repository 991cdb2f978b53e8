"""What the product and class editors do the same way: photos, status changes, rendering."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.core.errors import DomainError, ValidationFailed
from shop.core.forms import PostForm
from shop.core.images import ImageRejected
from shop.core.views import commit, unit_of_work
from shop.media.services import save_image


def save_photos(form, listing, add_photo: Callable) -> None:
    """Store the uploaded photos; a rejected file becomes the photos field's error."""
    for upload in request.files.getlist(form.photos.name):
        if not upload or not upload.filename:
            continue
        try:
            image = save_image(upload.read(), current_user.id, alt=listing.title)
        except ImageRejected as error:
            raise ValidationFailed(f"{upload.filename}: {error}", field="photos") from None
        add_photo(listing, image)


def change_status(listing, change: Callable, edit_url: str, list_url: str):
    """Publish, hide, archive or restore; back to the list or the editor, as the form asked."""
    if PostForm().validate_on_submit():
        with unit_of_work() as work:
            change(listing, request.form.get("action", ""))
        if work:
            flash(_("Status changed: %(status)s.", status=listing.status.label), "success")
    return redirect(list_url if request.form.get("back") == "list" else edit_url)


def change_photo(listing, photo_id: int, services, edit_url: str):
    """Remove a photo or move it up or down the gallery."""
    if PostForm().validate_on_submit():
        action = request.form.get("action")
        try:
            if action == "remove":
                services.remove_photo(listing, photo_id)
            elif action in ("up", "down"):
                services.move_photo(listing, photo_id, -1 if action == "up" else 1)
        except DomainError:
            abort(404)  # not a photo of this listing
        commit()
    return redirect(edit_url + "#photos")


def render_editor(template: str, form, listing, kind: str, states, **context):
    """The editor page (422 when the form has errors): one layout for products and classes,
    `kind` ("product" or "class") names its endpoints."""
    return render_template(
        template,
        form=form,
        listing=listing,
        kind=kind,
        ids={f"{kind}_id": listing.id} if listing else {},
        states=states,
        **context,
    ), (422 if form.errors else 200)


def edit_url(kind: str, listing) -> str:
    return url_for(f"workshop.edit_{kind}", **{f"{kind}_id": listing.id})
