"""The shop's settings page (on the admin blueprint, behind its admin-only guard), and the
home page's featured block it feeds."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.admin.forms import SiteSettingsForm
from shop.admin.routes import bp
from shop.core import settings
from shop.core.views import perform
from shop.moderation import featured
from shop.moderation.services import record

FIELDS = {
    "hold_minutes": settings.ORDER_HOLD_MINUTES,
    "offer_hours": settings.WAITLIST_OFFER_HOURS,
    "contact_email": settings.CONTACT_EMAIL,
    "featured_artisans": settings.FEATURED_ARTISANS,
    "featured_products": settings.FEATURED_PRODUCTS,
    "featured_classes": settings.FEATURED_CLASSES,
}


@bp.app_template_global("featured_on_home")
def featured_on_home() -> featured.Featured:
    """For templates/main/_featured.html."""
    return featured.featured_on_home()


def _save(form: SiteSettingsForm) -> None:
    changed = []
    for name, setting in FIELDS.items():
        value = getattr(form, name).data
        if value != setting.get():
            if isinstance(setting, settings.IntSetting):
                setting.put(value, name)
            else:
                setting.put(value)
            changed.append(name)
    if changed:
        record(current_user, "settings_changed", "setting", None, ", ".join(changed))


@bp.route("/settings", endpoint="settings", methods=["GET", "POST"])
def settings_page():
    data = {name: setting.get() for name, setting in FIELDS.items()}
    form = SiteSettingsForm(formdata=request.form if request.method == "POST" else None, **data)
    options = featured.choices()
    form.featured_artisans.choices = options["artisans"]
    form.featured_products.choices = options["products"]
    form.featured_classes.choices = options["classes"]
    if form.validate_on_submit() and perform(
        lambda: _save(form), form=form, success=_("Settings saved.")
    ):
        return redirect(url_for("admin.settings"))
    return render_template("admin/settings.html", form=form), (422 if form.errors else 200)
