"""Classes: workshops that artisans teach, their dated sessions, and the public pages."""

from flask import Blueprint

bp = Blueprint("classes", __name__)

from shop.classes import routes, waitlist_routes  # noqa: E402,F401  (routes attach to bp)
