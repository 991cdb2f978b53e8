"""A small checker for the JSON-LD our pages emit, against the shapes Google documents for
rich results (developers.google.com/search/docs/appearance/structured-data): required
properties fail, recommended ones are listed, and values are checked where Google says how
(ISO 8601 dates with a zone, schema.org enumeration URLs, plain-number prices, ISO 4217
currencies, absolute URLs, breadcrumb positions 1..n).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

SCHEMA = "https://schema.org/"

# type -> (required, recommended); a tuple inside "required" means "at least one of".
SHAPES: dict[str, tuple[list, list[str]]] = {
    "Product": (
        ["name", ("offers", "review", "aggregateRating")],
        ["image", "description", "sku", "brand", "offers"],
    ),
    "Offer": (
        ["price", "priceCurrency"],
        ["availability", "url", "itemCondition"],
    ),
    "Event": (
        ["name", "startDate", "location"],
        ["description", "endDate", "eventStatus", "image", "offers", "organizer", "performer"],
    ),
    "Place": (["address"], ["name"]),
    "PostalAddress": ([("addressLocality", "addressRegion")], ["addressCountry"]),
    "BreadcrumbList": (["itemListElement"], []),
    "ListItem": (["position", "name"], []),
    "ProfilePage": (["mainEntity"], ["dateCreated", "dateModified"]),
    "Person": (["name"], ["url", "image", "description"]),
    "Brand": (["name"], []),
    "MonetaryAmount": (["value", "currency"], []),
    "OfferShippingDetails": (["shippingRate", "shippingDestination"], []),
    "DefinedRegion": (["addressCountry"], []),
    "AggregateRating": (["ratingValue", ("reviewCount", "ratingCount")], []),
    "Review": (["author", "reviewRating"], []),
    "Rating": (["ratingValue"], []),
}
ENUMS = {
    "availability": {
        "BackOrder",
        "Discontinued",
        "InStock",
        "InStoreOnly",
        "LimitedAvailability",
        "MadeToOrder",
        "OnlineOnly",
        "OutOfStock",
        "PreOrder",
        "PreSale",
        "Reserved",
        "SoldOut",
    },
    "eventStatus": {
        "EventCancelled",
        "EventMovedOnline",
        "EventPostponed",
        "EventRescheduled",
        "EventScheduled",
    },
    "eventAttendanceMode": {
        "OfflineEventAttendanceMode",
        "OnlineEventAttendanceMode",
        "MixedEventAttendanceMode",
    },
    "itemCondition": {"NewCondition", "UsedCondition", "RefurbishedCondition", "DamagedCondition"},
}
DATES = {"startDate", "endDate", "validFrom", "dateCreated", "dateModified"}
URLS = {"url", "item"}
PRICE_RE = re.compile(r"^\d+(\.\d+)?$")


def blocks_in(html: str) -> list[dict]:
    """Every top-level JSON-LD object in a page (a script may hold one object or a list)."""
    found = []
    for raw in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S):
        data = json.loads(raw)
        found.extend(data if isinstance(data, list) else [data])
    return found


def of_type(blocks: list[dict], kind: str) -> list[dict]:
    """The top-level blocks of one @type."""
    return [b for b in blocks if b.get("@type") == kind]


def _absolute(url: Any) -> bool:
    return isinstance(url, str) and re.match(r"^https?://[^/\s]+", url) is not None


def _check_value(name: str, value: Any, where: str) -> list[str]:
    problems = []
    if name in ENUMS:
        short = (
            value[len(SCHEMA) :] if isinstance(value, str) and value.startswith(SCHEMA) else None
        )
        if short not in ENUMS[name]:
            problems.append(f"{where}.{name}: {value!r} is not a schema.org {name} value")
    if name in DATES:
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError:
            problems.append(f"{where}.{name}: {value!r} is not ISO 8601")
        else:
            if parsed.tzinfo is None:
                problems.append(f"{where}.{name}: {value!r} has no time zone")
    if name in URLS and not _absolute(value):
        problems.append(f"{where}.{name}: {value!r} is not an absolute URL")
    if name == "image":
        for url in value if isinstance(value, list) else [value]:
            if not _absolute(url):
                problems.append(f"{where}.image: {url!r} is not an absolute URL")
    if name in ("price", "value") and not PRICE_RE.match(str(value)):
        problems.append(f"{where}.{name}: {value!r} is not a plain number")
    if name in ("priceCurrency", "currency") and not re.fullmatch(r"[A-Z]{3}", str(value)):
        problems.append(f"{where}.{name}: {value!r} is not an ISO 4217 code")
    return problems


def _check_breadcrumbs(items: Any, where: str) -> list[str]:
    if not isinstance(items, list) or len(items) < 2:
        return [f"{where}.itemListElement: Google wants at least two ListItems"]
    problems = []
    for index, item in enumerate(items):
        if item.get("position") != index + 1:
            problems.append(f"{where}.itemListElement[{index}]: position is not {index + 1}")
        if index < len(items) - 1 and "item" not in item:
            problems.append(f"{where}.itemListElement[{index}]: only the last may leave out item")
    return problems


def problems(data: Any, where: str = "$") -> list[str]:
    """What makes this JSON-LD ineligible for its rich result (empty when it is fine)."""
    found: list[str] = []
    if isinstance(data, list):
        for index, item in enumerate(data):
            found += problems(item, f"{where}[{index}]")
        return found
    if not isinstance(data, dict):
        return found
    kind = data.get("@type")
    top_level = "." not in where  # "$" or "$[n]"
    if top_level and data.get("@context") not in ("https://schema.org", "http://schema.org"):
        found.append(f"{where}: @context is not schema.org")
    if kind not in SHAPES:
        found.append(f"{where}: unknown @type {kind!r}")
        return found
    required, _ = SHAPES[kind]
    for need in required:
        options = need if isinstance(need, tuple) else (need,)
        if not any(data.get(option) not in (None, "", []) for option in options):
            found.append(f"{where} ({kind}): missing {' or '.join(options)}")
    if kind == "BreadcrumbList":
        found += _check_breadcrumbs(data.get("itemListElement"), where)
    if (
        kind == "Event"
        and "startDate" in data
        and "endDate" in data
        and datetime.fromisoformat(data["endDate"]) < datetime.fromisoformat(data["startDate"])
    ):
        found.append(f"{where}: endDate before startDate")
    for name, value in data.items():
        if name.startswith("@"):
            continue
        found += _check_value(name, value, where)
        if isinstance(value, (dict, list)):
            found += problems(value, f"{where}.{name}")
    return found


def missing_recommended(data: dict) -> list[str]:
    """Recommended properties left out at the top level (a warning in Google's test)."""
    _, recommended = SHAPES.get(data.get("@type"), ([], []))
    return [name for name in recommended if name not in data]
