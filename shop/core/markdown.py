"""Markdown for stories and descriptions: rendered with markdown-it, sanitised with nh3."""

from __future__ import annotations

import html
from collections.abc import Sequence
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup

ALLOWED_TAGS = frozenset(
    {
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
)
ALLOWED_ATTRIBUTES = {"a": frozenset({"href", "title"})}
ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener noreferrer"


def _shift_headings(state: StateCore) -> None:
    # The page title is the only h1: "# Title" becomes h2 and deeper levels follow, capped at h4.
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 4)}"


def _image_as_link(
    self: RendererHTML,
    tokens: Sequence[Token],
    idx: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    # Photos are uploaded separately, never hot-linked: show the alt text, linked when possible.
    token = tokens[idx]
    alt = html.escape(self.renderInlineAsText(token.children or [], options, env))
    depth = sum(
        1 if t.type == "link_open" else -1 if t.type == "link_close" else 0 for t in tokens[:idx]
    )
    if depth > 0:  # already inside a link: a nested <a> would be invalid HTML
        return alt
    href = html.escape(str(token.attrGet("src") or ""))
    title = token.attrGet("title")
    title_attr = f' title="{html.escape(str(title))}"' if title else ""
    return f'<a href="{href}"{title_attr}>{alt}</a>'


# html=False makes markdown-it escape raw HTML; linkify is off (it needs linkify-it-py) and so is
# the typographer (English curly quotes would be wrong for Spanish «» texts).
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_MARKDOWN.enable(["table", "strikethrough"])
_MARKDOWN.core.ruler.push("shift_headings", _shift_headings)
_MARKDOWN.add_render_rule("image", _image_as_link)

# Second, independent defence: whatever markdown-it emits is re-parsed and allow-listed.
# url_relative="deny" also drops relative and protocol-relative ("//evil.com") hrefs.
_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
    url_schemes=set(ALLOWED_SCHEMES),
    url_relative="deny",
    link_rel=LINK_REL,
    strip_comments=True,
)
_TEXT_ONLY = nh3.Cleaner(tags=set(), attributes={})


def render_markdown(text: str | None) -> Markup:
    """Render untrusted markdown to sanitised HTML safe to put straight into a template."""
    if not text:
        return Markup("")
    rendered = _MARKDOWN.render(text.replace("\x00", ""))
    return Markup(_CLEANER.clean(rendered))  # noqa: S704  (nh3 output is allow-listed HTML)


def safe_external_url(url: str | None) -> str | None:
    """Return the stripped url when it is an absolute http(s) address with a host, else None."""
    if not url:
        return None
    url = url.strip()
    # Inner whitespace, control characters and backslashes are parsed differently by browsers.
    if not url or any(ord(c) < 33 or ord(c) == 127 for c in url) or "\\" in url:
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError on a malformed port)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return None
    # "https://bank.com@evil.com" hides the real host in the userinfo part.
    if parts.username is not None or parts.password is not None:
        return None
    return url


def plain_excerpt(text: str | None, length: int = 160) -> str:
    """Plain (unescaped) text from markdown, at most length chars, cut at a word boundary."""
    if length < 1:
        return ""
    plain = " ".join(html.unescape(_TEXT_ONLY.clean(str(render_markdown(text)))).split())
    if len(plain) <= length:
        return plain
    # Keep room for the ellipsis; drop a half-cut last word unless the cut falls on a space.
    head = plain[: length - 1]
    if plain[length - 1] != " " and " " in head:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,.;:") + "…"
