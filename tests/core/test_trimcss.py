"""The trimmed Bootstrap keeps every Bootstrap class our templates use, and is what pages load."""

from __future__ import annotations

import re
from pathlib import Path

from shop.core.trimcss import CLASS_RE, bootstrap_css, trim, used_words

ROOT = Path(__file__).resolve().parents[2]
TRIMMED = ROOT / "static" / "css" / "bootstrap.trimmed.css"


def _classes(css: str) -> set[str]:
    return {name.replace("\\", "") for name in CLASS_RE.findall(css)}


def test_every_bootstrap_class_in_the_templates_is_in_the_trimmed_css(app):
    full = _classes(bootstrap_css().read_text())
    trimmed = _classes(TRIMMED.read_text())
    in_templates = set()
    for path in (ROOT / "templates").rglob("*.html"):
        for attribute in re.findall(r'class="([^"]*)"', path.read_text()):
            in_templates.update(re.findall(r"[A-Za-z][\w-]*", attribute))
    missing = sorted((in_templates & full) - trimmed)
    assert not missing, f"run `flask trim-css`: {missing}"
    assert len(TRIMMED.read_text()) < len(bootstrap_css().read_text()) / 3


def test_trim_keeps_used_rules_media_queries_and_drops_the_rest():
    css = (
        ":root{--x:1}.btn{a:1}.carousel{b:2}.btn,.carousel-item{c:3}"
        "@media (min-width:576px){.btn{d:4}.carousel{e:5}}@keyframes spin{to{f:6}}"
    )
    out = trim(css, {"btn"})
    assert ":root{--x:1}" in out and ".btn{a:1}" in out and ".btn{c:3}" in out
    assert "@media (min-width:576px){.btn{d:4}}" in out and "@keyframes spin{to{f:6}}" in out
    assert "carousel" not in out


def test_pages_load_the_trimmed_stylesheet(client, db):
    html = client.get("/").get_data(as_text=True)
    assert "css/bootstrap.trimmed.css?v=" in html
    assert "bootstrap.min.css" not in html
    assert "navbar" in used_words(ROOT)
