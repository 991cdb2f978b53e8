"""Whole-page cache for anonymous visitors, with versioned keys shared by every worker.

A cached page is keyed by path, query string and language under the current *version*. Any
committed write to a table that public pages show (listings, their stock and seats, artisans,
categories, settings, photos, reviews) bumps the version, so the next request renders afresh:
nothing is ever deleted, old keys just stop being read and expire.

- Entries live in Redis when REDIS_URL is set, else in a small in-process LRU.
- The version lives in Redis when REDIS_URL is set (INCR after the commit), else in the
  settings table, key `page_cache_version` (bumped inside the writing transaction).
- Never cached: logged-in visitors, a pending flash, a guest cart, non-GET requests, responses
  other than 200 and responses that set a cookie. The CSRF token of the visitor who filled the
  cache is stored as a placeholder and each visitor gets their own on a hit.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps

import redis
from flask import Flask, Response, current_app, g, has_app_context, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import bindparam, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool

from shop.core import settings
from shop.core.time import UTCDateTime, utcnow

VERSION_KEY = "page_cache_version"
REDIS_VERSION_KEY = "taller:page-cache:version"
CSRF_PLACEHOLDER = "__TALLER_CSRF_TOKEN__"
# Tables whose rows public pages show; a committed write to any of them bumps the version.
WATCHED_TABLES = frozenset(
    {
        "products",
        "product_photos",
        "product_goals",
        "categories",
        "images",
        "classes",
        "class_sessions",
        "class_photos",
        "class_goals",
        "artisans",
        "artisan_goals",
        "reviews",
        "settings",
    }
)
_WRITE_RE = re.compile(
    r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE
)
_DIRTY = "page_cache_dirty"
_BUMP = "page_cache_bump"
_BUMP_SQL = text(
    "INSERT INTO settings (key, value, updated_at) VALUES (:key, '1', :now) "
    "ON CONFLICT (key) DO UPDATE SET "
    "value = CAST(CAST(settings.value AS INTEGER) + 1 AS VARCHAR(20)), updated_at = :now"
).bindparams(bindparam("now", type_=UTCDateTime()))


class LocalStore:
    """A thread-safe LRU of page entries with an expiry time (one per worker process)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if item[0] < time.monotonic():
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return item[1]

    def set(self, key: str, value: bytes, ttl: int) -> None:
        with self._lock:
            self._items[key] = (time.monotonic() + ttl, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class PageCache:
    """Entries and version for one app: Redis when configured, else LRU + settings row."""

    def __init__(self, app: Flask) -> None:
        url = app.config.get("REDIS_URL")
        self.redis = redis.Redis.from_url(url) if url else None
        self.local = LocalStore(app.config.get("PAGE_CACHE_SIZE", 512))
        self.ttl = int(app.config.get("PAGE_CACHE_TTL", 60))
        self.prefix = f"taller:page:{app.config.get('PAGE_CACHE_PREFIX', '')}"

    def version(self) -> str:
        """The current version, read fresh on every request (one query or one GET)."""
        if self.redis is not None:
            value = self.redis.get(REDIS_VERSION_KEY)
            return value.decode() if value else "0"
        # Read with every setting in one statement: the page rendered next (its footer shows
        # the contact e-mail) needs no query of its own and matches the version it is kept under.
        return settings.stored(VERSION_KEY) or "0"

    def get(self, key: str) -> bytes | None:
        if self.redis is not None:
            return self.redis.get(self.prefix + key)
        return self.local.get(key)

    def set(self, key: str, value: bytes) -> None:
        if self.redis is not None:
            self.redis.set(self.prefix + key, value, ex=self.ttl)
        else:
            self.local.set(key, value, self.ttl)

    def clear(self) -> None:
        """Forget every entry (tests; a deploy does not need it: the version moves on)."""
        self.local.clear()
        if self.redis is not None:
            for key in self.redis.scan_iter(self.prefix + "*"):
                self.redis.delete(key)

    def bump_after_commit(self) -> None:
        if self.redis is not None:
            self.redis.incr(REDIS_VERSION_KEY)


def init_app(app: Flask) -> None:
    """Attach the cache to the app (entries and version store chosen from the config)."""
    app.config.setdefault("PAGE_CACHE_ENABLED", False)
    app.extensions["page_cache"] = PageCache(app)


def get_cache() -> PageCache:
    return current_app.extensions["page_cache"]


def _enabled() -> bool:
    return has_app_context() and bool(current_app.config.get("PAGE_CACHE_ENABLED"))


@event.listens_for(Engine, "before_cursor_execute")
def _note_public_write(conn, cursor, statement, parameters, context, executemany) -> None:
    """Mark the connection when a statement writes to a table public pages show."""
    match = _WRITE_RE.match(statement)
    if match and match.group(1).lower() in WATCHED_TABLES:
        conn.info[_DIRTY] = True


@event.listens_for(Session, "before_commit")
def _bump_in_transaction(session: Session) -> None:
    """Move the version inside the writing transaction (DB store) or note it for after."""
    if not _enabled():
        return
    if not session.connection().info.pop(_DIRTY, False):
        return
    cache = get_cache()
    if cache.redis is None:
        session.execute(_BUMP_SQL, {"key": VERSION_KEY, "now": utcnow()})
    else:
        session.info[_BUMP] = True


@event.listens_for(Session, "after_commit")
def _bump_after_commit(session: Session) -> None:
    if session.info.pop(_BUMP, False) and _enabled():
        get_cache().bump_after_commit()


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_BUMP, None)


