"""The artisan's class sessions: scheduling (one or weekly), capacity, cancelling, the roster
and its downloads."""

from __future__ import annotations

import csv
import io
from datetime import time, timedelta

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from shop.bookings import roster
from shop.bookings import services as bookings
from shop.classes import display, services
from shop.classes.ics import session_ics, session_uid
from shop.classes.models import Class, ClassSession
from shop.core.forms import PostForm
from shop.core.time import to_local, utcnow
from shop.core.views import unit_of_work
from shop.inventory import services as inventory
from shop.waitlist import queries as waitlist_queries
from shop.workshop.blueprint import bp
from shop.workshop.classes import own_class, own_session
from shop.workshop.forms import CapacityForm, SessionForm, WeeklyForm

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
        "workshop/sessions.html",
        klass=klass,
        upcoming=upcoming,
        past=past,
        queue_sizes=waitlist_queries.queue_sizes([s.id for s in upcoming]),
        one=one,
        weekly=weekly,
        capacity_form=CapacityForm,
        post_form=PostForm,
    ), status


@bp.route("/classes/<int:class_id>/sessions", methods=["GET", "POST"])
def sessions(class_id: int):
    klass = own_class(class_id)
    one, weekly = _session_forms(klass)
    if request.method == "POST":
        one = SessionForm()
        if one.validate_on_submit():
            with unit_of_work(one) as work:
                added = services.add_session(klass, one.date.data, one.time.data, one.capacity.data)
            if not work:
                klass = own_class(class_id)  # rolled back: load it afresh
            else:
                flash(
                    _(
                        "Session added: %(when)s.",
                        when=display.when(added.starts_at, klass.timezone),
                    ),
                    "success",
                )
                return redirect(url_for("workshop.sessions", class_id=klass.id))
        return _render_sessions(klass, one, weekly, 422)
    return _render_sessions(klass, one, weekly)


@bp.route("/classes/<int:class_id>/sessions/weekly", methods=["POST"])
def weekly_sessions(class_id: int):
    klass = own_class(class_id)
    one, _unused = _session_forms(klass)
    weekly = WeeklyForm(locale=str(get_locale()))
    if weekly.validate_on_submit():
        with unit_of_work(weekly, aliases=WEEKLY_FIELDS) as work:
            added = services.add_weekly_sessions(
                klass,
                weekday=weekly.weekday.data,
                starting=weekly.starting.data,
                local_time=weekly.start_time.data,
                weeks=weekly.weeks.data,
                capacity=weekly.seats.data,
            )
        if not work:
            klass = own_class(class_id)  # rolled back: load it afresh
        else:
            flash(
                ngettext(
                    "%(num)d session added, the first on %(when)s.",
                    "%(num)d sessions added, the first on %(when)s.",
                    len(added),
                    when=display.when(added[0].starts_at, klass.timezone),
                ),
                "success",
            )
            return redirect(url_for("workshop.sessions", class_id=klass.id))
    return _render_sessions(klass, one, weekly, 422)


@bp.route("/classes/<int:class_id>/sessions/<int:session_id>/capacity", methods=["POST"])
def session_capacity(class_id: int, session_id: int):
    klass, class_session = own_session(class_id, session_id)
    form = CapacityForm()
    if form.validate_on_submit():
        with unit_of_work() as work:
            inventory.change_capacity(class_session, form.capacity.data)
        if work:
            flash(_("Seats saved."), "success")
    else:
        flash(_("Enter a number of seats of at least 1."), "danger")
    return redirect(url_for("workshop.sessions", class_id=klass.id))


@bp.route("/classes/<int:class_id>/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
def cancel_session(class_id: int, session_id: int):
    klass, class_session = own_session(class_id, session_id)
    form = PostForm()
    if form.validate_on_submit():
        with unit_of_work() as work:
            bookings.cancel_session(class_session)
        if work:
            flash(
                _(
                    "Session cancelled: %(when)s.",
                    when=display.when(class_session.starts_at, klass.timezone),
                ),
                "success",
            )
        return redirect(url_for("workshop.sessions", class_id=klass.id))
    return render_template(
        "workshop/cancel_session.html",
        klass=klass,
        class_session=class_session,
        form=form,
        preview=bookings.session_cancel_preview(class_session),
    )


@bp.route("/classes/<int:class_id>/sessions/<int:session_id>")
def session_roster(class_id: int, session_id: int):
    klass, class_session = own_session(class_id, session_id)
    return render_template(
        "workshop/roster.html",
        klass=klass,
        class_session=class_session,
        entries=roster.roster_entries(class_session),
        waitlist=waitlist_queries.entries_for_session(class_session.id),
    )


def _download_name(klass: Class, class_session: ClassSession, extension: str) -> str:
    stamp = class_session.local_start().strftime("%Y-%m-%d-%H%M")
    return f"{klass.slug[:60]}-{stamp}.{extension}"


@bp.route("/classes/<int:class_id>/sessions/<int:session_id>/roster.csv")
def roster_csv(class_id: int, session_id: int):
    klass, class_session = own_session(class_id, session_id)
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


@bp.route("/classes/<int:class_id>/sessions/<int:session_id>/calendar.ics")
def session_calendar(class_id: int, session_id: int):
    klass, class_session = own_session(class_id, session_id)
    body = session_ics(
        class_session,
        include_address=True,  # the artisan's own copy
        attendee_count=class_session.seats_taken,
        uid=session_uid(class_session),
        url=url_for(
            "workshop.session_roster",
            class_id=klass.id,
            session_id=class_session.id,
            _external=True,
        ),
    )
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{_download_name(klass, class_session, "ics")}"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response
