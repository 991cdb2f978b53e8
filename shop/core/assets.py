"""Fingerprinted static files: every url_for('static', ...) (and a blueprint's static, e.g.
Bootstrap-Flask's) gets `?v=<hash of the file>`, and such a request is answered with
`Cache-Control: public, max-age=31536000, immutable`. A changed file gets a new URL, so a
browser keeps each version for a year and never asks twice; templates need no change."""

from __future__ import annotations

import hashlib
import os
import threading

from flask import Flask, Response, current_app, request

YEAR = 365 * 24 * 60 * 60
_hashes: dict[tuple[str, str], tuple[float, str]] = {}
_lock = threading.Lock()


def fingerprint(folder: str, filename: str) -> str | None:
    """A short hash of the file's content (recomputed when its mtime changes), or None."""
    path = os.path.join(folder, filename)
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        return None
    with _lock:
        known = _hashes.get((folder, filename))
        if known and known[0] == mtime:
            return known[1]
    with open(path, "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()[:12]
    with _lock:
        _hashes[(folder, filename)] = (mtime, digest)
    return digest


def _static_folder(endpoint: str) -> str | None:
    if endpoint == "static":
        return current_app.static_folder
    blueprint = current_app.blueprints.get(endpoint.rsplit(".", 1)[0])
    return blueprint.static_folder if blueprint is not None else None


def add_fingerprint(endpoint: str, values: dict) -> None:
    """url_defaults hook: put ?v= on static URLs."""
    if not (endpoint == "static" or endpoint.endswith(".static")) or "v" in values:
        return
    folder = _static_folder(endpoint)
    filename = values.get("filename")
    if folder and filename:
        digest = fingerprint(folder, filename)
        if digest:
            values["v"] = digest


def cache_fingerprinted(response: Response) -> Response:
    """A fingerprinted static file may be kept for a year."""
    endpoint = request.endpoint or ""
    is_static = endpoint == "static" or endpoint.endswith(".static")
    if is_static and request.args.get("v") and response.status_code == 200:
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    return response


def init_app(app: Flask) -> None:
    app.url_defaults(add_fingerprint)
    app.after_request(cache_fingerprinted)
