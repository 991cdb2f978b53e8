"""Markdown for stories and descriptions: rendered with markdown-it, sanitised with nh3."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# Raw HTML in the source is escaped by markdown-it; nh3 is a second, independent defence.
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_MARKDOWN.enable(["table", "strikethrough"])
_MARKDOWN.disable(["image"])  # photos are uploaded, never hot-linked from a story

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "h2",
    "h3",
    "h4",
    "hr",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "del",
    "s",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}


def _shift_headings(html: str) -> str:
    # The page title is the only h1; a story's "# Title" becomes h2, deeper levels stop at h4.
    def shift(match: re.Match) -> str:
        level = min(int(match.group(2)) + 1, 4)
        return f"<{match.group(1)}h{level}>"

    return re.sub(r"<(/?)h([1-6])>", shift, html)


def render_markdown(text: str | None) -> Markup:
    """Render untrusted markdown to safe HTML (links get rel=nofollow noopener noreferrer)."""
    if not text:
        return Markup("")
    rendered = _shift_headings(_MARKDOWN.render(text.replace("\x00", "")))
    clean = nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )
    return Markup(clean)  # noqa: S704  (nh3 output is sanitised HTML)


def safe_external_url(url: str | None) -> str | None:
    """Return url when it is an absolute http(s) address with a host, else None."""
    if not url:
        return None
    url = url.strip()
    if not url or any(ord(c) < 33 for c in url) or "\\" in url:
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return None
    return url


def plain_excerpt(text: str | None, length: int = 160) -> str:
    """Plain text from markdown, cut at a word boundary with an ellipsis."""
    plain = " ".join(html.unescape(nh3.clean(str(render_markdown(text)), tags=set())).split())
    if len(plain) <= length:
        return plain
    cut = plain[: length - 1].rsplit(" ", 1)[0].rstrip(",.;:")
    return cut + "…"
