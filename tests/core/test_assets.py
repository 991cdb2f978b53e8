"""Static files are fingerprinted (?v=content hash) and such URLs are cached for a year."""

from __future__ import annotations

import os
import re

from shop.core.assets import fingerprint


def test_static_urls_carry_a_content_hash_and_are_cached_for_a_year(client, db):
    html = client.get("/").get_data(as_text=True)
    links = re.findall(r'(?:href|src)="(/(?:static|bootstrap)/[^"]+)"', html)
    assert any("css/app.css?v=" in link for link in links)
    assert links and all("?v=" in link for link in links), links
    for link in links:
        response = client.get(link.replace("&amp;", "&"))
        assert response.status_code == 200, link
        assert "max-age=31536000" in response.headers["Cache-Control"], link
    plain = client.get("/static/css/app.css")
    assert "max-age=31536000" not in plain.headers.get("Cache-Control", "")


def test_the_fingerprint_follows_the_content(app, tmp_path):
    (tmp_path / "a.css").write_text("a { color: red }")
    first = fingerprint(str(tmp_path), "a.css")
    (tmp_path / "a.css").write_text("a { color: blue }")
    os.utime(tmp_path / "a.css", (1, 1))
    assert fingerprint(str(tmp_path), "a.css") != first
    assert fingerprint(str(tmp_path), "missing.css") is None
