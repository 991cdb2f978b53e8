"""Uploaded photos: judged by content, size-limited, re-encoded without any metadata."""

from __future__ import annotations

import io
import os
import re
import secrets
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from PIL import Image, ImageCms, ImageOps

# Only these decoders ever see an upload: Pillow is not even allowed to try others
# (EPS, PSD, TIFF, ...), which keeps exotic parsers away from hostile bytes.
OPEN_FORMATS = ("JPEG", "PNG", "WEBP")
# The JPEG decoder reports phone photos with an MPF block (e.g. HDR gain maps) as "MPO";
# their first frame is the ordinary photo.
ACCEPTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP"})
FULL_SIZE = 2000  # longest side of the stored "full" variant
DEFAULT_SIZES = (400, 1200)
JPEG_QUALITY = 85
WEBP_QUALITY = 85
MB = 1024 * 1024
MEGAPIXEL = 1_000_000

_SRGB = ImageCms.createProfile("sRGB")
_NATIVE_MODES = frozenset({"RGB", "RGBA", "L", "LA", "CMYK"})  # resized as decoded
_MIMETYPES = {"jpg": "image/jpeg", "webp": "image/webp"}


class ImageRejected(ValueError):
    """An upload we refuse; `message` is a lazy, translatable text for the person."""

    def __init__(self, message: LazyString | str) -> None:
        # Kept lazy so it renders in the locale of whoever finally displays it.
        super().__init__(message)
        self.message = message

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
        if variant not in self.variants:
            raise KeyError(variant)
        return f"{self.key}-{variant}.{self.ext}"


def _unreadable() -> ImageRejected:
    return ImageRejected(_l("The photo could not be read; it may be damaged."))


def _wrong_format() -> ImageRejected:
    return ImageRejected(_l("Use a JPEG, PNG or WebP photo."))


