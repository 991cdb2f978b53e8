"""Public class pages and the artisan's class and session pages."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from shop.artisans.models import Artisan
from shop.catalog.services import parse_goal
from shop.classes import display, queries, services
from shop.classes.forms import ClassForm
from shop.classes.models import Class, ClassSession
from shop.classes.policy import describe_policy, policy_name
from shop.core.errors import DomainError, ValidationFailed
from shop.core.forms import PostForm
from shop.core.images import ImageRejected
from shop.core.inputs import page_arg
from shop.core.time import utcnow
from shop.core.views import commit, unit_of_work
from shop.extensions import db
from shop.goals import get_goal
from shop.media.services import save_image
from shop.waitlist import queries as waitlist_queries

bp = Blueprint("classes", __name__)

PER_PAGE = 24


@bp.context_processor
def class_helpers() -> dict:
    return {
        "class_states": services.CLASS_STATES,
        "policy_name": policy_name,
        "describe_policy": describe_policy,
        "when": display.when,
        "local_datetime": display.local_datetime,
        "zone_label": display.zone_label,
    }


# Public pages


@bp.route("/classes")
def listing():
    filters = queries.ClassFilters(
        city=(request.args.get("city") or "").strip()[:80] or None,
        goal=parse_goal(request.args.get("goal")),
        artisan=(request.args.get("artisan") or "").strip()[:80] or None,
    )
    now = utcnow()
    page = db.paginate(
        queries.public_classes(filters, now),
        per_page=PER_PAGE,
        max_per_page=48,
        page=page_arg(),
        error_out=False,
    )
    return render_template(
        "classes/listing.html",
        page=page,
        filters=filters,
        next_sessions=queries.next_sessions([c.id for c in page.items], now),
        cities=queries.public_cities(now),
        selected_goal=get_goal(*filters.goal) if filters.goal else None,
    )


@bp.route("/classes/<slug>")
def detail(slug: str):
    klass = queries.get_public_class(slug)
    if klass is None:
        abort(404)
    return render_detail(klass)


def render_detail(klass: Class, *, waitlist_form=None, open_session: int | None = None, status=200):
    """The public class page; a waitlist form that failed re-opens with its errors."""
    places = {}
    if current_user.is_authenticated:
        places = {e.session_id: e for e in waitlist_queries.entries_of_user(current_user.id)}
    return render_template(
        "classes/detail.html",
        klass=klass,
        sessions=queries.public_sessions(klass),
        preview=False,
        my_places=places,
        waitlist_form=waitlist_form,
        open_session=open_session,
    ), status


# The artisan's pages


def _artisan() -> Artisan:
    if current_user.artisan is None:
        abort(404)
    return current_user.artisan


def _own_class(class_id: int) -> Class:
    klass = db.get_or_404(Class, class_id)
    if klass.artisan.user_id != current_user.id:
        abort(404)  # never confirm that someone else's class exists
    return klass


def _own_session(class_id: int, session_id: int) -> tuple[Class, ClassSession]:
    klass = _own_class(class_id)
    class_session = db.get_or_404(ClassSession, session_id)
    if class_session.class_id != klass.id:
        abort(404)
    return klass, class_session


def _class_form(klass: Class | None = None) -> ClassForm:
    form = ClassForm(obj=klass if request.method == "GET" else None, locale=str(get_locale()))
    if request.method == "GET":
        if klass is not None:
            form.price.data = klass.price_cents
            form.skill_level.data = klass.skill_level.value
            form.cancellation_policy.data = klass.cancellation_policy.value
            form.goals.data = [f"{g.kind}-{g.number}" for g in klass.goals]
        else:
            form.goals.data = [f"{g.kind}-{g.number}" for g in current_user.artisan.goals]
    return form


def _class_data(form: ClassForm) -> services.ClassData:
    return services.ClassData(
        title=form.title.data,
        description=form.description.data or "",
        included=form.included.data or "",
        skill_level=form.skill_level.data,
        languages=form.languages.data or "",
        duration_minutes=form.duration_minutes.data,
        price_cents=form.price.data,
        min_participants=form.min_participants.data,
        max_participants=form.max_participants.data,
        meeting_area=form.meeting_area.data,
        address=form.address.data,
        timezone=form.timezone.data,
        cancellation_policy=form.cancellation_policy.data,
        goals=form.goal_pairs(),
    )


def _save_photos(form: ClassForm, klass: Class) -> None:
    for upload in request.files.getlist(form.photos.name):
        if not upload or not upload.filename:
            continue
        try:
            image = save_image(upload.read(), current_user.id, alt=klass.title)
        except ImageRejected as error:
            raise ValidationFailed(f"{upload.filename}: {error}", field="photos") from None
        services.add_photo(klass, image)


@bp.route("/workshop/classes")
@login_required
def my_classes():
    artisan = _artisan()
    classes = artisan.classes.order_by(Class.updated_at.desc()).all()
    return render_template(
        "classes/my_classes.html",
        artisan=artisan,
        classes=classes,
        next_sessions=queries.next_sessions([c.id for c in classes]),
    )


@bp.route("/workshop/classes/new", methods=["GET", "POST"])
@login_required
def new_class():
    artisan = _artisan()
    form = _class_form()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            klass = services.create_class(artisan, _class_data(form))
            _save_photos(form, klass)
        if work:
            flash(_("Saved as a draft. Add sessions, preview it, then publish."), "success")
            return redirect(url_for("classes.edit_class", class_id=klass.id))
    return render_template("classes/edit.html", form=form, klass=None), (
        422 if form.errors else 200
    )


@bp.route("/workshop/classes/<int:class_id>/edit", methods=["GET", "POST"])
@login_required
def edit_class(class_id: int):
    klass = _own_class(class_id)
    form = _class_form(klass)
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            services.update_class(klass, _class_data(form))
            _save_photos(form, klass)
        if not work:
            klass = _own_class(class_id)  # rolled back: load it afresh
        else:
            flash(_("Class saved."), "success")
            return redirect(url_for("classes.edit_class", class_id=klass.id))
    return render_template("classes/edit.html", form=form, klass=klass, post_form=PostForm), (
        422 if form.errors else 200
    )


@bp.route("/workshop/classes/<int:class_id>/preview")
@login_required
def preview_class(class_id: int):
    klass = _own_class(class_id)
    return render_template(
        "classes/detail.html", klass=klass, sessions=queries.public_sessions(klass), preview=True
    )


@bp.route("/workshop/classes/<int:class_id>/status", methods=["POST"])
@login_required
def class_status(class_id: int):
    klass = _own_class(class_id)
    if PostForm().validate_on_submit():
        with unit_of_work() as work:
            services.change_status(klass, request.form.get("action", ""))
        if work:
            flash(
                _("Status changed: %(status)s.", status=klass.status.label),
                "success",
            )
    if request.form.get("back") == "list":
        return redirect(url_for("classes.my_classes"))
    return redirect(url_for("classes.edit_class", class_id=klass.id))


@bp.route("/workshop/classes/<int:class_id>/photos/<int:photo_id>", methods=["POST"])
@login_required
def class_photo(class_id: int, photo_id: int):
    klass = _own_class(class_id)
    if PostForm().validate_on_submit():
        action = request.form.get("action")
        try:
            if action == "remove":
                services.remove_photo(klass, photo_id)
            elif action in ("up", "down"):
                services.move_photo(klass, photo_id, -1 if action == "up" else 1)
        except DomainError:
            abort(404)
        commit()
    return redirect(url_for("classes.edit_class", class_id=klass.id) + "#photos")
