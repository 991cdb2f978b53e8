"""Keyset ("seek") pagination: page 200 costs what page 1 costs.

A page after the first is asked for with `?after=<cursor>` (or `?before=<cursor>` going back),
where the cursor holds the sort values of the last (first) row shown. The query then starts
right after that row through the sort index, instead of reading and skipping every earlier
row as OFFSET does. `?page=N` without a cursor still works (OFFSET), so old links and typed
page numbers keep working; the links this module makes carry a cursor and the page number
(for display only).

The query's ORDER BY must end with a unique column (the id) and sort every column the same
way (all descending or all ascending), so one row-value comparison finds the boundary.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime

from sqlalchemy import Select, func, inspect, literal, select, tuple_
from sqlalchemy.sql.elements import ColumnElement, UnaryExpression
from sqlalchemy.sql.operators import desc_op

from shop.extensions import db


def encode_cursor(values: Sequence) -> str:
    """Sort values (ints, floats, strings, aware datetimes) as a short URL-safe token."""
    plain = [{"t": value.isoformat()} if isinstance(value, datetime) else value for value in values]
    raw = json.dumps(plain, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str | None, size: int) -> list | None:
    """The values in a cursor, or None when absent or not one of ours (never an error)."""
    if not token or len(token) > 400:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError):
        return None
    if not isinstance(values, list) or len(values) != size:
        return None
    decoded = []
    for value in values:
        if isinstance(value, dict) and isinstance(value.get("t"), str):
            try:
                value = datetime.fromisoformat(value["t"])
            except ValueError:
                return None
            if value.tzinfo is None:
                return None
        elif not isinstance(value, int | float | str) or isinstance(value, bool):
            return None
        decoded.append(value)
    return decoded


def _order_terms(query: Select) -> tuple[list[ColumnElement], bool]:
    """The ORDER BY columns of a query and whether they sort descending."""
    columns, directions = [], set()
    for clause in query._order_by_clauses:
        if isinstance(clause, UnaryExpression) and clause.modifier is not None:
            columns.append(clause.element)
            directions.add(clause.modifier is desc_op)
        else:
            columns.append(clause)
            directions.add(False)
    if len(directions) != 1:
        raise ValueError("keyset pagination needs one direction for every ORDER BY column")
    return columns, directions.pop()


def _typed(values: list | None, columns: list[ColumnElement]):
    """Cursor values bound with their columns' types (so UTC timestamps compare right)."""
    if values is None:
        return None
    return tuple_(*(literal(v, type_=c.type) for v, c in zip(values, columns, strict=True)))


class KeysetPage:
    """One page of rows with the interface templates/_pagination.html reads."""

    def __init__(self, items, *, page, per_page, total, first_values, last_values, has_more):
        self.items = items
        self.per_page = per_page
        self.total = total
        self.pages = math.ceil(total / per_page) if per_page else 0
        self.page = max(page, 1)
        self.has_prev = self.page > 1 and bool(items)
        self.has_next = has_more
        self.prev_num = self.page - 1 if self.has_prev else None
        self.next_num = self.page + 1 if self.has_next else None
        self.next_cursor = encode_cursor(last_values) if has_more and last_values else None
        self.prev_cursor = encode_cursor(first_values) if self.has_prev and first_values else None

    @property
    def next_args(self) -> dict:
        return {"after": self.next_cursor} if self.next_cursor else {}

    @property
    def prev_args(self) -> dict:
        return {"before": self.prev_cursor} if self.prev_cursor else {}

    def iter_pages(
        self, left_edge: int = 2, left_current: int = 2, right_current: int = 4, right_edge: int = 2
    ) -> Iterator[int | None]:
        """Page numbers to link, None for a gap (as Flask-SQLAlchemy's Pagination)."""
        last = 0
        for number in range(1, self.pages + 1):
            if (
                number <= left_edge
                or self.page - left_current - 1 < number < self.page + right_current
                or number > self.pages - right_edge
            ):
                if last + 1 != number:
                    yield None
                yield number
                last = number


def keyset_paginate(
    query: Select,
    *,
    per_page: int,
    page: int = 1,
    after: str | None = None,
    before: str | None = None,
    count: bool = True,
    count_in_query: bool = False,
    load: Callable[[list], list] | None = None,
) -> KeysetPage:
    """A page of `query` (which must be ordered, ending with a unique column): by cursor
    when `after`/`before` holds a valid one, else by page number (OFFSET).

    `count_in_query` counts with a window function in the same statement instead of a second
    query: worth it when the database must produce every match anyway (a ranked search), not
    when an index lets it stop after one page.

    With `load` (ids -> entities in that order) the paging statement selects only the primary
    key and the sort values, and `load` fetches the page's rows afterwards: sorting, counting
    and skipping then move narrow rows (a search matching every product sorted all their
    columns, several times slower)."""
    columns, descending = _order_terms(query)
    key = tuple_(*columns)
    if load is not None:
        entity = query.column_descriptions[0]["entity"]
        query = query.with_only_columns(inspect(entity).primary_key[0])
    keyed = query.add_columns(*columns)
    after_values = _typed(decode_cursor(after, len(columns)), columns)
    before_values = _typed(decode_cursor(before, len(columns)), columns)
    # The window counts what the statement sees: only the plain (OFFSET) page sees it all.
    windowed = count and count_in_query and after_values is None and before_values is None
    if windowed:
        keyed = keyed.add_columns(func.count().over().label("total_matches"))
    if after_values is not None:
        bound = key < after_values if descending else key > after_values
        rows = db.session.execute(keyed.where(bound).limit(per_page + 1)).unique().all()
        has_more = len(rows) > per_page
        rows = rows[:per_page]
    elif before_values is not None:
        bound = key > before_values if descending else key < before_values
        flipped = [c.asc() if descending else c.desc() for c in columns]
        rows = (
            db.session.execute(keyed.where(bound).order_by(None).order_by(*flipped).limit(per_page))
            .unique()
            .all()
        )
        rows.reverse()
        has_more = True
    else:
        rows = (
            db.session.execute(keyed.limit(per_page + 1).offset((max(page, 1) - 1) * per_page))
            .unique()
            .all()
        )
        has_more = len(rows) > per_page
        rows = rows[:per_page]
    total = None
    if windowed:
        total = rows[0][-1] if rows else None  # no row (a page past the end): count below
        rows = [row[:-1] for row in rows]
    items = [row[0] for row in rows]
    if load is not None:
        items = load(items)
    if not count:
        total = 0
    elif total is None:
        total = db.session.scalar(
            select(func.count()).select_from(query.order_by(None).options().subquery())
        )
    return KeysetPage(
        items,
        page=page,
        per_page=per_page,
        total=total or 0,
        first_values=list(rows[0][1:]) if rows else None,
        last_values=list(rows[-1][1:]) if rows else None,
        has_more=has_more,
    )
