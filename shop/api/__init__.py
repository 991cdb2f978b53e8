"""Read-only JSON API for partners: /api/v1 (documented at /api/v1/openapi.json)."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from shop.api import routes  # noqa: E402,F401  (routes attach to bp)
