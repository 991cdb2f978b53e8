"""Catalogue: products, categories, photos, search."""

from flask import Blueprint

bp = Blueprint("catalog", __name__)

from shop.catalog import routes  # noqa: E402,F401  (routes attach to bp)
