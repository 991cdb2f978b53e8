"""Administration: approvals, moderation, audit log."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from shop.admin import routes  # noqa: E402,F401  (routes attach to bp)
