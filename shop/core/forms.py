"""Forms every feature shares."""

from __future__ import annotations

from flask_wtf import FlaskForm


class PostForm(FlaskForm):
    """An empty form: CSRF protection for POST-only actions such as log-out."""
