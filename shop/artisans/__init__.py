"""Artisans: applications, the public profile, SDG and GCM goals."""

from flask import Blueprint

bp = Blueprint("artisans", __name__)

from shop.artisans import routes  # noqa: E402,F401  (routes attach to bp)
