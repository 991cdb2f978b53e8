"""Public class pages: the list and each class with its sessions."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from shop.catalog.services import parse_goal
from shop.classes import queries
from shop.classes.forms import PrivateRequestForm
from shop.classes.models import Class
from shop.core.inputs import page_arg
from shop.core.pagecache import cached_page
from shop.core.time import utcnow
from shop.extensions import db
from shop.goals import get_goal
from shop.waitlist import queries as waitlist_queries

bp = Blueprint("classes", __name__)

PER_PAGE = 24


# Public pages


@bp.route("/classes")
@cached_page
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
        next_sessions=queries.next_of(page.items),
        cities=queries.public_cities(now),
        selected_goal=get_goal(*filters.goal) if filters.goal else None,
    )


@bp.route("/classes/<slug>")
@cached_page
def detail(slug: str):
    klass = queries.get_public_class(slug)
    if klass is None:
        abort(404)
    return render_detail(klass)


def render_detail(
    klass: Class,
    *,
    waitlist_form=None,
    open_session: int | None = None,
    private_form=None,
    status=200,
):
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
        private_form=private_form
        or (PrivateRequestForm(formdata=None) if klass.private_min_cents else None),
    ), status
