"""The one guard of the artisan back office: a suspended workshop may only read its status."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from flask_login import current_user

from shop.artisans.models import ArtisanStatus
from shop.core.security import is_back_office
from shop.errors import render_error

# Open to a suspended artisan: the dashboard (status and the admins' message), the
# application page (it only redirects an existing artisan there) and consent (withdrawing it
# hides their story: a right about their own data, never a business action).
OPEN_WHEN_SUSPENDED = frozenset({"artisans.dashboard", "artisans.apply", "artisans.consent"})


def refuse_suspended_workshop():
    """before_request: every back-office page and action answers 403 to a suspended artisan.

    Deny by default: a new /workshop route is covered without a per-view check.
    """
    rule = request.url_rule
    if rule is None or not is_back_office(rule.rule) or request.endpoint in OPEN_WHEN_SUSPENDED:
        return None
    if not current_user.is_authenticated:
        return None  # the view's login_required sends them to log in
    artisan = current_user.artisan
    if artisan is None or artisan.status != ArtisanStatus.SUSPENDED:
        return None
    return render_error(
        403,
        _(
            "Your workshop is suspended: its products, classes and orders cannot be changed. "
            "Your dashboard shows the admins' message."
        ),
    )
