"""Stories are untrusted: the markdown renderer must never emit active content."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from markupsafe import Markup

from shop.core.markdown import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    plain_excerpt,
    render_markdown,
    safe_external_url,
)

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<iframe srcdoc='<script>alert(1)</script>'></iframe>",
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
    "<base href=javascript:alert(1)//>",
    "<link rel=stylesheet href=javascript:alert(1)>",
    "<a href=javascript:alert(1)>x</a>",
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](java\nscript:alert(1))",
    "[x](  javascript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](jav&#x09;ascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "![x](javascript:alert(1))",
    '![x](http://example.com/x.png "onerror=alert(1)")',
    '[x](https://example.com "title" onclick="alert(1)")',
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<p style=\"background:url(javascript:alert(1))\">x</p>",
    "<div onmouseover=alert(1)>hover</div>",
    "**bold <img src=x onerror=alert(1)>**",
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "\\<script\\>alert(1)\\</script\\>",
    "<scr\x00ipt>alert(1)</scr\x00ipt>",
    "<a href=\"\u200bjavascript:alert(1)\">x</a>",
    "[x](\u200bjavascript:alert(1))",
    "<<script>script>alert(1)<</script>/script>",
    "<a href='https://ok.example' onclick='alert(1)'>x</a>",
    "<input autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    ("<b>" * 500) + "<script>alert(1)</script>",
]

FORBIDDEN_TAGS = ("script", "iframe", "object", "embed", "svg", "img", "style", "form", "meta",
                  "base", "link", "input", "video", "math", "details", "noscript", "source")


class TagCollector(HTMLParser):
    """Collects every tag and attribute in rendered HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def assert_inert(output: str) -> None:
    collector = TagCollector()
    collector.feed(output)
    for tag, attrs in collector.tags:
        assert tag in ALLOWED_TAGS, f"tag <{tag}> escaped the allow-list"
        for name, value in attrs:
            allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
            assert name in allowed, f"attribute {name} on <{tag}>"
            if name == "href":
                assert re.match(r"^(https?:|mailto:)", value or ""), f"href {value!r}"
    # Escaped text such as "&lt;img onerror=...&gt;" is harmless; real markup must be clean.
    markup = re.findall(r"<[^>]*>", output.lower())
    for bad in FORBIDDEN_TAGS:
        assert not any(m.startswith(f"<{bad}") for m in markup), bad
    for m in markup:
        assert not re.search(r"\son\w+\s*=", m), f"event handler in {m}"
        assert "style=" not in m and "srcdoc" not in m, m
        assert not re.search(r"(javascript|vbscript|data):", html.unescape(m)), m


@pytest.mark.parametrize("payload", XSS_PAYLOADS, ids=range(len(XSS_PAYLOADS)))
def test_xss_payload_is_inert(payload):
    assert_inert(str(render_markdown(payload)))


def test_corpus_is_large_enough():
    assert len(XSS_PAYLOADS) >= 40


def test_escaped_text_is_kept_not_lost():
    out = str(render_markdown("1 < 2 & <b>bold</b>"))
    assert "1 &lt; 2 &amp;" in out
    assert "&lt;b&gt;bold&lt;/b&gt;" in out


def test_normal_markdown_renders():
    out = str(render_markdown("# Title\n\nSome *soft* and **strong** text.\n\n- one\n- two\n\n"
                              "> quoted\n\n1. first"))
    assert "<h2>Title</h2>" in out  # the page owns the only h1
    assert "<em>soft</em>" in out and "<strong>strong</strong>" in out
    assert "<ul>" in out and "<li>one</li>" in out and "<ol>" in out
    assert "<blockquote>" in out


def test_links_get_rel_and_keep_href():
    out = str(render_markdown("[my story](https://example.org/story?a=1&b=2)"))
    assert 'href="https://example.org/story?a=1&amp;b=2"' in out
    assert 'rel="nofollow noopener noreferrer"' in out
    assert "target=" not in out
    mail = str(render_markdown("[mail](mailto:rosa@example.org)"))
    assert 'href="mailto:rosa@example.org"' in mail


def test_unicode_survives_and_output_is_markup():
    out = render_markdown("Cerámica hecha con cariño 🏺 en Quito")
    assert isinstance(out, Markup)
    assert "Cerámica hecha con cariño 🏺 en Quito" in str(out)
    assert render_markdown("") == Markup("") and render_markdown(None) == Markup("")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/story", "https://example.org/story"),
        ("  http://example.org/x  ", "http://example.org/x"),
        ("javascript:alert(1)", None),
        ("data:text/html,hi", None),
        ("/relative/path", None),
        ("//evil.example.com", None),
        ("http://", None),
        ("ftp://example.org/file", None),
        ("   ", None),
        ("https://exa mple.org", None),
        (None, None),
    ],
)
def test_safe_external_url(url, expected):
    assert safe_external_url(url) == expected


def test_plain_excerpt_strips_tags_and_cuts_at_a_word():
    text = "**Bold** start. " + "palabra " * 60
    excerpt = plain_excerpt(text, length=50)
    assert "<" not in excerpt and "**" not in excerpt
    assert excerpt.endswith("…") and len(excerpt) <= 50
    assert not excerpt[:-1].endswith(" ")
    assert plain_excerpt("1 < 2") == "1 < 2"
