"""Photo uploads: content checks, metadata stripping, variants and file storage."""

from __future__ import annotations

import io
import re
import struct
import zlib
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from flask import Flask
from flask_babel import Babel, force_locale
from flask_babel.speaklater import LazyString
from PIL import Image, ImageCms, ImageDraw, PngImagePlugin

from shop.core.images import (
    ImageRejected,
    LocalStorage,
    ProcessedImage,
    delete_image,
    process_image,
    store_image,
)

GPS_IFD = 0x8825
EN = {"Accept-Language": "en"}
EXIF_IFD = 0x8769
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    b'exif:GPSLatitude="0,13.07S"/></rdf:RDF></x:xmpmeta>'
)
URL_SAFE_KEY = re.compile(r"[A-Za-z0-9_-]{22}")


# --- building real inputs -------------------------------------------------------------


def encode(image: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def gps_exif(orientation: int | None = None) -> Image.Exif:
    """EXIF with camera make/model and a GPS position (Quito), as phones write it."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "PhoneModel X"  # Model
    if orientation is not None:
        exif[0x0112] = orientation
    exif[GPS_IFD] = {1: "S", 2: (0.0, 13.0, 4.2), 3: "W", 4: (78.0, 29.0, 51.6)}
    return exif


def halves(size: tuple[int, int], left, right, mode: str = "RGB") -> Image.Image:
    """An image whose left half is one colour and right half another."""
    image = Image.new(mode, size, left)
    ImageDraw.Draw(image).rectangle((size[0] // 2, 0, size[0], size[1]), fill=right)
    return image


def png_header_only(width: int, height: int) -> bytes:
    """A PNG signature and IHDR claiming a size, with no pixel data at all."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def swapped_primaries_profile() -> bytes:
    """An RGB ICC profile whose red and blue primaries are swapped (and not called sRGB)."""
    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    (count,) = struct.unpack_from(">I", data, 128)
    offsets = {}
    for index in range(count):
        at = 132 + 12 * index
        offsets[bytes(data[at : at + 4])] = at
    red, blue = offsets[b"rXYZ"], offsets[b"bXYZ"]
    data[red + 4 : red + 12], data[blue + 4 : blue + 12] = (
        data[blue + 4 : blue + 12],
        data[red + 4 : red + 12],
    )
    utf16_name = "sRGB".encode("utf-16-be")
    assert utf16_name in data
    return bytes(data).replace(utf16_name, "Test".encode("utf-16-be"))


def variant_images(processed: ProcessedImage) -> dict[str, Image.Image]:
    images = {}
    for name, data in processed.variants.items():
        image = Image.open(io.BytesIO(data))
        image.load()
        images[name] = image
    return images


def assert_no_metadata(processed: ProcessedImage, *secrets: bytes) -> None:
    """No variant carries EXIF, GPS, XMP, ICC, comments or text, nor any secret bytes."""
    for name, image in variant_images(processed).items():
        data = processed.variants[name]
        assert not image.getexif(), name
        assert not image.getexif().get_ifd(GPS_IFD), name
        for key in ("exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment", "dpi"):
            assert key not in image.info, (name, key)
        assert not getattr(image, "text", {}), name
        for marker in (b"Exif", b"GPS", b"ICC_PROFILE", b"http://ns.adobe.com", *secrets):
            assert marker not in data, (name, marker)


# --- metadata -------------------------------------------------------------------------


def test_gps_exif_xmp_icc_and_comment_never_survive():
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    photo = encode(
        Image.new("RGB", (320, 240), (180, 90, 60)),
        "JPEG",
        exif=gps_exif(),
        xmp=XMP,
        icc_profile=icc,
        comment=b"taken at home",
    )
    source = Image.open(io.BytesIO(photo))
    gps = source.getexif().get_ifd(GPS_IFD)
    assert gps[1] == "S" and gps[2] == (0.0, 13.0, 4.2)  # the input really carries GPS
    assert source.getexif()[0x010F] == "PhoneMaker"
    assert {"exif", "xmp", "icc_profile", "comment"} <= set(source.info)
    assert b"GPS" in photo and b"Exif" in photo

    processed = process_image(photo)

    assert processed.ext == "jpg" and processed.mimetype == "image/jpeg"
    assert set(processed.variants) == {"full", "400", "1200"}
    assert_no_metadata(processed, b"PhoneMaker", b"PhoneModel", b"taken at home", b"GPSLat")
    assert all(image.format == "JPEG" for image in variant_images(processed).values())


def test_exif_orientation_is_applied_then_dropped():
    # Orientation 6: the camera was turned, viewers must rotate 90 degrees clockwise,
    # which brings the stored left half (red) to the top.
    photo = encode(halves((80, 40), "red", "blue"), "JPEG", exif=gps_exif(orientation=6))
    assert Image.open(io.BytesIO(photo)).size == (80, 40)

    processed = process_image(photo)

    assert (processed.width, processed.height) == (40, 80)
    full = variant_images(processed)["full"].convert("RGB")
    assert full.size == (40, 80)
    top, bottom = full.getpixel((20, 10)), full.getpixel((20, 70))
    assert top[0] > 200 and top[2] < 60, top
    assert bottom[2] > 200 and bottom[0] < 60, bottom
    assert 0x0112 not in full.getexif()  # or browsers would rotate it a second time


def test_png_text_chunks_are_removed():
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "workshop at Calle 5 #12")
    info.add_text("Location", "secret-place", zip=True)
    info.add_itxt("XML:com.adobe.xmp", XMP.decode(), zip=False)
    png = encode(Image.new("RGB", (60, 40), (10, 120, 30)), "PNG", pnginfo=info)
    assert Image.open(io.BytesIO(png)).text["Comment"] == "workshop at Calle 5 #12"

    processed = process_image(png)

    assert processed.ext == "jpg"  # opaque, so it becomes a JPEG
    assert_no_metadata(processed, b"Calle 5", b"secret-place", b"tEXt", b"zTXt", b"iTXt")


