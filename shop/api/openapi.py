"""The OpenAPI 3 description of /api/v1; a test validates real responses against it."""

from __future__ import annotations

from shop.catalog.services import MAX_PRICE_CENTS, SORTS
from shop.core.inputs import MAX_PAGE
from shop.goals import all_goals

NULLABLE_STRING = {"type": ["string", "null"]}
# Free text parameters: anything but NUL (no database stores it; it is a 400).
TEXT = {"type": "string", "pattern": "^[^\\u0000]*$"}
# Paging: out-of-range values are refused with a 400, never silently clamped.
DEFAULT_PER_PAGE = 24
MAX_PER_PAGE = 100
GOAL_CODES = tuple(f"{goal.kind}-{goal.n}" for goal in all_goals())
IN_STOCK_VALUES = ("0", "1", "false", "true")

IMAGE = {
    "type": ["object", "null"],
    "required": ["url", "thumbnail_url", "width", "height", "alt"],
    "properties": {
        "url": {"type": "string", "format": "uri"},
        "thumbnail_url": {"type": "string", "format": "uri"},
        "width": {"type": "integer", "minimum": 1},
        "height": {"type": "integer", "minimum": 1},
        "alt": {"type": "string"},
    },
    "additionalProperties": False,
}

GOAL = {
    "type": "object",
    "required": ["kind", "number"],
    "properties": {
        "kind": {"type": "string", "enum": ["sdg", "gcm"]},
        "number": {"type": "integer", "minimum": 1, "maximum": 23},
        "verified": {"type": "boolean"},
        "statement": {"type": "string"},
    },
    "additionalProperties": False,
}

ARTISAN_SUMMARY_PROPS = {
    "slug": {"type": "string"},
    "name": {"type": "string", "description": "First name or workshop name, as they chose."},
    "craft": {"type": "string"},
    "city": {"type": "string", "description": "City only: never an address."},
    "country": {"type": "string", "description": "ISO 3166-1 alpha-2"},
    "tagline": {"type": "string"},
    "profile_language": {
        "type": "string",
        "enum": ["es", "en"],
        "description": "What the tagline and story are written in.",
    },
    "profile_image": {"$ref": "#/components/schemas/Image"},
    "url": {"type": "string", "format": "uri"},
    "goals": {"type": "array", "items": {"$ref": "#/components/schemas/Goal"}},
}

# A text in both listing languages: the artisan's own and their optional translation ("").
BILINGUAL_TEXT = {
    "type": "object",
    "required": ["es", "en"],
    "properties": {"es": {"type": "string"}, "en": {"type": "string"}},
    "additionalProperties": False,
}

PRODUCT_SUMMARY_PROPS = {
    "slug": {"type": "string"},
    "title": {"type": "string", "description": "As the artisan wrote it (in `language`)."},
    "language": {"type": "string", "enum": ["es", "en"]},
    "titles": {**BILINGUAL_TEXT, "description": "The title in each language; empty if none."},
    "price": {"$ref": "#/components/schemas/Money"},
    "category": {"type": "string"},
    "in_stock": {"type": "boolean"},
    "stock": {"type": ["integer", "null"], "minimum": 0},
    "made_to_order": {"type": "boolean"},
    "lead_time_days": {"type": ["integer", "null"]},
    "image": {"$ref": "#/components/schemas/Image"},
    "artisan": {
        "type": "object",
        "required": ["slug", "name", "city"],
        "properties": {
            "slug": {"type": "string"},
            "name": {"type": "string"},
            "city": {"type": "string"},
        },
        "additionalProperties": False,
    },
    "url": {"type": "string", "format": "uri"},
}


def _object(props: dict, extra: dict | None = None) -> dict:
    properties = {**props, **(extra or {})}
    return {
        "type": "object",
        "required": sorted(properties),
        "properties": properties,
        "additionalProperties": False,
    }


def _page_of(ref: str) -> dict:
    return {
        "type": "object",
        "required": ["items", "page", "per_page", "total", "pages"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": ref}},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "total": {"type": "integer", "minimum": 0},
            "pages": {"type": "integer", "minimum": 0},
            "next_after": {
                "type": ["string", "null"],
                "description": "Products only: pass as `after` for the next page (a keyset "
                "cursor: as fast on page 200 as on page 1); null on the last page.",
            },
        },
        "additionalProperties": False,
    }


def _param(name: str, description: str, schema: dict | None = None) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or TEXT,
    }


