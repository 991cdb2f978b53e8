"""Uploads in S3-compatible object storage: a real S3 API (moto's server) on 127.0.0.1."""

from __future__ import annotations

import io
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
import requests
from PIL import Image as PILImage

from shop.catalog import services as catalog
from shop.core.images import NAME_RE
from shop.core.storage import S3Storage, s3_client
from shop.media.services import photo_url, save_image, storage
from tests import factories
from tests.support.images import jpeg_bytes

BUCKET = "taller-photos"
KEYS = {"S3_ACCESS_KEY_ID": "testing-key", "S3_SECRET_ACCESS_KEY": "testing-secret"}


# moto's server in a process of its own, on a port the kernel picks (port 0), reported through
# a file: a probed "free" port could be taken by another xdist worker's server meanwhile.
_MOTO = """
import pathlib, sys
from moto.server import ThreadedMotoServer
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
written = pathlib.Path(sys.argv[1] + ".new")
written.write_text(str(server.get_host_and_port()[1]))
written.rename(sys.argv[1])
server._thread.join()
"""


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory) -> Iterator[str]:
    """moto's S3 server, bound to loopback, for this module."""
    port_file = tmp_path_factory.mktemp("moto") / "port"
    process = subprocess.Popen(
        [sys.executable, "-c", _MOTO, str(port_file)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = None
    # A fresh virtualenv compiles moto's modules on its first requests: slow, but not dead.
    deadline = time.monotonic() + 90
    while True:
        try:
            if url is None:
                url = f"http://127.0.0.1:{int(port_file.read_text())}"
            requests.get(url, timeout=10)
            break
        except (OSError, ValueError):  # no port yet, or not answering yet
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("moto server did not start") from None
            time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def s3_app(app, s3_server) -> Iterator:
    """The test app storing uploads in a fresh bucket (signed URLs unless a test says)."""
    client = s3_client(s3_server, "us-east-1", *KEYS.values())
    client.create_bucket(Bucket=BUCKET)
    app.config.update(
        S3_BUCKET=BUCKET,
        S3_ENDPOINT_URL=s3_server,
        S3_PREFIX="uploads/",
        S3_URL_EXPIRES=600,
        **KEYS,
    )
    app.extensions.pop("taller_s3", None)
    yield app
    app.extensions.pop("taller_s3", None)
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _keys(app) -> list[str]:
    client = storage().client
    return sorted(i["Key"] for i in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_uploads_go_to_the_bucket_with_every_variant(s3_app, db, tmp_path):
    image = save_image(jpeg_bytes(size=(1600, 1200)), None, alt="mug")
    assert _keys(s3_app) == [f"uploads/{image.key}-{v}.jpg" for v in ("1200", "400", "full")]
    assert not (tmp_path / "uploads").exists()  # nothing on the web host's disk
    store = storage()
    assert isinstance(store, S3Storage)
    small = PILImage.open(io.BytesIO(store.open(image.filename("400"))))
    assert max(small.size) == 400 and small.getexif() == {}  # resized, metadata gone
    assert store.names_for(image.key, "jpg") == [image.filename(v) for v in ("1200", "400", "full")]


def test_signed_url_serves_the_photo_and_expires(s3_app, db):
    image = save_image(jpeg_bytes(), None)
    url = photo_url(image, "1200")
    assert url.startswith(f"{s3_app.config['S3_ENDPOINT_URL']}/{BUCKET}/uploads/")
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=600" in url
    assert photo_url(image, "1200") == url  # the same link while it is young: cacheable
    response = requests.get(url, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/jpeg"
    assert "immutable" in response.headers["Cache-Control"]
    assert PILImage.open(io.BytesIO(response.content)).format == "JPEG"


def test_public_url_when_configured(s3_app, db):
    s3_app.config["S3_PUBLIC_URL"] = "https://photos.example.org/"
    image = save_image(jpeg_bytes(), None)
    assert photo_url(image, "400") == f"https://photos.example.org/uploads/{image.key}-400.jpg"


def test_pages_link_photos_in_the_bucket_and_the_csp_allows_it(s3_app, db, client):
    product = factories.product(title="Taza azul")
    catalog.add_photo(product, save_image(jpeg_bytes(), None))
    db.session.commit()
    response = client.get(f"/products/{product.slug}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    endpoint = s3_app.config["S3_ENDPOINT_URL"]
    assert f'src="{endpoint}/{BUCKET}/uploads/' in html
    assert "/media/" not in html
    assert f"img-src 'self' data: {endpoint}" in response.headers["Content-Security-Policy"]


def test_media_route_redirects_to_the_bucket(s3_app, db, client):
    image = save_image(jpeg_bytes(), None)
    db.session.commit()
    response = client.get(f"/media/{image.filename('400')}")
    assert response.status_code == 302
    assert requests.get(response.headers["Location"], timeout=10).status_code == 200


def test_missing_and_deleted_files(s3_app, db):
    image = save_image(jpeg_bytes(), None)
    store = storage()
    name = image.filename("full")
    assert store.exists(name)
    store.delete(name)
    assert not store.exists(name)
    with pytest.raises(FileNotFoundError):
        store.open(name)
    assert not store.exists("../etc/passwd")
    with pytest.raises(ValueError):
        store.save("../../escape.jpg", b"x")
    assert NAME_RE.fullmatch(image.filename("400"))


def test_local_storage_stays_the_default(app, db, client):
    image = save_image(jpeg_bytes(), None)
    db.session.commit()
    with app.test_request_context():
        url = photo_url(image, "400")
    assert url == f"/media/{image.filename('400')}"
    assert client.get(url).status_code == 200