def test_png_with_alpha_keeps_transparency():
    image = halves((100, 50), (200, 30, 30, 255), (0, 0, 0, 0), mode="RGBA")
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Marisol")
    processed = process_image(encode(image, "PNG", pnginfo=info))

    assert processed.ext == "webp" and processed.mimetype == "image/webp"
    for name, out in variant_images(processed).items():
        assert out.format == "WEBP" and out.mode == "RGBA", name
        width, height = out.size
        assert out.getpixel((width // 4, height // 2))[3] == 255, name
        assert out.getpixel((width * 3 // 4, height // 2))[3] == 0, name
    assert_no_metadata(processed, b"Marisol")


def test_palette_png_transparency_is_kept():
    image = Image.new("P", (40, 40), 0)
    image.putpalette([255, 0, 0, 0, 255, 0] + [0] * 762)
    image.paste(1, (0, 0, 20, 40))
    processed = process_image(encode(image, "PNG", transparency=1))

    full = variant_images(processed)["full"]
    assert processed.ext == "webp" and full.mode == "RGBA"
    assert full.getpixel((5, 5))[3] == 0 and full.getpixel((35, 5))[3] == 255


def test_fully_opaque_alpha_channel_becomes_jpeg():
    processed = process_image(encode(Image.new("RGBA", (30, 30), (1, 2, 3, 255)), "PNG"))

    assert processed.ext == "jpg"
    assert variant_images(processed)["full"].mode == "RGB"


def test_wide_gamut_profile_is_converted_to_srgb_before_it_is_dropped():
    # Dropping a non-sRGB profile without converting would shift every colour; here the
    # profile swaps red and blue, so pure "red" pixels are really blue.
    photo = encode(
        Image.new("RGB", (40, 40), (255, 0, 0)), "JPEG", icc_profile=swapped_primaries_profile()
    )

    processed = process_image(photo)

    red, _green, blue = variant_images(processed)["full"].getpixel((20, 20))
    assert blue > 200 and red < 60, (red, blue)
    assert_no_metadata(processed)


def test_broken_colour_profile_is_ignored_not_fatal():
    photo = encode(Image.new("RGB", (40, 40), (255, 0, 0)), "JPEG", icc_profile=b"not a profile")
    assert Image.open(io.BytesIO(photo)).info["icc_profile"] == b"not a profile"

    processed = process_image(photo)

    red, _green, blue = variant_images(processed)["full"].getpixel((20, 20))
    assert red > 200 and blue < 60
    assert_no_metadata(processed, b"not a profile")


# --- accepted by content --------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "params"),
    [("JPEG", {}), ("PNG", {}), ("WEBP", {"quality": 90})],
)
def test_real_jpeg_png_and_webp_are_accepted(fmt, params):
    processed = process_image(encode(Image.new("RGB", (50, 30), (9, 99, 199)), fmt, **params))

    assert (processed.width, processed.height) == (50, 30)
    assert processed.ext == "jpg"


def test_cmyk_jpeg_becomes_rgb():
    processed = process_image(encode(Image.new("CMYK", (30, 20), (0, 255, 255, 0)), "JPEG"))

    full = variant_images(processed)["full"]
    assert full.mode == "RGB"
    red, green, blue = full.getpixel((10, 10))
    assert red > 200 and green < 60 and blue < 60


def test_multi_picture_jpeg_from_phones_is_accepted():
    # Phones often add a second picture (MPF); Pillow then calls the JPEG "MPO".
    frames = [Image.new("RGB", (60, 40), "red"), Image.new("RGB", (30, 20), "blue")]
    photo = encode(frames[0], "MPO", save_all=True, append_images=frames[1:])
    assert Image.open(io.BytesIO(photo)).format == "MPO"

    processed = process_image(photo)

    assert (processed.width, processed.height) == (60, 40)
    assert variant_images(processed)["full"].format == "JPEG"


def test_animated_webp_keeps_only_the_first_frame():
    frames = [Image.new("RGB", (60, 40), "red"), Image.new("RGB", (60, 40), "blue")]
    animation = encode(frames[0], "WEBP", save_all=True, append_images=frames[1:], lossless=True)
    assert Image.open(io.BytesIO(animation)).n_frames == 2

    processed = process_image(animation)

    for name, image in variant_images(processed).items():
        assert getattr(image, "n_frames", 1) == 1, name
        red, _green, blue = image.convert("RGB").getpixel((5, 5))
        assert red > 200 and blue < 60, name


def test_sixteen_bit_grey_png_is_scaled_not_clipped():
    processed = process_image(encode(Image.new("I;16", (20, 20), 32768), "PNG"))

    value = variant_images(processed)["full"].convert("L").getpixel((5, 5))
    assert 120 <= value <= 136  # half grey, not blown out to white


# --- rejected -------------------------------------------------------------------------

NOT_ACCEPTED = "Use a JPEG, PNG or WebP photo."
DAMAGED = "The photo could not be read; it may be damaged."


def gif() -> bytes:
    return encode(Image.new("P", (20, 20), 1), "GIF")


def truncated_jpeg() -> bytes:
    photo = encode(Image.effect_noise((200, 200), 60).convert("RGB"), "JPEG", quality=95)
    return photo[: len(photo) // 2]


def truncated_png() -> bytes:
    png = encode(Image.effect_noise((200, 200), 60), "PNG")
    return png[: len(png) // 2]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (gif, NOT_ACCEPTED),
        (lambda: b"hello, this is a text file renamed to photo.jpg\n" * 20, NOT_ACCEPTED),
        (lambda: b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', NOT_ACCEPTED),
        (lambda: encode(Image.new("RGB", (20, 20)), "BMP"), NOT_ACCEPTED),
        (lambda: encode(Image.new("RGB", (20, 20)), "TIFF"), NOT_ACCEPTED),
        (lambda: b"\xff\xd8\xff\xe0" + b"\x00" * 64, NOT_ACCEPTED),  # a JPEG in name only
        (truncated_jpeg, DAMAGED),
        (truncated_png, DAMAGED),
        (lambda: png_header_only(30, 20), DAMAGED),
        (lambda: b"", "The file is empty."),
    ],
    ids=[
        "gif",
        "text",
        "svg",
        "bmp",
        "tiff",
        "jpeg-magic",
        "cut-jpeg",
        "cut-png",
        "no-pixels",
        "empty",
    ],
)
def test_rejections(make, message):
    with pytest.raises(ImageRejected) as caught:
        process_image(make())
    assert str(caught.value) == message


def test_too_many_bytes_is_refused_before_decoding():
    limit = 1024 * 1024
    # Not an image at all: refusing it as "too large" proves no decoding happened.
    with pytest.raises(ImageRejected) as caught:
        process_image(b"\x00" * (limit + 1), max_bytes=limit)
    assert str(caught.value) == "The photo is larger than 1 MB."

    photo = encode(Image.new("RGB", (10, 10)), "PNG")
    assert process_image(photo, max_bytes=len(photo)).width == 10  # exactly at the limit


def test_huge_dimensions_in_a_small_file_are_refused():
    png = encode(Image.new("1", (10000, 5000), 1), "PNG")
    assert len(png) < 100_000  # tiny on disk, 50 megapixels once decoded

    with pytest.raises(ImageRejected) as caught:
        process_image(png)
    assert str(caught.value) == "The photo has too many pixels (at most 40 megapixels)."

    small = encode(Image.new("RGB", (2000, 1001)), "PNG")
    with pytest.raises(ImageRejected) as caught:
        process_image(small, max_pixels=2_000_000)
    assert str(caught.value) == "The photo has too many pixels (at most 2 megapixels)."


def test_pixel_limit_is_checked_from_the_header_before_decoding():
    # No pixel data at all: decoding would fail as "damaged", so the size verdict must
    # come from the header alone.
    with pytest.raises(ImageRejected) as caught:
        process_image(png_header_only(10000, 5000))
    assert "too many pixels" in str(caught.value)


@pytest.mark.parametrize("size", [(10000, 10000), (20000, 10000)], ids=["warning", "error"])
def test_pillow_decompression_bomb_guard_is_a_rejection(size):
    # Above Pillow's own ceiling (~89 MP warns, twice that raises) even when our limit is
    # set higher; the message reports the ceiling that actually applied.
    with pytest.raises(ImageRejected) as caught:
        process_image(png_header_only(*size), max_pixels=10**9)
    assert str(caught.value) == "The photo has too many pixels (at most 89 megapixels)."


def test_rejection_message_stays_lazy_until_rendered(tmp_path):
    with pytest.raises(ImageRejected) as caught:
        process_image(b"")
    assert isinstance(caught.value.message, LazyString)
    assert isinstance(caught.value, ValueError)

    # The same error renders in whichever locale displays it.
    catalog = Catalog(locale="es")
    catalog.add("The file is empty.", "El archivo está vacío.")
    folder = tmp_path / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.mo").open("wb") as mo:
        write_mo(mo, catalog)
    app = Flask(__name__)
    Babel(app, default_translation_directories=str(tmp_path))
    with app.test_request_context(headers=EN), force_locale("es"):
        assert str(caught.value) == "El archivo está vacío."
    with app.test_request_context(headers=EN), force_locale("en"):
        assert str(caught.value) == "The file is empty."


# --- variants and keys ----------------------------------------------------------------


def test_variants_respect_longest_side_limits():
    processed = process_image(encode(Image.new("RGB", (3000, 1000), "white"), "JPEG"))

    sizes = {name: image.size for name, image in variant_images(processed).items()}
    assert sizes == {"full": (2000, 667), "400": (400, 133), "1200": (1200, 400)}
    assert (processed.width, processed.height) == (2000, 667)


def test_tall_images_are_limited_by_their_height():
    processed = process_image(encode(Image.new("RGB", (500, 2500), "white"), "PNG"))

    sizes = {name: image.size for name, image in variant_images(processed).items()}
    assert sizes == {"full": (400, 2000), "400": (80, 400), "1200": (240, 1200)}


def test_small_images_are_never_upscaled():
    processed = process_image(encode(Image.new("RGB", (300, 200), "white"), "JPEG"))

    assert {image.size for image in variant_images(processed).values()} == {(300, 200)}


def test_custom_sizes_name_the_variants():
    processed = process_image(
        encode(Image.new("RGB", (900, 600), "white"), "JPEG"), sizes=(100, 640)
    )

    assert set(processed.variants) == {"full", "100", "640"}
    assert variant_images(processed)["100"].size == (100, 67)
    assert variant_images(processed)["640"].size == (640, 427)


def test_keys_are_random_url_safe_and_name_files():
    photo = encode(Image.new("RGB", (20, 20), "white"), "JPEG")
    results = [process_image(photo) for _ in range(10)]

    keys = {result.key for result in results}
    assert len(keys) == 10  # same bytes, different keys: nothing derived from the input
    assert all(URL_SAFE_KEY.fullmatch(key) for key in keys)
    first = results[0]
    assert first.filename("400") == f"{first.key}-400.jpg"
    assert first.filename("full") == f"{first.key}-full.jpg"
    with pytest.raises(KeyError):
        first.filename("9999")


def test_processed_image_is_frozen():
    processed = process_image(encode(Image.new("RGB", (20, 20), "white"), "JPEG"))
    with pytest.raises(AttributeError):
        processed.key = "chosen-by-attacker"  # type: ignore[misc]


# --- storage --------------------------------------------------------------------------


def test_storage_round_trip(tmp_path: Path):
    storage = LocalStorage(tmp_path / "uploads")  # created on first save
    name = "AbCdEfGh_-123456-full.jpg"

    assert not storage.exists(name)
    storage.save(name, b"first")
    storage.save(name, b"second")  # replaces

    assert storage.exists(name)
    assert storage.open(name) == b"second"
    assert storage.path(name) == tmp_path / "uploads" / name
    assert [p.name for p in (tmp_path / "uploads").iterdir()] == [name]  # no temp leftovers
    storage.delete(name)
    assert not storage.exists(name)
    storage.delete(name)  # deleting twice is fine
    with pytest.raises(FileNotFoundError):
        storage.open(name)


@pytest.mark.parametrize(
    "name",
    [
        "../AbCdEfGh12345-full.jpg",
        "../../etc/passwd",
        "..",
        "sub/AbCdEfGh12345-full.jpg",
        "sub\\AbCdEfGh12345-full.jpg",
        "/tmp/AbCdEfGh12345-full.jpg",
        "AbCdEfGh12345-full.jpg\n",
        "AbCdEfGh12345-full.jpg\x00.png",
        "AbCdEfGh12345-full.jpg/..",
        "AbCdEfGh12345-full.exe",
        "AbCdEfGh12345-full.JPG",
        "short-full.jpg",
        ".AbCdEfGh12345-full.jpg",
        "AbCdEfGh12345-full",
        "",
    ],
)
def test_storage_refuses_unsafe_names(tmp_path: Path, name: str):
    root = tmp_path / "uploads"
    root.mkdir()
    (tmp_path / "AbCdEfGh12345-full.jpg").write_bytes(b"outside")
    storage = LocalStorage(root)

    assert storage.path(name) is None
    assert not storage.exists(name)
    for action in (
        lambda: storage.save(name, b"x"),
        lambda: storage.open(name),
        lambda: storage.delete(name),
    ):
        with pytest.raises(ValueError, match="invalid stored file name"):
            action()
    assert list(root.iterdir()) == []
    assert (tmp_path / "AbCdEfGh12345-full.jpg").read_bytes() == b"outside"


def test_store_and_delete_image(tmp_path: Path):
    storage = LocalStorage(tmp_path)
    processed = process_image(encode(Image.new("RGB", (1500, 900), "white"), "JPEG"))
    # A neighbour whose key starts with ours plus "-" must survive our deletion.
    neighbour = f"{processed.key}-abcdefgh-full.jpg"
    storage.save(neighbour, b"other photo")

    assert store_image(storage, processed) == processed.key
    for variant, data in processed.variants.items():
        assert storage.open(f"{processed.key}-{variant}.jpg") == data

    delete_image(storage, processed.key, processed.ext)

    assert sorted(p.name for p in tmp_path.iterdir()) == [neighbour]
    delete_image(storage, processed.key, processed.ext)  # already gone: no error
    delete_image(storage, "../" + processed.key, "jpg")  # invalid key: nothing happens
    assert storage.exists(neighbour)
