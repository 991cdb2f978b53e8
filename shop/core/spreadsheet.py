"""CSV files people open in a spreadsheet: text that looks like a formula is defused."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Sheets.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value) -> str | int | Decimal:
    """Numbers as they are; text that a spreadsheet would read as a formula gets a leading
    apostrophe (shown as plain text, never evaluated)."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | Decimal):
        return value
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_text(header: Iterable, rows: Iterable[Iterable]) -> str:
    """A CSV document (with a BOM so spreadsheets read it as UTF-8), every cell made safe."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()
