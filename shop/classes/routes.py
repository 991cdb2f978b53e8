"""Public class pages and the artisan's class and session pages."""

from __future__ import annotations

import csv
import io
from datetime import time, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required

from shop.artisans.models import Artisan
from shop.bookings import roster
from shop.bookings import services as bookings
from shop.catalog.services import parse_goal
from shop.classes import display, queries, services, waitlist
from shop.classes.forms import CapacityForm, ClassForm, SessionForm, WeeklyForm
from shop.classes.ics import session_ics, session_uid
from shop.classes.models import Class, ClassSession
from shop.classes.policy import describe_policy, policy_name
from shop.core.errors import DomainError, ValidationFailed
from shop.core.forms import PostForm
from shop.core.images import ImageRejected
from shop.core.inputs import page_arg
from shop.core.time import to_local, utcnow
from shop.extensions import db
from shop.goals import get_goal
from shop.inventory import services as inventory
from shop.media.services import save_image

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
        places = {e.session_id: e for e in waitlist.entries_of_user(current_user.id)}
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


def show_error(form, error: DomainError, aliases: dict[str, str] | None = None) -> None:
    """Put a service's error on the field it names, or flash it."""
    name = (aliases or {}).get(error.field, error.field) if error.field else None
    field = form._fields.get(name) if name else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "danger")


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
        try:
            klass = services.create_class(artisan, _class_data(form))
            _save_photos(form, klass)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
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
        try:
            services.update_class(klass, _class_data(form))
            _save_photos(form, klass)
        except DomainError as error:
            db.session.rollback()
            klass = _own_class(class_id)
            show_error(form, error)
        else:
            db.session.commit()
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
        try:
            services.change_status(klass, request.form.get("action", ""))
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            db.session.commit()
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
        db.session.commit()
    return redirect(url_for("classes.edit_class", class_id=klass.id) + "#photos")


# Sessions

WEEKLY_FIELDS = {"date": "starting", "time": "start_time", "capacity": "seats"}


def _session_forms(klass: Class) -> tuple[SessionForm, WeeklyForm]:
    locale = str(get_locale())
    today = to_local(utcnow(), klass.timezone).date()
    one = SessionForm(formdata=None)
    weekly = WeeklyForm(formdata=None, locale=locale)
    one.date.data = today + timedelta(days=1)
    one.time.data = time(10, 0)
    weekly.starting.data = today + timedelta(days=1)
    weekly.weekday.data = weekly.starting.data.weekday()
    weekly.start_time.data = time(10, 0)
    return one, weekly


def _render_sessions(klass: Class, one: SessionForm, weekly: WeeklyForm, status: int = 200):
    now = utcnow()
    upcoming = services.sessions_of(klass, upcoming=True, now=now)
    past = services.sessions_of(klass, upcoming=False, now=now)[:20]
    return render_template(
        "classes/sessions.html",
        klass=klass,
        upcoming=upcoming,
        past=past,
        queue_sizes=waitlist.queue_sizes([s.id for s in upcoming]),
        one=one,
        weekly=weekly,
        capacity_form=CapacityForm,
        post_form=PostForm,
    ), status


@bp.route("/workshop/classes/<int:class_id>/sessions", methods=["GET", "POST"])
@login_required
def sessions(class_id: int):
    klass = _own_class(class_id)
    one, weekly = _session_forms(klass)
    if request.method == "POST":
        one = SessionForm()
        if one.validate_on_submit():
            try:
                added = services.add_session(klass, one.date.data, one.time.data, one.capacity.data)
            except DomainError as error:
                db.session.rollback()
                klass = _own_class(class_id)
                show_error(one, error)
            else:
                db.session.commit()
                flash(
                    _(
                        "Session added: %(when)s.",
                        when=display.when(added.starts_at, klass.timezone),
                    ),
                    "success",
                )
                return redirect(url_for("classes.sessions", class_id=klass.id))
        return _render_sessions(klass, one, weekly, 422)
    return _render_sessions(klass, one, weekly)


