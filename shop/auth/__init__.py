"""Accounts: registration, log-in, log-out and password reset."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")

from shop.auth import routes  # noqa: E402,F401  (routes attach to bp)
