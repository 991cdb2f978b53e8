"""Public artisan pages and the artisan's own workshop pages."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from shop.artisans import services
from shop.artisans.forms import ArtisanForm
from shop.artisans.models import Artisan, PublicName
from shop.core.errors import DomainError, ValidationFailed
from shop.core.forms import PostForm
from shop.core.images import ImageRejected
from shop.core.inputs import page_arg
from shop.core.views import commit, unit_of_work
from shop.extensions import db
from shop.goals import KINDS, get_goal
from shop.media.services import save_image

bp = Blueprint("artisans", __name__)

PER_PAGE = 24


def _goal_arg() -> tuple[str, int] | None:
    kind, _, number = (request.args.get("goal") or "").partition("-")
    if kind in KINDS and number.isascii() and number.isdigit() and get_goal(kind, int(number)):
        return kind, int(number)
    return None


@bp.route("/artisans")
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
def profile(slug: str):
    artisan = services.get_public_artisan(slug)
    if artisan is None:
        abort(404)
    return render_template("artisans/profile.html", artisan=artisan)


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
        languages=form.languages.data or "",
        tagline=form.tagline.data or "",
        story=form.story.data or "",
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


@bp.route("/workshop/apply", methods=["GET", "POST"])
@login_required
def apply():
    if current_user.artisan is not None:
        return redirect(url_for("artisans.dashboard"))
    form = ArtisanForm()
    if request.method == "GET":
        form.first_name.data = current_user.name.split()[0] if current_user.name else ""
        form.country.data = "EC"
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            artisan = services.apply(current_user, _application_data(form, form.consent.data))
            _attach_photos(form, artisan)
        if work:
            flash(
                _("Thank you! Your application is waiting for review. We will e-mail you."),
                "success",
            )
            return redirect(url_for("artisans.dashboard"))
    return render_template("workshop/apply.html", form=form, editing=False), (
        422 if form.errors else 200
    )


def _own_artisan() -> Artisan:
    artisan = current_user.artisan
    if artisan is None:
        abort(404)
    return artisan


@bp.route("/workshop")
@login_required
def dashboard():
    artisan = current_user.artisan
    if artisan is None:
        return redirect(url_for("artisans.apply"))
    return render_template("workshop/dashboard.html", artisan=artisan, form=PostForm())


@bp.route("/workshop/profile", methods=["GET", "POST"])
@login_required
def edit():
    artisan = _own_artisan()
    form = ArtisanForm(obj=None if request.method == "POST" else artisan)
    del form.consent  # consent is given and withdrawn on the dashboard
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
            return redirect(url_for("artisans.dashboard"))
    return render_template("workshop/apply.html", form=form, editing=True, artisan=artisan), (
        422 if form.errors else 200
    )


@bp.route("/workshop/resubmit", methods=["POST"])
@login_required
def resubmit():
    artisan = _own_artisan()
    if PostForm().validate_on_submit():
        try:
            services.resubmit(artisan, current_user)
        except DomainError as error:
            flash(error.message, "danger")
        else:
            commit()
            flash(_("Sent again. An admin will review your workshop soon."), "success")
    return redirect(url_for("artisans.dashboard"))


@bp.route("/workshop/consent", methods=["POST"])
@login_required
def consent():
    artisan = _own_artisan()
    if PostForm().validate_on_submit():
        if request.form.get("give") == "1":
            services.give_consent(artisan, current_user)
            flash(_("Your story can be published again."), "success")
        else:
            services.withdraw_consent(artisan, current_user)
            flash(_("Your page is hidden from the public now."), "info")
        commit()
    return redirect(url_for("artisans.dashboard"))
