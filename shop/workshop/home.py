"""The workshop's home: applying, the dashboard, the profile, sending it for review again and
consent to show the artisan's story."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from shop.artisans import services
from shop.artisans.forms import ArtisanForm
from shop.artisans.models import Artisan, PublicName
from shop.classes import queries
from shop.core.errors import DomainError, ValidationFailed
from shop.core.forms import PostForm
from shop.core.images import ImageRejected
from shop.core.time import utcnow
from shop.core.views import commit, unit_of_work
from shop.extensions import db
from shop.media.services import save_image
from shop.messages import queries as message_queries
from shop.orders import lifecycle
from shop.payouts.models import PayoutAccount
from shop.reviews import queries as review_queries
from shop.workshop.blueprint import bp, current_artisan


def _application_data(form: ArtisanForm, consent: bool) -> services.ApplicationData:
    return services.ApplicationData(
        shop_name=form.shop_name.data,
        slug=form.slug.data or None,
        first_name=form.first_name.data,
        public_name_choice=PublicName(form.public_name_choice.data),
        craft=form.craft.data,
        city=form.city.data,
        country=form.country.data,
        origin_country=form.origin_country.data or None,
        show_origin=form.show_origin.data,
        show_impact=form.show_impact.data,
        languages=form.languages.data or "",
        tagline=form.tagline.data or "",
        story=form.story.data or "",
        profile_language=form.profile_language.data or "es",
        story_url=form.story_url.data or None,
        consent=consent,
        goals=form.chosen_goals(),
    )


def _attach_photos(form: ArtisanForm, artisan: Artisan) -> None:
    """Store uploaded photos; a rejected file becomes that field's error."""
    for which in ("profile", "cover"):
        upload = form[f"{which}_photo"].data
        if upload and getattr(upload, "filename", ""):
            try:
                image = save_image(upload.read(), artisan.user_id, alt=artisan.shop_name)
            except ImageRejected as error:
                raise ValidationFailed(str(error), field=f"{which}_photo") from None
            services.set_photo(artisan, which, image)


@dataclass
class Step:
    """One thing to do to get the workshop selling, and whether it is done."""

    label: str
    done: bool
    url: str


def _next_steps(artisan: Artisan, products: int, classes: int) -> list[Step]:
    """The checklist, each step ticked from what is saved (never from a flag of its own)."""
    account = db.session.get(PayoutAccount, artisan.id)
    return [
        Step(
            _("Finish your profile: your story and a photo of you or your work"),
            bool(artisan.story.strip()) and artisan.profile_image_id is not None,
            url_for("workshop.profile"),
        ),
        Step(
            _("Set your delivery options: pickup in your city, or a shipping rate"),
            artisan.shipping_rate_cents is not None or products > 0,
            url_for("workshop.products") + "#ship-h",
        ),
        Step(_("Add your first product"), products > 0, url_for("workshop.new_product")),
        Step(_("Add a class you teach"), classes > 0, url_for("workshop.new_class")),
        Step(
            _("Add your payout details: how we pay you"),
            account is not None and account.method is not None,
            url_for("payouts.payout_details"),
        ),
    ]


@dataclass
class Attention:
    """Something waiting for the artisan today, with how many."""

    count: int
    label: str
    url: str


def _attention(artisan: Artisan, this_week: int) -> list[Attention]:
    to_prepare = lifecycle.count_to_prepare(artisan.id)
    unread = sum(row.unread for row in message_queries.for_artisan(artisan))
    unanswered = review_queries.awaiting_reply(artisan.id)
    return [
        Attention(
            to_prepare,
            ngettext("order to prepare", "orders to prepare", to_prepare),
            url_for("workshop.orders"),
        ),
        Attention(
            this_week,
            ngettext("session in the next 7 days", "sessions in the next 7 days", this_week),
            url_for("workshop.classes"),
        ),
        Attention(
            unread,
            ngettext("unread message", "unread messages", unread),
            url_for("messages.workshop_inbox"),
        ),
        Attention(
            unanswered,
            ngettext("review to answer", "reviews to answer", unanswered),
            url_for("reviews.workshop"),
        ),
    ]


@bp.route("")
def dashboard():
    artisan = current_artisan()
    products, classes = artisan.products.count(), artisan.classes.count()
    now = utcnow()
    this_week = queries.sessions_of_artisan(artisan.id, now, now + timedelta(days=7))
    return render_template(
        "workshop/dashboard.html",
        artisan=artisan,
        steps=_next_steps(artisan, products, classes),
        attention=_attention(artisan, len(this_week)),
        this_week=this_week,
    )


@bp.route("/settings")
def settings():
    """The workshop's settings: profile, delivery, payouts and consent to show the story."""
    return render_template("workshop/settings.html", artisan=current_artisan())


@bp.route("/profile", methods=["GET", "POST"])
def profile():
    artisan = current_artisan()
    form = ArtisanForm(obj=None if request.method == "POST" else artisan)
    del form.consent  # consent is given and withdrawn in the settings
    form.submit.label.text = _("Save changes")
    if request.method == "GET":
        form.public_name_choice.data = artisan.public_name_choice.value
        form.origin_country.data = artisan.origin_country or ""
        form.load_goals(artisan.goals)
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            services.update(artisan, _application_data(form, consent=artisan.has_consent))
            _attach_photos(form, artisan)
        if work:
            flash(_("Your workshop is saved."), "success")
            return redirect(url_for("workshop.dashboard"))
    return render_template("workshop/apply.html", form=form, editing=True, artisan=artisan), (
        422 if form.errors else 200
    )


@bp.route("/resubmit", methods=["POST"])
def resubmit():
    artisan = current_artisan()
    if PostForm().validate_on_submit():
        try:
            services.resubmit(artisan, current_user)
        except DomainError as error:
            flash(error.message, "danger")
        else:
            commit()
            flash(_("Sent again. An admin will review your workshop soon."), "success")
    return redirect(url_for("workshop.dashboard"))


@bp.route("/consent", methods=["GET", "POST"])
def consent():
    """Consent to show the artisan's story: withdrawing it is confirmed on a page that says
    what happens; giving it back is one click."""
    artisan = current_artisan()
    form = PostForm()
    if request.method == "GET":
        return render_template("workshop/consent.html", artisan=artisan, form=form)
    if form.validate_on_submit():
        if request.form.get("give") == "1":
            services.give_consent(artisan, current_user)
            flash(_("Your story can be published again."), "success")
        else:
            services.withdraw_consent(artisan, current_user)
            flash(_("Your page is hidden from the public now."), "info")
        commit()
    return redirect(url_for("workshop.settings"))
