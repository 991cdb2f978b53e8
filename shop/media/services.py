"""Storing uploads: every photo goes through the same checks and re-encoding.

The request checks and re-encodes the photo and stores its full size; the smaller variants
are a job (inline by default, on a worker with REDIS_URL). Files live in a local folder, or in
S3-compatible object storage when S3_BUCKET is set.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app, url_for

from shop.core.images import LocalStorage, process_image, resize_variants
from shop.core.jobs import enqueue
from shop.core.storage import S3Storage, s3_client
from shop.extensions import db
from shop.media.models import Image


def storage() -> LocalStorage | S3Storage:
    """The configured upload storage (a folder in instance/ by default)."""
    config = current_app.config
    if config.get("S3_BUCKET"):
        settings = tuple(
            config.get(name)
            for name in (
                "S3_BUCKET",
                "S3_ENDPOINT_URL",
                "S3_REGION",
                "S3_ACCESS_KEY_ID",
                "S3_SECRET_ACCESS_KEY",
                "S3_PREFIX",
                "S3_PUBLIC_URL",
                "S3_URL_EXPIRES",
            )
        )
        cached = current_app.extensions.get("taller_s3")
        if cached is None or cached[0] != settings:
            bucket, endpoint, region, key_id, secret, prefix, public, expires = settings
            client = s3_client(endpoint, region, key_id, secret)
            cached = (settings, S3Storage(client, bucket, prefix or "", public, expires))
            current_app.extensions["taller_s3"] = cached
        return cached[1]
    folder = config.get("UPLOAD_DIR") or str(Path(current_app.instance_path) / "uploads")
    return LocalStorage(Path(folder))


def photo_url(image: Image, variant: str = "1200", external: bool = False) -> str:
    """Where a browser gets one variant of a photo: the media route for local files, the
    object storage's public or signed address otherwise (always absolute). `external` makes
    the local address absolute too, for feeds, share cards and structured data."""
    store = storage()
    name = image.filename(variant)
    if isinstance(store, S3Storage):
        return store.url(name)
    return url_for("media.serve", name=name, _external=external)


def make_variants(name: str, ext: str) -> None:
    """Job: store the smaller variants of a stored photo (its full size is `name`)."""
    store = storage()
    key = name.removesuffix(f"-full.{ext}")
    for variant, data in resize_variants(store.open(name), ext).items():
        store.save(f"{key}-{variant}.{ext}", data)


def save_image(data: bytes, owner_id: int | None, alt: str = "") -> Image:
    """Check, re-encode (metadata stripped) and store a photo; raises ImageRejected."""
    processed = process_image(
        data,
        max_bytes=current_app.config["IMAGE_MAX_BYTES"],
        max_pixels=current_app.config["IMAGE_MAX_PIXELS"],
        sizes=(),
    )
    full = processed.filename("full")
    storage().save(full, processed.variants["full"])
    enqueue(make_variants, full, processed.ext, job_id=f"image-{processed.key}")
    image = Image(
        key=processed.key,
        ext=processed.ext,
        width=processed.width,
        height=processed.height,
        owner_id=owner_id,
        alt=alt[:200],
    )
    db.session.add(image)
    db.session.flush()
    return image
