"""Serving stored photos with the right type, nosniff and long caching."""

from __future__ import annotations

import re

from flask import Blueprint, abort, redirect, send_file

from shop.core.storage import S3Storage
from shop.media.services import storage

bp = Blueprint("media", __name__, url_prefix="/media")

NAME_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}-(full|400|1200)\.(jpg|png|webp)$")
MIMETYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
YEAR = 31536000


@bp.route("/<name>")
def serve(name: str):
    """Send one stored variant; names are random, so they can be cached for a year. A size
    still being made by a worker is answered with the full photo, briefly cacheable."""
    match = NAME_RE.match(name)
    if not match:
        abort(404)
    store = storage()
    if isinstance(store, S3Storage):
        return redirect(store.url(name))  # links made before the move, API clients
    path = store.path(name)
    max_age = YEAR
    if path is not None and not path.exists() and match.group(1) != "full":
        path, max_age = store.path(name.replace(f"-{match.group(1)}.", "-full.")), 60
    if path is None or not path.exists():
        abort(404)
    response = send_file(path, mimetype=MIMETYPES[match.group(2)], max_age=max_age)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    return response