PAGING = [
    _param(
        "page",
        f"Page number, from 1 to {MAX_PAGE} (a page past the end is empty). "
        "Anything else is a 400.",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
    ),
    _param(
        "per_page",
        f"Items per page, from 1 to {MAX_PER_PAGE} (default {DEFAULT_PER_PAGE}). "
        "Anything else is a 400.",
        {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
    ),
]
GOAL_PARAM = _param(
    "goal",
    "Goal as kind-number, e.g. sdg-8 or gcm-19; an unknown goal is a 400.",
    {"type": "string", "enum": list(GOAL_CODES)},
)
PRICE_LIMIT = {"type": "number", "minimum": 0, "maximum": MAX_PRICE_CENTS // 100}


NULLABLE_INT = {"type": ["integer", "null"]}
IMPACT_FIGURES = {
    "artisans_selling": NULLABLE_INT,
    "sales_cents": {**NULLABLE_INT, "description": "What customers paid, less refunds."},
    "earned_cents": {**NULLABLE_INT, "description": "What of the sales reached the artisans."},
    "paid_out_cents": {**NULLABLE_INT, "description": "Paid out to artisans in the period."},
    "share_bps": {
        **NULLABLE_INT,
        "description": "earned / sales in basis points (9000 = 90 %); null without sales.",
    },
    "products_sold": NULLABLE_INT,
    "seats_filled": NULLABLE_INT,
    "teaching_minutes": NULLABLE_INT,
    "students_taught": NULLABLE_INT,
    "suppressed": {
        "type": "boolean",
        "description": "Withheld (every figure null): built from fewer than 3 customers, or "
        "hidden so that a total cannot reveal such a figure.",
    },
}
MONTH_PARAM = {"type": "string", "pattern": "^2[0-9]{3}-(0[1-9]|1[0-2])$"}


def _impact_rows(extra: dict) -> dict:
    return {"type": "array", "items": _object(IMPACT_FIGURES, extra)}


IMPACT_REPORT = {
    "type": "object",
    "required": ["period", "currency", "total", "by_month", "by_city", "by_origin", "by_goal"],
    "properties": {
        "period": {
            "type": "object",
            "required": ["from", "to"],
            "properties": {
                "from": {"type": ["string", "null"], "format": "date"},
                "to": {"type": ["string", "null"], "format": "date"},
            },
            "additionalProperties": False,
        },
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
        "total": _object(IMPACT_FIGURES),
        "by_month": _impact_rows({"month": MONTH_PARAM}),
        "by_city": _impact_rows(
            {
                "city": {**NULLABLE_STRING, "description": "null for the group of small cities"},
                "country": NULLABLE_STRING,
                "other": {"type": "boolean", "description": "Cities of fewer than 3 artisans."},
            }
        ),
        "by_origin": _impact_rows(
            {
                "country": NULLABLE_STRING,
                "group": {"type": "string", "enum": ["country", "other", "not_shown"]},
            }
        ),
        "by_goal": _impact_rows(
            {
                "kind": {"type": "string", "enum": ["sdg", "gcm"]},
                "number": {"type": "integer", "minimum": 1, "maximum": 23},
                "code": {"type": "string"},
            }
        ),
    },
    "additionalProperties": False,
}


def _json(ref: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": ref}}}}


ERROR = {"$ref": "#/components/responses/Error"}


def openapi_document() -> dict:
    """The whole document, built fresh (it is small)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Taller public API",
            "version": "1.0.0",
            "description": "Read-only, public data about artisans and their products, for "
            "partner organisations to embed. No personal contact data or "
            "exact locations are ever returned.",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/products": {
                "get": {
                    "summary": "Published products of approved artisans",
                    "parameters": [
                        _param("q", "Full-text search (title, description, materials, artisan)."),
                        _param("category", "Category slug, e.g. ceramics."),
                        GOAL_PARAM,
                        _param("artisan", "Artisan slug."),
                        _param("city", "City (case-insensitive)."),
                        _param(
                            "min_price",
                            "Lowest price, in currency units (e.g. 10.50).",
                            PRICE_LIMIT,
                        ),
                        _param("max_price", "Highest price, in currency units.", PRICE_LIMIT),
                        _param(
                            "in_stock",
                            "1 or true to list only what can be bought now.",
                            {"type": "string", "enum": list(IN_STOCK_VALUES)},
                        ),
                        _param(
                            "sort",
                            "Order (relevance needs q; without it, newest).",
                            {"type": "string", "enum": list(SORTS)},
                        ),
                        *PAGING,
                        _param(
                            "after",
                            "The next_after of the previous page (keyset paging; the page "
                            "number is then only echoed); a value that is not one is ignored.",
                        ),
                    ],
                    "responses": {
                        "200": _json("#/components/schemas/ProductPage", "A page"),
                        "400": ERROR,
                    },
                }
            },
            "/products/{slug}": {
                "get": {
                    "summary": "One published product",
                    "parameters": [
                        {
                            "name": "slug",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": _json("#/components/schemas/Product", "The product"),
                        "404": ERROR,
                    },
                }
            },
            "/artisans": {
                "get": {
                    "summary": "Approved artisans",
                    "parameters": [
                        _param("craft", "Craft (case-insensitive)."),
                        _param("city", "City (case-insensitive)."),
                        GOAL_PARAM,
                        *PAGING,
                    ],
                    "responses": {
                        "200": _json("#/components/schemas/ArtisanPage", "A page"),
                        "400": ERROR,
                    },
                }
            },
            "/artisans/{slug}": {
                "get": {
                    "summary": "One approved artisan",
                    "parameters": [
                        {
                            "name": "slug",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": _json("#/components/schemas/Artisan", "The artisan"),
                        "404": ERROR,
                    },
                }
            },
            "/impact": {
                "get": {
                    "summary": "Impact figures: what reached artisans, products, seats, hours",
                    "description": "Computed from orders, bookings and the payouts ledger, for "
                    "whole months on the shop's clock (the last 12 by default). A sale counts "
                    "under every goal its artisan or the sold listing supports. Figures built "
                    "from fewer than 3 customers are withheld; cities and countries of origin "
                    "with fewer than 3 artisans are grouped.",
                    "parameters": [
                        _param("from", "First month, YYYY-MM.", MONTH_PARAM),
                        _param(
                            "to",
                            "Last month, YYYY-MM (inclusive; swapped with from if earlier).",
                            MONTH_PARAM,
                        ),
                        _param(
                            "period",
                            "all: every month so far (from and to are then ignored).",
                            {"type": "string", "enum": ["all"]},
                        ),
                    ],
                    "responses": {
                        "200": _json("#/components/schemas/ImpactReport", "The figures"),
                        "400": ERROR,
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Image": IMAGE,
                "Goal": GOAL,
                "Money": {
                    "type": "object",
                    "required": ["amount_cents", "currency"],
                    "properties": {
                        "amount_cents": {"type": "integer", "minimum": 0},
                        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
                    },
                    "additionalProperties": False,
                },
                "ArtisanSummary": _object(ARTISAN_SUMMARY_PROPS),
                "Artisan": _object(
                    ARTISAN_SUMMARY_PROPS,
                    {
                        "story_markdown": {"type": "string"},
                        "story_url": NULLABLE_STRING,
                        "languages": {"type": "string"},
                        "origin_country": NULLABLE_STRING,
                        "cover_image": {"$ref": "#/components/schemas/Image"},
                    },
                ),
                "ProductSummary": _object(PRODUCT_SUMMARY_PROPS),
                "Product": _object(
                    PRODUCT_SUMMARY_PROPS,
                    {
                        "description_markdown": {"type": "string"},
                        "descriptions_markdown": BILINGUAL_TEXT,
                        "materials": {"type": "string"},
                        "dimensions": {"type": "string"},
                        "weight_grams": {"type": ["integer", "null"]},
                        "images": {
                            "type": "array",
                            "maxItems": 8,
                            "items": {"$ref": "#/components/schemas/Image"},
                        },
                        "delivery": {
                            "type": "object",
                            "required": ["pickup", "shipping", "shipping_rate_cents"],
                            "properties": {
                                "pickup": {"type": "boolean"},
                                "shipping": {"type": "boolean"},
                                "shipping_rate_cents": {"type": ["integer", "null"]},
                            },
                            "additionalProperties": False,
                        },
                        "goals": {"type": "array", "items": {"$ref": "#/components/schemas/Goal"}},
                        "published_at": {"type": ["string", "null"], "format": "date-time"},
                    },
                ),
                "ProductPage": _page_of("#/components/schemas/ProductSummary"),
                "ArtisanPage": _page_of("#/components/schemas/ArtisanSummary"),
                "ImpactReport": IMPACT_REPORT,
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "title", "message"],
                            "properties": {
                                "code": {"type": "integer"},
                                "title": {"type": "string"},
                                "message": {"type": "string"},
                            },
                        }
                    },
                },
            },
            "responses": {"Error": _json("#/components/schemas/Error", "An error")},
        },
    }
