"""Uploaded photos: judged by content, size-limited, re-encoded without any metadata."""

from __future__ import annotations

import io
import re
import secrets
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
FULL_SIZE = 2000  # longest side of the stored "full" variant


class ImageRejected(ValueError):
    """The upload is not a photo we accept; the message is shown to the person."""

    def __init__(self, message) -> None:
        self.message = message
        super().__init__(str(message))

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class ProcessedImage:
    """A re-encoded photo and its size variants, ready to store."""

    key: str
    ext: str
    mimetype: str
    width: int
    height: int
    variants: dict[str, bytes] = field(repr=False)

    def filename(self, variant: str) -> str:
        """Stored name of one variant: <key>-<variant>.<ext>."""
        return f"{self.key}-{variant}.{self.ext}"


def _has_alpha(image: Image.Image) -> bool:
    if image.mode in ("RGBA", "LA"):
        return image.getchannel("A").getextrema()[0] < 255
    return image.mode == "P" and "transparency" in image.info


def _encode(image: Image.Image, ext: str) -> bytes:
    buffer = io.BytesIO()
    if ext == "jpg":
        image.save(buffer, "JPEG", quality=85, optimize=True, progressive=True)
    else:
        image.save(buffer, "WEBP", quality=85, method=4)
    return buffer.getvalue()


def _fit(image: Image.Image, longest: int) -> Image.Image:
    if max(image.size) <= longest:
        return image
    copy = image.copy()
    copy.thumbnail((longest, longest), Image.Resampling.LANCZOS)
    return copy


def process_image(
    data: bytes,
    *,
    max_bytes: int = 8 * 1024 * 1024,
    max_pixels: int = 40_000_000,
    sizes: tuple[int, ...] = (400, 1200),
) -> ProcessedImage:
    """Check and re-encode a photo; raise ImageRejected with a clear message otherwise.

    Only the pixels survive: EXIF (GPS included), XMP, ICC profiles and text chunks are
    dropped because the image is rebuilt from scratch. Opaque photos become JPEG; photos
    with transparency become WebP. Animated images keep their first frame.
    """
    if not data:
        raise ImageRejected(_l("The file is empty."))
    if len(data) > max_bytes:
        raise ImageRejected(_l("The photo is larger than %(mb)d MB.", mb=max_bytes // 1_048_576))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in ACCEPTED_FORMATS:
                    raise ImageRejected(_l("Use a JPEG, PNG or WebP photo."))
                width, height = probe.size
                if width * height > max_pixels:
                    raise ImageRejected(
                        _l(
                            "The photo has too many pixels (at most %(mp)d megapixels).",
                            mp=max_pixels // 1_000_000,
                        )
                    )
                probe.seek(0)
                probe.load()
                image = ImageOps.exif_transpose(probe)
    except ImageRejected:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected(_l("Use a JPEG, PNG or WebP photo.")) from None
    except (OSError, SyntaxError, ValueError):
        raise ImageRejected(_l("The photo could not be read; it may be damaged.")) from None

    alpha = _has_alpha(image)
    clean = Image.new("RGBA" if alpha else "RGB", image.size)
    clean.paste(image.convert("RGBA" if alpha else "RGB"))  # pixels only: no metadata travels
    ext, mimetype = ("webp", "image/webp") if alpha else ("jpg", "image/jpeg")
    full = _fit(clean, FULL_SIZE)
    variants = {"full": _encode(full, ext)}
    for size in sizes:
        variants[str(size)] = _encode(_fit(clean, size), ext)
    return ProcessedImage(
        key=secrets.token_urlsafe(16),
        ext=ext,
        mimetype=mimetype,
        width=full.width,
        height=full.height,
        variants=variants,
    )


NAME_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}-[a-z0-9]{1,8}\.(jpg|png|webp)$")


class LocalStorage:
    """Files in one folder, named only by the strict pattern above (no traversal)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, name: str) -> Path | None:
        """Absolute path for a valid name, else None."""
        if not NAME_RE.match(name):
            return None
        return self.root / name

    def _checked(self, name: str) -> Path:
        path = self.path(name)
        if path is None:
            raise ValueError(f"invalid stored file name: {name!r}")
        return path

    def save(self, name: str, data: bytes) -> None:
        """Write a file (the folder is made on first use)."""
        path = self._checked(name)
        self.root.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def open(self, name: str) -> bytes:
        """Read a stored file."""
        return self._checked(name).read_bytes()

    def exists(self, name: str) -> bool:
        """True when the file is stored."""
        path = self.path(name)
        return path is not None and path.exists()

    def delete(self, name: str) -> None:
        """Remove a stored file if present."""
        self._checked(name).unlink(missing_ok=True)


def store_image(storage: LocalStorage, processed: ProcessedImage) -> str:
    """Save every variant; returns the key."""
    for variant, data in processed.variants.items():
        storage.save(processed.filename(variant), data)
    return processed.key


def delete_image(storage: LocalStorage, key: str, ext: str, variants=("full", "400", "1200")):
    """Remove every variant of a stored image."""
    for variant in variants:
        storage.delete(f"{key}-{variant}.{ext}")
