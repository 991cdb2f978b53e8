"""The artisan's classes: the list, the editor, preview, status, photos."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from shop.classes import queries, services
from shop.classes.models import Class, ClassSession
from shop.classes.services import CLASS_STATES
from shop.core.views import get_owned_or_404, unit_of_work
from shop.extensions import db
from shop.workshop import listings
from shop.workshop.blueprint import bp, current_artisan
from shop.workshop.forms import ClassForm


def own_class(class_id: int) -> Class:
    return get_owned_or_404(Class, class_id, current_artisan().id)


def own_session(class_id: int, session_id: int) -> tuple[Class, ClassSession]:
    klass = own_class(class_id)
    class_session = db.get_or_404(ClassSession, session_id)
    if class_session.class_id != klass.id:
        abort(404)
    return klass, class_session


def _form(klass: Class | None = None) -> ClassForm:
    form = ClassForm(obj=klass if request.method == "GET" else None, locale=str(get_locale()))
    if request.method == "GET":
        if klass is not None:
            form.load(klass)
            form.skill_level.data = klass.skill_level.value
            form.cancellation_policy.data = klass.cancellation_policy.value
            form.private_min.data = klass.private_min_cents
        else:
            form.goals.data = [f"{g.kind}-{g.number}" for g in current_artisan().goals]
    return form


def _data(form: ClassForm) -> services.ClassData:
    return services.ClassData(
        title=form.title.data,
        description=form.description.data or "",
        included=form.included.data or "",
        skill_level=form.skill_level.data,
        languages=form.languages.data or "",
        what_to_bring=form.what_to_bring.data or "",
        accessibility=form.accessibility.data or "",
        duration_minutes=form.duration_minutes.data,
        price_cents=form.price.data,
        min_participants=form.min_participants.data,
        decision_hours=form.decision_hours.data,
        max_participants=form.max_participants.data,
        meeting_area=form.meeting_area.data,
        address=form.address.data,
        timezone=form.timezone.data,
        cancellation_policy=form.cancellation_policy.data,
        goals=form.goal_pairs(),
        language=form.language.data,
        title_translated=form.title_translated.data or "",
        description_translated=form.description_translated.data or "",
        private_min_cents=form.private_min.data,
    )


def _editor(form: ClassForm, klass: Class | None):
    return listings.render_editor("workshop/class_edit.html", form, klass, "class", CLASS_STATES)


@bp.route("/classes")
def classes():
    artisan = current_artisan()
    own = artisan.classes.order_by(Class.updated_at.desc()).all()
    return render_template(
        "workshop/classes.html",
        artisan=artisan,
        classes=own,
        next_sessions=queries.next_sessions([c.id for c in own]),
    )


@bp.route("/classes/new", methods=["GET", "POST"])
def new_class():
    form = _form()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            klass = services.create_class(current_artisan(), _data(form))
            listings.save_photos(form, klass, services.add_photo)
        if work:
            flash(_("Saved as a draft. Add sessions, preview it, then publish."), "success")
            return redirect(listings.edit_url("class", klass))
    return _editor(form, None)


@bp.route("/classes/<int:class_id>/edit", methods=["GET", "POST"])
def edit_class(class_id: int):
    klass = own_class(class_id)
    form = _form(klass)
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            services.update_class(klass, _data(form))
            listings.save_photos(form, klass, services.add_photo)
        if not work:
            klass = own_class(class_id)  # rolled back: load it afresh
        else:
            flash(_("Class saved."), "success")
            return redirect(listings.edit_url("class", klass))
    return _editor(form, klass)


@bp.route("/classes/<int:class_id>/preview")
def preview_class(class_id: int):
    klass = own_class(class_id)
    return render_template(
        "classes/detail.html", klass=klass, sessions=queries.public_sessions(klass), preview=True
    )


@bp.route("/classes/<int:class_id>/status", methods=["POST"])
def class_status(class_id: int):
    klass = own_class(class_id)
    return listings.change_status(
        klass,
        services.change_status,
        listings.edit_url("class", klass),
        url_for("workshop.classes"),
    )


@bp.route("/classes/<int:class_id>/photos/<int:photo_id>", methods=["POST"])
def class_photo(class_id: int, photo_id: int):
    klass = own_class(class_id)
    return listings.change_photo(klass, photo_id, services, listings.edit_url("class", klass))
