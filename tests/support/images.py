"""Image builders for upload tests: real encoded files, made in memory."""

from __future__ import annotations

import io

from PIL import Image as PILImage


def jpeg_bytes(size=(640, 480), gps=True) -> bytes:
    """A real JPEG, carrying GPS coordinates in its EXIF when asked."""
    image = PILImage.new("RGB", size, (180, 90, 60))
    exif = PILImage.Exif()
    exif[0x010F] = "PhoneMaker"
    if gps:
        exif[0x8825] = {1: "S", 2: (0.0, 13.0, 4.2), 3: "W", 4: (78.0, 29.0, 51.6)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()