def _too_many_pixels(max_pixels: int) -> ImageRejected:
    return ImageRejected(
        _l(
            "The photo has too many pixels (at most %(mp)d megapixels).",
            mp=max(1, max_pixels // MEGAPIXEL),
        )
    )


def _decode(data: bytes, max_pixels: int) -> tuple[Image.Image, bytes | None]:
    """Open, size-check and decode the first frame; return it upright with its ICC profile."""
    try:
        # Turn Pillow's bomb warning into an error for this call only. catch_warnings is
        # process-global, but the explicit width*height check below is the real guard.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data), formats=OPEN_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own ceiling (MAX_IMAGE_PIXELS) was hit first, so report the lower one.
        limit = min(max_pixels, Image.MAX_IMAGE_PIXELS or max_pixels)
        raise _too_many_pixels(limit) from None
    except Exception:  # any parser failure on hostile bytes means "not a photo we take"
        raise _wrong_format() from None
    with probe:
        if probe.format not in ACCEPTED_FORMATS:
            raise _wrong_format()
        width, height = probe.size  # from the header: nothing decoded yet
        if width * height > max_pixels:
            raise _too_many_pixels(max_pixels)
        icc = probe.info.get("icc_profile") or None
        try:
            # Big JPEGs decode straight at 1/2, 1/4 or 1/8 scale: far less memory and time.
            probe.draft(None, (FULL_SIZE, FULL_SIZE))
            probe.load()  # animated files: only the first frame is ever decoded and kept
        except Exception:  # truncated or corrupt data surfaces only while decoding
            raise _unreadable() from None
        try:
            upright = ImageOps.exif_transpose(probe)  # a copy, detached from probe
        except Exception:  # a mangled EXIF block should not cost the person their photo
            upright = probe.copy()
    return upright, icc


def _working_mode(image: Image.Image) -> Image.Image:
    """Bring odd modes (palette, 1-bit, 16-bit grey) to one we can resize smoothly."""
    if image.mode in _NATIVE_MODES:
        return image
    if image.mode.startswith("I"):
        # 16-bit grey would clip to white in a plain convert: scale it down to 8 bits.
        return image.convert("I").point(lambda value: value / 256).convert("L")
    transparent = image.mode in ("PA", "La", "RGBa") or "transparency" in image.info
    return image.convert("RGBA" if transparent else "RGB")


def _fit(image: Image.Image, longest: int) -> Image.Image:
    """A copy whose longest side is at most `longest`; never enlarged."""
    copy = image.copy()
    copy.thumbnail((longest, longest), Image.Resampling.LANCZOS)  # only ever shrinks
    return copy


def _to_srgb(image: Image.Image, icc: bytes | None, mode: str) -> Image.Image:
    """Convert to RGB/RGBA, honouring an embedded colour profile when there is one."""
    if icc:
        try:
            profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            if "srgb" not in (ImageCms.getProfileDescription(profile) or "").lower():
                # Wide-gamut (Display P3, Adobe RGB) or CMYK photos look washed out or
                # wrong once their profile is dropped, so bake the colours into sRGB.
                converted = ImageCms.profileToProfile(image, profile, _SRGB, outputMode=mode)
                if converted is not None:
                    return converted
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # a broken or unsupported profile: fall back to a plain conversion
    return image.convert(mode)


def _clean_canvas(image: Image.Image) -> Image.Image:
    """Copy only the pixels onto a new image, so no info/EXIF/ICC/text can travel."""
    canvas = Image.new(image.mode, image.size)
    canvas.paste(image)
    return canvas


def _encode(image: Image.Image, ext: str) -> bytes:
    buffer = io.BytesIO()
    if ext == "jpg":
        image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    else:
        image.save(buffer, "WEBP", quality=WEBP_QUALITY, alpha_quality=100, method=4)
    return buffer.getvalue()


def process_image(
    data: bytes,
    *,
    max_bytes: int = 8 * MB,
    max_pixels: int = 40_000_000,
    sizes: tuple[int, ...] = DEFAULT_SIZES,
) -> ProcessedImage:
    """Check and re-encode a photo into size variants; raise ImageRejected otherwise."""
    # Only the pixels survive: EXIF (GPS included), XMP, ICC profiles, comments and PNG
    # text are all dropped because every variant is rebuilt from a blank image. Opaque
    # photos become JPEG; photos with real transparency become WebP (alpha kept, far
    # smaller than PNG). Animated images keep their first frame only.
    if any(size < 1 for size in sizes):
        raise ValueError("variant sizes must be positive")
    if not data:
        raise ImageRejected(_l("The file is empty."))
    if len(data) > max_bytes:  # before any decoding work
        raise ImageRejected(_l("The photo is larger than %(mb)d MB.", mb=max(1, max_bytes // MB)))

    image, icc = _decode(data, max_pixels)
    image = _fit(_working_mode(image), FULL_SIZE)
    alpha = image.mode in ("RGBA", "LA") and image.getchannel("A").getextrema()[0] < 255
    full = _clean_canvas(_to_srgb(image, icc, "RGBA" if alpha else "RGB"))
    ext = "webp" if alpha else "jpg"

    variants = {"full": _encode(full, ext)}
    for size in sizes:
        variants[str(size)] = _encode(_fit(full, size), ext)
    return ProcessedImage(
        key=secrets.token_urlsafe(16),
        ext=ext,
        mimetype=_MIMETYPES[ext],
        width=full.width,
        height=full.height,
        variants=variants,
    )


KEY_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")
NAME_RE = re.compile(r"(?P<key>[A-Za-z0-9_-]{8,64})-(?P<variant>[a-z0-9]{1,8})\.(?:jpg|png|webp)")


class LocalStorage:
    """Files in one flat folder; only names matching NAME_RE are ever touched."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, name: str) -> Path | None:
        """Path for a valid name (existing or not), else None."""
        # fullmatch, not ^...$: "$" would let a trailing newline through.
        if not isinstance(name, str) or not NAME_RE.fullmatch(name):
            return None
        return self.root / name

    def _checked(self, name: str) -> Path:
        path = self.path(name)
        if path is None:
            raise ValueError(f"invalid stored file name: {name!r}")
        return path

    def save(self, name: str, data: bytes) -> None:
        """Write a file atomically (the folder is made on first use)."""
        path = self._checked(name)
        self.root.mkdir(parents=True, exist_ok=True)
        # Write then rename, so a half-written file is never served. The dot prefix
        # keeps the temporary name outside NAME_RE.
        temporary = self.root / f".{name}.{secrets.token_hex(4)}.tmp"
        try:
            temporary.write_bytes(data)
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)

    def open(self, name: str) -> bytes:
        """Read a stored file (FileNotFoundError if absent)."""
        return self._checked(name).read_bytes()

    def exists(self, name: str) -> bool:
        """True when a valid name is stored."""
        path = self.path(name)
        return path is not None and path.is_file()

    def delete(self, name: str) -> None:
        """Remove a stored file if present."""
        self._checked(name).unlink(missing_ok=True)

    def names_for(self, key: str, ext: str) -> list[str]:
        """Stored names of every variant of one image key."""
        if not KEY_RE.fullmatch(key) or ext not in ("jpg", "png", "webp") or not self.root.is_dir():
            return []
        # The variant part has no "-", so key "abc" never claims "abc-def-full.jpg".
        own = re.compile(re.escape(key) + r"-[a-z0-9]{1,8}\." + ext)
        return sorted(
            path.name for path in self.root.glob(f"{key}-*.{ext}") if own.fullmatch(path.name)
        )


def store_image(storage: LocalStorage, processed: ProcessedImage) -> str:
    """Save every variant; return the key."""
    for variant, data in processed.variants.items():
        storage.save(processed.filename(variant), data)
    return processed.key


def delete_image(storage: LocalStorage, key: str, ext: str) -> None:
    """Remove every stored variant of an image (whatever sizes it was made with)."""
    for name in storage.names_for(key, ext):
        storage.delete(name)


def resize_variants(full: bytes, ext: str, sizes: tuple[int, ...] = DEFAULT_SIZES) -> dict:
    """The smaller variants of an already re-encoded "full" photo (for a background job)."""
    with Image.open(io.BytesIO(full), formats=OPEN_FORMATS) as image:
        image.load()
        return {str(size): _encode(_fit(image, size), ext) for size in sizes}
