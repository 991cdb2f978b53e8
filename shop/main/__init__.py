"""Home page, language switch, health check."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from shop.main import routes  # noqa: E402,F401  (routes attach to bp)