@event.listens_for(Engine, "rollback")
def _forget_dirty(conn) -> None:
    conn.info.pop(_DIRTY, None)


@event.listens_for(Pool, "reset")
def _forget_dirty_on_return(dbapi_connection, record, reset_state) -> None:
    """A connection handed back without a commit (its writes rolled back) is clean again."""
    record.info.pop(_DIRTY, None)


def _cacheable_request() -> bool:
    if request.method != "GET" or not _enabled():
        return False
    if "_flashes" in session or session.get("cart"):
        return False
    return not current_user.is_authenticated


def _key(version: str) -> str:
    digest = hashlib.sha256(request.full_path.encode()).hexdigest()[:32]
    return f"{version}:{get_locale()}:{digest}"


def _pack(response: Response, body: bytes) -> bytes:
    headers = [
        [name, value]
        for name, value in response.headers.items()
        if name.lower() not in {"content-length", "set-cookie"}
    ]
    return json.dumps({"headers": headers}).encode() + b"\n" + body


def _unpack(entry: bytes) -> Response:
    head, _, body = entry.partition(b"\n")
    if CSRF_PLACEHOLDER.encode() in body:
        body = body.replace(CSRF_PLACEHOLDER.encode(), generate_csrf().encode())
    response = Response(body, status=200)
    response.headers.clear()
    for name, value in json.loads(head)["headers"]:
        response.headers.add(name, value)
    response.headers["X-Page-Cache"] = "hit"
    return response


def cached_page(view: Callable) -> Callable:
    """Serve anonymous GETs of a public page from the cache (see the module docstring)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not _cacheable_request():
            return view(*args, **kwargs)
        cache = get_cache()
        key = _key(cache.version())
        entry = cache.get(key)
        if entry is not None:
            return _unpack(entry)
        response = make_response(view(*args, **kwargs))
        if response.status_code != 200 or "Set-Cookie" in response.headers:
            return response
        if response.direct_passthrough or response.is_streamed:
            return response
        body = response.get_data()
        field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        token = g.get(field)
        stored = body.replace(token.encode(), CSRF_PLACEHOLDER.encode()) if token else body
        cache.set(key, _pack(response, stored))
        response.headers["X-Page-Cache"] = "miss"
        return response

    return wrapped
