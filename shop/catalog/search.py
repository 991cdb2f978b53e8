"""Ranked full-text search over products, on SQLite (FTS5) and PostgreSQL (tsvector).

Both databases index the same normalised text (lower case, accents removed), so a search for
"ceramica" finds "Cerámica" everywhere; a listing's title and description are indexed in the
language it was written in and in its translation, so either language finds it. The index
tables are made by migration 0003 and kept out of the models on purpose: their DDL differs per
database.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select, text
from sqlalchemy.orm import selectinload

from shop.catalog.models import Product
from shop.core.signals import artisan_changed
from shop.extensions import db

TOKEN_RE = re.compile(r"\w+", re.UNICODE)
MAX_TOKENS = 8


def normalise(value: str | None) -> str:
    """Lower case, accents stripped, punctuation kept as spaces."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(TOKEN_RE.findall(plain.lower()))


def tokens(query: str | None) -> list[str]:
    """Search words from what a person typed (nothing else reaches the SQL)."""
    return normalise(query).split()[:MAX_TOKENS]


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def index_product(product) -> None:
    """Write (or rewrite) one product's row in the search index."""
    fields = {
        "id": product.id,
        # Both languages in one column each: "mug" finds a "taza" whose translation says mug.
        "title": normalise(f"{product.title} {product.title_translated}"),
        "artisan": normalise(f"{product.artisan.shop_name} {product.artisan.public_name}"),
        "materials": normalise(product.materials),
        "description": normalise(f"{product.description} {product.description_translated}"),
    }
    if _dialect() == "postgresql":
        db.session.execute(
            text(
                "INSERT INTO product_search (product_id, document) VALUES (:id, "
                "setweight(to_tsvector('simple', :title), 'A') || "
                "setweight(to_tsvector('simple', :artisan), 'B') || "
                "setweight(to_tsvector('simple', :materials), 'C') || "
                "setweight(to_tsvector('simple', :description), 'D')) "
                "ON CONFLICT (product_id) DO UPDATE SET document = EXCLUDED.document"
            ),
            fields,
        )
    else:
        db.session.execute(text("DELETE FROM product_search WHERE rowid = :id"), fields)
        db.session.execute(
            text(
                "INSERT INTO product_search (rowid, title, artisan, materials, description) "
                "VALUES (:id, :title, :artisan, :materials, :description)"
            ),
            fields,
        )


def unindex_product(product_id: int) -> None:
    """Remove a product from the index."""
    column = "product_id" if _dialect() == "postgresql" else "rowid"
    db.session.execute(
        text(f"DELETE FROM product_search WHERE {column} = :id"),  # noqa: S608
        {"id": product_id},
    )


def ranked_matches(query: str | None):
    """A selectable of (product_id, rank) for the query, higher rank = better; None if empty."""
    words = tokens(query)
    if not words:
        return None
    if _dialect() == "postgresql":
        tsquery = " & ".join(f"{w}:*" for w in words)
        return (
            text(
                "SELECT product_id, ts_rank(document, to_tsquery('simple', :q)) AS rank "
                "FROM product_search WHERE document @@ to_tsquery('simple', :q)"
            )
            .bindparams(q=tsquery)
            .columns(product_id=db.Integer, rank=db.Float)
            .cte("matches")
            .prefix_with("MATERIALIZED")
        )
    match = " ".join(f'"{w}"*' for w in words)
    # bm25 is lower-is-better; negate so both databases sort by rank descending.
    return (
        text(
            "SELECT rowid AS product_id, -bm25(product_search, 10.0, 4.0, 2.0, 1.0) AS rank "
            "FROM product_search WHERE product_search MATCH :q"
        )
        .bindparams(q=match)
        .columns(product_id=db.Integer, rank=db.Float)
        # Materialised: run the full-text match once, not once per joined product row.
        .cte("matches")
        .prefix_with("MATERIALIZED")
    )


def reindex_all() -> int:
    """Rebuild the whole index (after a migration or a bulk import)."""
    db.session.execute(text("DELETE FROM product_search"))
    count = 0
    for product in db.session.scalars(select(Product).options(selectinload(Product.artisan))):
        index_product(product)
        count += 1
    return count


def include_in_autogenerate(name, type_, parent_names) -> bool:
    """Alembic filter: the search index tables (and FTS5 shadow tables) are not models."""
    return not (type_ == "table" and name and name.startswith("product_search"))


@artisan_changed.connect
def _reindex_artisan_products(artisan, **extra) -> None:
    """The artisan's name is searchable: rewrite their products' rows."""
    for product in artisan.products:
        index_product(product)
