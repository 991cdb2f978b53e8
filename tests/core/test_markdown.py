"""Markdown rendering: an XSS corpus against an independent HTML audit, plus the happy paths.

The audit parses the output with html.parser and checks markup (tags, attribute names and
entity-decoded attribute values), never text nodes: an escaped payload such as
``[x](javascript:alert(1))`` is meant to stay visible as inert text.
"""

from __future__ import annotations

import html
import re
import time
import unicodedata
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

import pytest
from jinja2 import Environment
from markdown_it import MarkdownIt
from markupsafe import Markup

from shop.core import markdown
from shop.core.markdown import plain_excerpt, render_markdown, safe_external_url

# Written out again on purpose: a test importing the module's own lists could not catch a loosening.
ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote", "code", "pre",
    "h2", "h3", "h4", "hr", "a", "table", "thead", "tbody", "tr", "th", "td", "del", "s",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "rel"}}
REL = "nofollow noopener noreferrer"
SAFE_HREF_PREFIXES = ("http://", "https://", "mailto:")
FORBIDDEN_OPENERS = (
    "<script", "<iframe", "<object", "<embed", "<svg", "<img", "<style", "<form", "<meta",
    "<base", "<link", "<math", "<noscript", "<textarea", "<input", "<button", "<details",
    "<body", "<div", "<!--", "<![cdata", "<?",
)  # fmt: skip
FORBIDDEN_IN_MARKUP = ("javascript:", "vbscript:", "livescript:", "data:", "srcdoc", "style")
EVENT_HANDLER = re.compile(r"(?:^|[\s/\"'])on\w+\s*=")
BIG = 2000


