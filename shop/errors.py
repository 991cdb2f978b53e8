"""The site's error pages (domain exceptions live in shop.core.errors)."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, MethodNotAllowed, RequestEntityTooLarge

from shop.extensions import db

log = logging.getLogger(__name__)


ERROR_TITLES = {
    400: _l("Bad request"),
    403: _l("Forbidden"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    413: _l("Upload too large"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
}

ERROR_MESSAGES = {
    400: _l("The request could not be understood. Please go back and try again."),
    403: _l("You do not have access to this page."),
    404: _l("We could not find that page. It may have moved or no longer be public."),
    405: _l("That kind of request is not allowed here."),
    413: _l("The files you sent are too large."),
    429: _l("Too many attempts. Please wait a minute and try again."),
    500: _l(
        "We are sorry: an error happened on our side. Nothing was charged twice; "
        "please try again in a moment."
    ),
}


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/healthz", "/payments/stripe/webhook"))


def render_error(code: int, message: str | None = None):
    """Render the error page (or JSON for API paths) with the right status."""
    title = str(ERROR_TITLES.get(code, ERROR_TITLES[500]))
    text = message or str(ERROR_MESSAGES.get(code, ERROR_MESSAGES[500]))
    if _wants_json():
        return jsonify({"error": {"code": code, "title": title, "message": text}}), code
    return render_template("errors/error.html", code=code, title=title, message=text), code


def register_errorhandlers(app: Flask) -> None:
    """Attach the error pages to the app."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        log.warning("CSRF failure on %s: %s", request.path, error.description)
        return render_error(
            400,
            str(
                _l(
                    "Your form expired or was sent from elsewhere. "
                    "Please reload the page and try again."
                )
            ),
        )

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error: RequestEntityTooLarge):
        log.warning(
            "request body over MAX_CONTENT_LENGTH (%s bytes claimed) on %s %r",
            request.content_length,
            request.method,
            request.path,
        )
        return render_error(413)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        if code not in ERROR_TITLES:
            return error
        response, status = render_error(code)
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            response = make_response(response, status)
            response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
            return response
        return response, status

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return render_error(500)

    @app.errorhandler(Exception)
    def unhandled(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return render_error(500)
