"""Pages and API answers are compressed for browsers that accept it (brotli, else gzip)."""

from __future__ import annotations

import gzip

import brotli

from tests import factories


def test_pages_are_brotli_or_gzip_compressed_and_decode_to_the_page(client, db):
    workshop = factories.artisan()
    for _ in range(5):
        factories.product(title="Taza comprimida", artisan_workshop=workshop)
    db.session.commit()
    plain = client.get("/products").get_data()
    assert b"Taza comprimida" in plain
    br = client.get("/products", headers={"Accept-Encoding": "br, gzip"})
    assert br.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in br.headers["Vary"]
    assert b"Taza comprimida" in brotli.decompress(br.get_data())
    assert len(br.get_data()) < len(plain) / 3
    gz = client.get("/products?sort=price_asc", headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip"
    assert b"Taza comprimida" in gzip.decompress(gz.get_data())
    assert "Content-Encoding" not in client.get("/products").headers
    api = client.get("/api/v1/products", headers={"Accept-Encoding": "br, gzip"})
    assert "Content-Encoding" not in api.headers  # JSON left to the proxy (see config)
