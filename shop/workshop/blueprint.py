"""The workshop blueprint and its one guard."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.artisans.models import Artisan, ArtisanStatus
from shop.core.security import is_back_office
from shop.errors import render_error

bp = Blueprint("workshop", __name__, url_prefix="/workshop")

# Open without a workshop: applying for one.
OPEN_WITHOUT_WORKSHOP = frozenset({"workshop.apply", "workshop.apply_step"})
# Open to a suspended artisan: the dashboard (status and the admins' message), the
# application pages (they only redirect such an artisan there), and the settings and consent
# (withdrawing it hides their story: a right about their own data, never a business action).
OPEN_WHEN_SUSPENDED = frozenset(
    {
        "workshop.dashboard",
        "workshop.apply",
        "workshop.apply_step",
        "workshop.settings",
        "workshop.consent",
    }
)


@bp.before_app_request
def guard_the_workshop():
    """Every page under /workshop, whichever blueprint serves it: log in first, have a
    workshop (else the application form), and a suspended workshop may only read its status.

    Deny by default: a new /workshop route is covered without a per-view check. Pending
    artisans may prepare drafts; publishing waits for approval (the services say so).
    """
    rule = request.url_rule
    if rule is None or not is_back_office(rule.rule):
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if request.endpoint in OPEN_WITHOUT_WORKSHOP:
        return None
    artisan = current_user.artisan
    if artisan is None:
        return redirect(url_for("workshop.apply"))
    if artisan.status == ArtisanStatus.SUSPENDED and request.endpoint not in OPEN_WHEN_SUSPENDED:
        return render_error(
            403,
            _(
                "Your workshop is suspended: its products, classes and orders cannot be "
                "changed. Your dashboard shows the admins' message."
            ),
        )
    return None


def current_artisan() -> Artisan:
    """The logged-in artisan (the guard has made sure there is one)."""
    return current_user.artisan
