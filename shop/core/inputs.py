"""Untrusted input at the edge: NUL bytes, control characters and integers the database
cannot hold are turned away (404, 400 or a cleaned value) before any query sees them.

PostgreSQL refuses NUL in text and integers beyond 32 bits; SQLite refuses integers beyond
64 bits. Either would surface as a 500, so every request passes through here once.
"""

from __future__ import annotations

import re

from flask import abort, request
from werkzeug.routing import IntegerConverter

# Ids are INTEGER columns: the largest value PostgreSQL (and so the shop) can store.
DB_INT_MAX = 2**31 - 1
# The deepest page a listing serves; nobody pages further, and larger offsets only cost.
MAX_PAGE = 10_000

_FORM_MIMETYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}
_LINE_BREAKS = re.compile(r"[\t\n\v\f\r\x1c-\x1e\x85\u2028\u2029]+")
_NEWLINES = re.compile(r"\r\n|[\r\v\f\x1c-\x1e\x85\u2028\u2029]")
# C0 and C1 controls and DEL (line breaks are handled before these are dropped).
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_ID = re.compile(r"[0-9]{1,10}")


def _has_nul(pairs) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in pairs)


def reject_nul_bytes() -> None:
    """before_request: a NUL in the path is a 404; in the query string or form, a 400."""
    if "\x00" in request.path:
        abort(404)
    if _has_nul(request.args.items(multi=True)):
        abort(400)
    has_form = request.method in {"POST", "PUT", "PATCH"} and request.mimetype in _FORM_MIMETYPES
    if has_form and _has_nul(request.form.items(multi=True)):
        abort(400)


def single_line(value):
    """Field filter: line breaks become one space, other control characters go.

    Names, phones and notes are copied into e-mails and CSV files, where a typed CR/LF
    would start a line of its own (a fake "Bcc:").
    """
    if not isinstance(value, str):
        return value
    return _CONTROLS.sub("", _LINE_BREAKS.sub(" ", value))


def multi_line(value):
    """Field filter for text areas: newlines (any convention) become \\n and tabs stay;
    other control characters go."""
    if not isinstance(value, str):
        return value
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", "", _NEWLINES.sub("\n", value))


def parse_id(value) -> int | None:
    """A row id typed into a form or URL, or None when it cannot be one (never raises)."""
    text = str(value or "")
    if not _ID.fullmatch(text):
        return None
    number = int(text)
    return number if 1 <= number <= DB_INT_MAX else None


def page_arg() -> int:
    """The ?page= of a listing: 1 when absent or not a number, 404 beyond MAX_PAGE."""
    raw = request.args.get("page", "")
    if not raw.isascii() or not raw.isdigit():
        return 1
    number = int(raw)
    if number > MAX_PAGE:
        abort(404)
    return max(number, 1)


class DatabaseIntConverter(IntegerConverter):
    """`<int:...>` in a route matches only what an INTEGER column can hold (else 404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=DB_INT_MAX, signed=False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