class _Audit(HTMLParser):
    """Collect every tag, attribute and markup construct seen in an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]], str]] = []
        self.oddities: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs, self.get_starttag_text() or ""))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        self.tags.append((f"/{tag}", [], ""))

    def handle_comment(self, data: str) -> None:
        self.oddities.append(f"comment {data!r}")

    def handle_decl(self, decl: str) -> None:
        self.oddities.append(f"declaration {decl!r}")

    def handle_pi(self, data: str) -> None:
        self.oddities.append(f"processing instruction {data!r}")

    def unknown_decl(self, data: str) -> None:
        self.oddities.append(f"unknown declaration {data!r}")


def _normalise(value: str) -> str:
    """What a lenient browser might see: decoded again, invisible characters dropped, lowercase."""
    decoded = html.unescape(value)
    return "".join(
        c for c in decoded if not c.isspace() and unicodedata.category(c) not in {"Cc", "Cf"}
    ).lower()


def assert_safe(output: object) -> None:
    """Fail unless output is Markup whose every tag, attribute and URL is on the allow-list."""
    assert isinstance(output, Markup), type(output)
    raw = str(output)
    lowered = raw.lower()
    for opener in FORBIDDEN_OPENERS:
        assert opener not in lowered, f"{opener!r} in {raw[:300]!r}"
    assert "\x00" not in raw

    audit = _Audit()
    audit.feed(raw)
    audit.close()
    assert not audit.oddities, audit.oddities
    # Text escapes every "<", so each one must open a tag the parser saw: nothing left unterminated.
    assert raw.count("<") == len(audit.tags), f"stray or unterminated tag in {raw[:300]!r}"
    markup: list[str] = []
    for tag, attrs, _text in audit.tags:
        name = tag.lstrip("/")
        assert name in ALLOWED_TAGS, f"tag <{tag}> in {raw[:300]!r}"
        seen = [attr for attr, _ in attrs]
        assert len(seen) == len(set(seen)), f"duplicate attributes on <{tag}>: {seen}"
        for attr, value in attrs:
            assert attr in ALLOWED_ATTRIBUTES.get(name, set()), f"{attr}= on <{tag}>"
            assert not attr.startswith("on"), f"event handler {attr}= on <{tag}>"
            norm = _normalise(value or "")
            markup.extend((attr, norm, unquote(norm)))
            if attr == "href":
                assert (value or "").lower().startswith(SAFE_HREF_PREFIXES), value
                assert norm.startswith(SAFE_HREF_PREFIXES), value
                if not norm.startswith("mailto:"):
                    assert urlsplit(norm).hostname, f"href without host: {value!r}"
            if attr == "rel":
                assert value == REL, value
        if name == "a" and not tag.startswith("/"):
            assert dict(attrs).get("rel") == REL, f"link without rel: {attrs}"
        markup.append(name)
    # Substring checks on the entity-decoded markup only (text nodes are inert by construction).
    flat = " ".join(markup)
    for needle in FORBIDDEN_IN_MARKUP:
        assert needle not in flat, f"{needle!r} in markup of {raw[:300]!r}"
    for _tag, _attrs, text in audit.tags:
        skeleton = re.sub(r"=\s*(\"[^\"]*\"|'[^']*'|[^\s>]*)", "=", text)  # drop quoted values
        assert not EVENT_HANDLER.search(skeleton.lower()), text


XSS_PAYLOADS = {
    # Raw HTML: markdown-it must escape it, nh3 would strip it anyway.
    "script": "<script>alert(1)</script>",
    "script-upper-src": "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "img-onerror": "<img src=x onerror=alert(1)>",
    "svg-onload": "<svg onload=alert(1)>",
    "svg-script": "<svg><script>alert(1)</script></svg>",
    "iframe-js": '<iframe src="javascript:alert(1)"></iframe>',
    "iframe-srcdoc": '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "object-data": '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">',
    "embed": '<embed src="javascript:alert(1)">',
    "a-js": '<a href="javascript:alert(1)">x</a>',
    "a-entity-decimal": '<a href="&#106;avascript:alert(1)">x</a>',
    "a-entity-tab": '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "a-mixed-case": '<a href="JaVaScRiPt:alert(1)">x</a>',
    "a-newline": '<a href="java\nscript:alert(1)">x</a>',
    "a-vbscript": '<a href="vbscript:msgbox(1)">x</a>',
    "a-data-html": '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "a-target-onclick": '<a href="https://ok.example" target="_blank" onclick="alert(1)">x</a>',
    "style-attr": '<p style="background:url(javascript:alert(1))">x</p>',
    "style-tag": "<style>@import 'javascript:alert(1)';</style>",
    "form": '<form action="javascript:alert(1)"><button>x</button></form>',
    "meta-refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "base": '<base href="javascript:alert(1)//">',
    "link": '<link rel="stylesheet" href="javascript:alert(1)">',
    "div-onmouseover": '<div onmouseover="alert(1)">hover</div>',
    "body-onload": "<body onload=alert(1)>",
    "details-ontoggle": "<details open ontoggle=alert(1)>",
    "mxss-noscript": '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "mxss-math": "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "nested-script": "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "unclosed-img": "<img src=x onerror=alert(1)",
    "unclosed-a": '<a href="javascript:alert(1)"',
    "comment-breakout": "<!--><script>alert(1)</script>-->",
    "cdata": "<![CDATA[<script>alert(1)</script>]]>",
    "double-angle": "<<script>script>alert(1)<</script>/script>",
    "input-autofocus": "<input autofocus onfocus=alert(1)>",
    "video-source": "<video><source onerror=alert(1)></video>",
    "zero-width-in-attr": '<a href="\u200bjavascript:alert(1)">x</a>',
    "markdown-inside-html": '<a href="javascript:alert(1)">**bold** [x](javascript:alert(1))</a>',
    "html-block-markdown": "<div>\n\n[x](javascript:alert(1))\n\n</div>",
    # Markdown link syntax.
    "md-link-js": "[x](javascript:alert(1))",
    "md-link-upper": "[x](JAVASCRIPT:alert(1))",
    "md-link-entity-colon": "[x](javascript&#58;alert(1))",
    "md-link-entity-j": "[x](&#x6A;avascript:alert(1))",
    "md-link-entity-tab": "[x](jav&#x09;ascript:alert(1))",
    "md-link-percent": "[x](%6Aavascript:alert(1))",
    "md-link-angle": "[x](<javascript:alert(1)>)",
    "md-link-backslash-colon": "[x](javascript\\:alert(1))",
    "md-link-leading-backslash": "[x](\\javascript:alert(1))",
    "md-link-leading-spaces": "[x](  javascript:alert(1))",
    "md-link-vbscript": "[x](vbscript:msgbox(1))",
    "md-link-data-html": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "md-link-data-image": "[x](data:image/png;base64,iVBORw0KGgo=)",
    "md-link-protocol-relative": "[x](//evil.example/steal)",
    "md-link-js-comment": "[x](javascript:alert(1)//https://ok.example)",
    "md-link-title-breakout": '[x](https://ok.example "t\\" onmouseover=\\"alert(1)")',
    "md-link-quote-breakout": '[x](https://ok.example" onclick="alert(1))',
    "md-link-attr-after-title": '[x](https://ok.example "title" onclick="alert(1)")',
    "md-emphasis-html": "**bold <img src=x onerror=alert(1)>**",
    "md-escaped-brackets": "\\<script\\>alert(1)\\</script\\>",
    "md-link-html-text": "[<img src=x onerror=alert(1)>](https://ok.example)",
    "md-reference": "[x][1]\n\n[1]: javascript:alert(1)",
    "md-reference-angle": '[x][r]\n\n[r]: <javascript:alert(1)> "t"',
    "md-reference-data": "[x]\n\n[x]: data:text/html,<script>alert(1)</script>",
    "autolink-js": "<javascript:alert(1)>",
    "autolink-upper": "<JAVASCRIPT:alert(1)>",
    "autolink-data": "<data:text/html,<script>alert(1)</script>>",
    "autolink-vbscript": "<vbscript:msgbox(1)>",
    # Image syntax (no <img> is ever produced).
    "md-image-js": "![x](javascript:alert(1))",
    "md-image-data": "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "md-image-alt-breakout": '![x" onerror="alert(1)](https://ok.example/y.png)',
    "md-image-title-breakout": '![x](https://ok.example/y.png "a\\" onerror=\\"alert(1)")',
    "md-image-handler-title": '![x](https://ok.example/x.png "onerror=alert(1)")',
    "md-image-in-link": "[![x](javascript:alert(1))](javascript:alert(1))",
    # Entities, code and tables.
    "entities-named": "&lt;script&gt;alert(1)&lt;/script&gt;",
    "entities-numeric": "&#60;script&#62;alert(1)&#60;/script&#62;",
    "code-span": "`<script>alert(1)</script>`",
    "fence-info-breakout": '```"><script>alert(1)</script>\nx\n```',
    "table-cell-html": "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
    "table-align-style": "| a | b |\n|:--|--:|\n| [x](javascript:alert(1)) | y |",
    # Unicode, null bytes and size.
    "zero-width-scheme": "[x](java\u200bscript:alert(1))",
    "bom-scheme": "[x](\ufeffjavascript:alert(1))",
    "rtl-override": "[x](\u202ejavascript:alert(1))",
    "fullwidth-scheme": "[x](\uff4a\uff41\uff56\uff41\uff53\uff43\uff52\uff49\uff50\uff54:x)",
    "null-in-tag": "<scr\x00ipt>alert(1)</script>",
    "null-in-scheme": "[x](java\x00script:alert(1))",
    "null-in-attr": '<a href="java\x00script:alert(1)">x</a>',
    "long-scripts": "<script>alert(1)</script>\n" * BIG,
    "long-links": "[x](javascript:alert(1)) <img src=x onerror=alert(1)> " * BIG,
    "deep-brackets": "[" * BIG + "x" + "](javascript:alert(1))",
    "deep-bold-tags": "<b>" * BIG + "<script>alert(1)</script>",
    "deep-quotes": ">" * BIG + " <script>alert(1)</script>",
}


@pytest.mark.parametrize("payload", XSS_PAYLOADS.values(), ids=XSS_PAYLOADS.keys())
def test_xss_payload_is_neutralised(payload: str) -> None:
    assert_safe(render_markdown(payload))


def test_xss_corpus_is_big_enough() -> None:
    assert len(XSS_PAYLOADS) >= 40


UNSAFE_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


@pytest.mark.parametrize("payload", XSS_PAYLOADS.values(), ids=XSS_PAYLOADS.keys())
def test_sanitiser_alone_neutralises_payload(payload: str) -> None:
    # nh3 is an independent layer: even HTML that markdown-it let through raw comes out safe.
    cleaned = markdown._CLEANER.clean(UNSAFE_MARKDOWN.render(payload))
    assert_safe(Markup(cleaned))  # noqa: S704  (output of the sanitiser under test)


def test_corpus_catches_an_unsanitised_renderer() -> None:
    # The corpus must have teeth: raw markdown-it with HTML on and no nh3 fails most payloads.
    caught = 0
    for payload in XSS_PAYLOADS.values():
        try:
            assert_safe(Markup(UNSAFE_MARKDOWN.render(payload)))  # noqa: S704  (deliberately unsafe)
        except AssertionError:
            caught += 1
    assert caught >= 40


@pytest.mark.parametrize(
    "bad",
    [
        "<script>alert(1)</script>",
        "<p onclick=alert(1)>x</p>",
        '<p title="x" onmouseover="y">x</p>',
        '<p style="color:red">x</p>',
        '<p class="x">x</p>',
        "<h1>x</h1>",
        "<img src=x>",
        "<!-- hidden -->",
        '<p>x</p><a href="javascript:alert(1)"',
        f'<a href="javascript:alert(1)" rel="{REL}">x</a>',
        f'<a href="jav&#x09;ascript:alert(1)" rel="{REL}">x</a>',
        f'<a href="&#106;avascript:alert(1)" rel="{REL}">x</a>',
        f'<a href="JaVaScRiPt:alert(1)" rel="{REL}">x</a>',
        f'<a href="java\nscript:alert(1)" rel="{REL}">x</a>',
        f'<a href="data:text/html,x" rel="{REL}">x</a>',
        f'<a href="//evil.example" rel="{REL}">x</a>',
        f'<a href="/relative" rel="{REL}">x</a>',
        f'<a href="https://ok.example" rel="{REL}" target="_blank">x</a>',
        '<a href="https://ok.example" rel="noopener">x</a>',
        '<a href="https://ok.example">x</a>',
    ],
)
def test_audit_rejects_unsafe_html(bad: str) -> None:
    with pytest.raises(AssertionError):
        assert_safe(Markup(bad))  # noqa: S704  (deliberately unsafe)


def test_audit_accepts_safe_html() -> None:
    good = f'<p><a href="https://ok.example" title="t" rel="{REL}">x</a></p>'
    assert_safe(Markup(good))  # noqa: S704  (a literal under test)


def test_audit_rejects_plain_strings() -> None:
    with pytest.raises(AssertionError):
        assert_safe("<p>x</p>")


def test_long_input_costs_in_proportion_to_its_length() -> None:
    """Four times the text costs about four times as much (a quadratic blow-up would cost
    sixteen). A ratio measured in the same process, never a time limit: a busy machine slows
    both sizes alike."""
    block = "Hola *mundo* [x](https://ok.example) <b>y</b>\n\n"

    def cost(repeats: int) -> float:
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            render_markdown(block * repeats)
            runs.append(time.perf_counter() - start)
        return min(runs)

    assert cost(2000) / cost(500) < 8


# Happy paths.


@pytest.mark.parametrize("empty", [None, "", "   ", "\n\n"])
def test_empty_input_gives_empty_markup(empty: str | None) -> None:
    out = render_markdown(empty)
    assert isinstance(out, Markup)
    assert out == ""


def test_output_is_markup_and_not_escaped_again_by_jinja() -> None:
    out = render_markdown("**tejido**")
    assert isinstance(out, Markup)
    rendered = Environment(autoescape=True).from_string("{{ story }}").render(story=out)
    assert rendered == "<p><strong>tejido</strong></p>\n"


def test_paragraphs() -> None:
    assert render_markdown("Primera.\n\nSegunda.") == "<p>Primera.</p>\n<p>Segunda.</p>\n"


def test_emphasis_and_strikethrough() -> None:
    out = render_markdown("*a* **b** _c_ __d__ ~~e~~")
    assert out == "<p><em>a</em> <strong>b</strong> <em>c</em> <strong>d</strong> <s>e</s></p>\n"


def test_lists() -> None:
    out = render_markdown("- lana\n- barro\n\n1. uno\n2. dos")
    assert "<ul>\n<li>lana</li>\n<li>barro</li>\n</ul>" in out
    assert "<ol>\n<li>uno</li>\n<li>dos</li>\n</ol>" in out
    assert_safe(out)


def test_headings_shift_down_one_level_and_stop_at_h4() -> None:
    out = render_markdown("# Uno\n\n## Dos\n\n### Tres\n\n#### Cuatro\n\n###### Seis")
    assert out == "<h2>Uno</h2>\n<h3>Dos</h3>\n<h4>Tres</h4>\n<h4>Cuatro</h4>\n<h4>Seis</h4>\n"


def test_blockquote_rule_and_line_break() -> None:
    out = render_markdown("> Dicho de mi abuela  \n> segunda línea\n\n---")
    assert out == (
        "<blockquote>\n<p>Dicho de mi abuela<br>\nsegunda línea</p>\n</blockquote>\n<hr>\n"
    )


def test_code_is_escaped_and_loses_language_class() -> None:
    out = render_markdown("```html\n<b>x</b> & y\n```\n\n`a<b`")
    assert out == (
        "<pre><code>&lt;b&gt;x&lt;/b&gt; &amp; y\n</code></pre>\n<p><code>a&lt;b</code></p>\n"
    )


def test_table_keeps_structure_but_not_alignment_style() -> None:
    out = render_markdown("| Pieza | Precio |\n|:--|--:|\n| Jarra | 20 |")
    for tag in ("<table>", "<thead>", "<tbody>", "<tr>", "<th>Pieza</th>", "<td>20</td>"):
        assert tag in out
    assert "style" not in out
    assert_safe(out)


def test_https_link_keeps_href_and_gets_exact_rel() -> None:
    out = render_markdown("[mi taller](https://example.org/taller?a=1&b=2)")
    assert out == (
        '<p><a href="https://example.org/taller?a=1&amp;b=2" '
        'rel="nofollow noopener noreferrer">mi taller</a></p>\n'
    )
    assert "target" not in out


def test_raw_target_blank_cannot_be_smuggled() -> None:
    out = render_markdown('<a href="https://example.org" target="_blank">x</a>')
    audit = _Audit()
    audit.feed(str(out))
    assert [tag for tag, _, _ in audit.tags] == ["p", "/p"]


@pytest.mark.parametrize(
    ("source", "href"),
    [
        ("[a](http://example.org)", "http://example.org"),
        ('[a](https://example.org "Título")', "https://example.org"),
        ("<https://example.org/x>", "https://example.org/x"),
        ("[a](mailto:hola@example.org)", "mailto:hola@example.org"),
        ("<hola@example.org>", "mailto:hola@example.org"),
        ("[a][ref]\n\n[ref]: https://example.org/r", "https://example.org/r"),
    ],
)
def test_allowed_links(source: str, href: str) -> None:
    out = render_markdown(source)
    assert f'href="{href}"' in out
    assert f'rel="{REL}"' in out
    assert_safe(out)


def test_link_title_is_kept() -> None:
    assert 'title="Título"' in render_markdown('[a](https://example.org "Título")')


@pytest.mark.parametrize("href", ["/productos/1", "../x", "#arriba", "//evil.example/x"])
def test_relative_links_lose_their_href(href: str) -> None:
    out = render_markdown(f"[a]({href})")
    assert out == f'<p><a rel="{REL}">a</a></p>\n'


def test_image_becomes_a_link_with_its_alt_text() -> None:
    out = render_markdown('![mi jarra](https://example.org/jarra.jpg "Jarra")')
    assert out == (
        '<p><a href="https://example.org/jarra.jpg" title="Jarra" '
        'rel="nofollow noopener noreferrer">mi jarra</a></p>\n'
    )


def test_image_inside_link_does_not_nest_anchors() -> None:
    out = render_markdown("[![foto](https://example.org/a.jpg)](https://example.org/b)")
    assert out == f'<p><a href="https://example.org/b" rel="{REL}">foto</a></p>\n'


def test_special_characters_are_escaped_not_lost() -> None:
    out = render_markdown('Precio < 20 & más > 10 "barato" <3 AT&T')
    assert out == '<p>Precio &lt; 20 &amp; más &gt; 10 "barato" &lt;3 AT&amp;T</p>\n'


def test_raw_html_is_shown_as_text() -> None:
    out = render_markdown("Uso <b>negrita</b> así")
    assert out == "<p>Uso &lt;b&gt;negrita&lt;/b&gt; así</p>\n"


def test_spanish_accents_and_emoji_survive() -> None:
    text = "¡Artesanía de Oaxaca! Ñandutí, corazón, pingüino — «hecho a mano» 🧶🇲🇽👩🏽‍🎨"
    assert render_markdown(text) == f"<p>{text}</p>\n"


def test_null_bytes_are_removed() -> None:
    assert render_markdown("ho\x00la") == "<p>hola</p>\n"


# safe_external_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org", "https://example.org"),
        ("http://example.org/historia?id=3#inicio", "http://example.org/historia?id=3#inicio"),
        ("  https://example.org/x \n", "https://example.org/x"),
        ("HTTPS://Example.org/", "HTTPS://Example.org/"),
        ("https://artesanía.example/tienda", "https://artesanía.example/tienda"),
        ("https://example.org:8443/x", "https://example.org:8443/x"),
    ],
)
def test_safe_external_url_accepts_absolute_http(url: str, expected: str) -> None:
    assert safe_external_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "   ",
        "\t\n",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\nscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "/historia",
        "historia.html",
        "example.org",
        "//evil.example",
        "http://",
        "https://",
        "http:///path",
        "https:evil.example",
        "http:\\\\evil.example",
        "https://evil.example\\.example.org/",
        "https://exa mple.org",
        "https://example.org/\x00",
        "https://bank.example@evil.example",
        "https://user:pw@evil.example",
        "https://example.org:notaport/",
        "https://[::1",
        "ftp://example.org/file",
        "mailto:hola@example.org",
    ],
)
def test_safe_external_url_rejects(url: str | None) -> None:
    assert safe_external_url(url) is None


# plain_excerpt


def test_plain_excerpt_strips_markup() -> None:
    text = "# Título\n\nUn **tapiz** de _lana_ y [barro](https://example.org).\n\n- uno\n- dos"
    assert plain_excerpt(text) == "Título Un tapiz de lana y barro. uno dos"


def test_plain_excerpt_is_plain_text_for_jinja_to_escape() -> None:
    out = plain_excerpt("a < b & <i>c</i>")
    assert out == "a < b & <i>c</i>"
    assert not isinstance(out, Markup)
    assert Environment(autoescape=True).from_string("{{ x }}").render(x=out) == (
        "a &lt; b &amp; &lt;i&gt;c&lt;/i&gt;"
    )


@pytest.mark.parametrize("length", [20, 37, 60, 160])
def test_plain_excerpt_cuts_at_a_word_boundary(length: int) -> None:
    words = "Tejemos mantas de lana de oveja teñidas con cochinilla y añil en Teotitlán " * 5
    full = " ".join(words.split())
    out = plain_excerpt(words.replace("lana", "**lana**"), length=length)
    assert type(out) is str
    assert len(out) <= length
    assert out.endswith("…")
    head = out[:-1]
    assert full.startswith(head)
    assert full[len(head)] == " "  # the cut falls between words
    assert len(head) > length - 15  # and not needlessly early


def test_plain_excerpt_keeps_a_word_ending_right_at_the_limit() -> None:
    assert plain_excerpt("uno dos tres cuatro", length=8) == "uno dos…"
    assert plain_excerpt("uno dos tres cuatro", length=9) == "uno dos…"


def test_plain_excerpt_short_text_is_untouched() -> None:
    assert plain_excerpt("Hola mundo", length=10) == "Hola mundo"


def test_plain_excerpt_cuts_one_long_word_hard() -> None:
    assert plain_excerpt("a" * 50, length=10) == "a" * 9 + "…"


def test_plain_excerpt_default_length_is_160() -> None:
    out = plain_excerpt("palabra " * 100)
    assert len(out) <= 160
    assert len(out) > 150


@pytest.mark.parametrize("empty", [None, "", "   "])
def test_plain_excerpt_empty(empty: str | None) -> None:
    assert plain_excerpt(empty) == ""