@bp.route("/workshop/classes/<int:class_id>/sessions/weekly", methods=["POST"])
@login_required
def weekly_sessions(class_id: int):
    klass = _own_class(class_id)
    one, _unused = _session_forms(klass)
    weekly = WeeklyForm(locale=str(get_locale()))
    if weekly.validate_on_submit():
        try:
            added = services.add_weekly_sessions(
                klass,
                weekday=weekly.weekday.data,
                starting=weekly.starting.data,
                local_time=weekly.start_time.data,
                weeks=weekly.weeks.data,
                capacity=weekly.seats.data,
            )
        except DomainError as error:
            db.session.rollback()
            klass = _own_class(class_id)
            show_error(weekly, error, WEEKLY_FIELDS)
        else:
            db.session.commit()
            flash(
                ngettext(
                    "%(num)d session added, the first on %(when)s.",
                    "%(num)d sessions added, the first on %(when)s.",
                    len(added),
                    when=display.when(added[0].starts_at, klass.timezone),
                ),
                "success",
            )
            return redirect(url_for("classes.sessions", class_id=klass.id))
    return _render_sessions(klass, one, weekly, 422)


@bp.route("/workshop/classes/<int:class_id>/sessions/<int:session_id>/capacity", methods=["POST"])
@login_required
def session_capacity(class_id: int, session_id: int):
    klass, class_session = _own_session(class_id, session_id)
    form = CapacityForm()
    if form.validate_on_submit():
        try:
            inventory.change_capacity(class_session, form.capacity.data)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash(_("Seats saved."), "success")
    else:
        flash(_("Enter a number of seats of at least 1."), "danger")
    return redirect(url_for("classes.sessions", class_id=klass.id))


@bp.route(
    "/workshop/classes/<int:class_id>/sessions/<int:session_id>/cancel", methods=["GET", "POST"]
)
@login_required
def cancel_session(class_id: int, session_id: int):
    klass, class_session = _own_session(class_id, session_id)
    form = PostForm()
    if form.validate_on_submit():
        try:
            bookings.cancel_session(class_session)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash(
                _(
                    "Session cancelled: %(when)s.",
                    when=display.when(class_session.starts_at, klass.timezone),
                ),
                "success",
            )
        return redirect(url_for("classes.sessions", class_id=klass.id))
    return render_template(
        "classes/cancel_session.html", klass=klass, class_session=class_session, form=form
    )


@bp.route("/workshop/classes/<int:class_id>/sessions/<int:session_id>")
@login_required
def roster_page(class_id: int, session_id: int):
    klass, class_session = _own_session(class_id, session_id)
    return render_template(
        "classes/roster.html",
        klass=klass,
        class_session=class_session,
        entries=roster.roster_entries(class_session),
        waitlist=waitlist.entries_for_session(class_session.id),
    )


def _download_name(klass: Class, class_session: ClassSession, extension: str) -> str:
    stamp = class_session.local_start().strftime("%Y-%m-%d-%H%M")
    return f"{klass.slug[:60]}-{stamp}.{extension}"


@bp.route("/workshop/classes/<int:class_id>/sessions/<int:session_id>/roster.csv")
@login_required
def roster_csv(class_id: int, session_id: int):
    klass, class_session = _own_session(class_id, session_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(title) for title in roster.CSV_HEADER])
    for entry in roster.roster_entries(class_session):
        writer.writerow(roster.csv_row(entry))
    response = Response("\ufeff" + buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{_download_name(klass, class_session, "csv")}"'
    )
    response.headers["Cache-Control"] = "no-store"  # names and phone numbers
    return response


@bp.route("/workshop/classes/<int:class_id>/sessions/<int:session_id>/calendar.ics")
@login_required
def session_calendar(class_id: int, session_id: int):
    klass, class_session = _own_session(class_id, session_id)
    body = session_ics(
        class_session,
        include_address=True,  # the artisan's own copy
        attendee_count=class_session.seats_taken,
        uid=session_uid(class_session),
        url=url_for(
            "classes.roster_page", class_id=klass.id, session_id=class_session.id, _external=True
        ),
    )
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{_download_name(klass, class_session, "ics")}"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response
