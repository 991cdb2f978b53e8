"""Security helpers: response headers, safe redirects, role decorators."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from flask import Response, abort, current_app, g, request
from flask_login import current_user

from shop.core.storage import photo_origins


def is_safe_next(target: str | None) -> bool:
    """True when target is a path on this site (no scheme, host or backslash tricks)."""
    if not target:
        return False
    target = target.strip()
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and all(ord(c) >= 32 for c in target)


def allow_csp_sources(directive: str, *sources: str) -> None:
    """Widen the Content-Security-Policy for this response only (e.g. Stripe.js)."""
    extra = g.setdefault("csp_extra", {})
    extra.setdefault(directive, []).extend(sources)


def content_security_policy() -> str:
    """The site's CSP: our own files only, no inline script."""
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *photo_origins(current_app.config)],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    for directive, sources in g.get("csp_extra", {}).items():
        current = directives.setdefault(directive, [])
        current[:] = [s for s in current if s != "'none'"] + sources
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def set_security_headers(response: Response) -> Response:
    """Add the security headers to every response, error pages included."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy())
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config.get("SECURITY_HSTS"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if is_private_page():
        headers.setdefault("Cache-Control", "no-store")
    return response


BACK_OFFICE_PREFIX = "/workshop"
# Pages with someone's personal data: never kept by a browser, proxy or shared computer.
PRIVATE_BLUEPRINTS = frozenset({"auth", "orders", "payments", "admin", "workshop"})  # orders: cart,
# checkout, orders, bookings and the artisan's incoming orders; payments: the pay pages
PRIVATE_ENDPOINTS = frozenset(
    {
        "classes.join_waitlist",
        "classes.waitlist_entry",
        "classes.book_waitlist_offer",
        "classes.leave_waitlist",
    }
)


def is_back_office(rule: str) -> bool:
    """Whether a URL rule belongs to the artisan back office (everything under /workshop)."""
    return rule == BACK_OFFICE_PREFIX or rule.startswith(BACK_OFFICE_PREFIX + "/")


def is_private_page() -> bool:
    """Whether this request's page shows personal data (so it must not be cached)."""
    endpoint = request.endpoint or ""
    if request.blueprint in PRIVATE_BLUEPRINTS or endpoint in PRIVATE_ENDPOINTS:
        return True
    rule = request.url_rule.rule if request.url_rule is not None else ""
    # Admin pages served by feature blueprints (e.g. the impact exports) are admin pages too.
    return is_back_office(rule) or rule == "/admin" or rule.startswith("/admin/")


def admin_required(view: Callable) -> Callable:
    """Only administrators pass; others get 403 (anonymous users are sent to log in)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
