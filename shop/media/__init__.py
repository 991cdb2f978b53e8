"""Uploaded photos: checked, re-encoded without metadata, stored, served."""

from flask import Blueprint

bp = Blueprint("media", __name__, url_prefix="/media")

from shop.media import routes  # noqa: E402,F401  (routes attach to bp)
