"""Storing uploads: every photo goes through the same checks and re-encoding."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from shop.core.images import LocalStorage, process_image, store_image
from shop.extensions import db
from shop.media.models import Image


def storage() -> LocalStorage:
    """The configured upload storage (a folder in instance/ by default)."""
    folder = current_app.config.get("UPLOAD_DIR") or str(
        Path(current_app.instance_path) / "uploads"
    )
    return LocalStorage(Path(folder))


def save_image(data: bytes, owner_id: int | None, alt: str = "") -> Image:
    """Check, re-encode (metadata stripped) and store a photo; raises ImageRejected."""
    processed = process_image(
        data,
        max_bytes=current_app.config["IMAGE_MAX_BYTES"],
        max_pixels=current_app.config["IMAGE_MAX_PIXELS"],
    )
    store_image(storage(), processed)
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
