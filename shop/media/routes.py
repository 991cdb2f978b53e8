"""Serving stored photos with the right type, nosniff and long caching."""

from __future__ import annotations

import re

from flask import Blueprint, abort, send_file

from shop.media.services import storage

bp = Blueprint("media", __name__, url_prefix="/media")

NAME_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}-(full|400|1200)\.(jpg|png|webp)$")
MIMETYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


@bp.route("/<name>")
def serve(name: str):
    """Send one stored variant; names are random, so they can be cached for a year."""
    match = NAME_RE.match(name)
    if not match:
        abort(404)
    path = storage().path(name)
    if path is None or not path.exists():
        abort(404)
    response = send_file(path, mimetype=MIMETYPES[match.group(2)], max_age=31536000)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    return response
