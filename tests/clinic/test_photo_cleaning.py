"""Session photos are re-encoded: EXIF (place, time, device) never reaches the database."""

from __future__ import annotations

import io

import pytest
from PIL import Image, PngImagePlugin

from clinic.treatment_support import photo_with_exif
from needlewise.clinic.treatment import photos
from needlewise.errors import InvalidInputError


def test_the_stored_photo_has_no_exif_and_keeps_its_pixels():
    original = photo_with_exif()
    assert Image.open(io.BytesIO(original)).getexif().get(0x0110) == "Phone Model X"  # the fixture has EXIF
    cleaned, width, height = photos.clean_image(original)
    stored = Image.open(io.BytesIO(cleaned))
    assert stored.format == "JPEG"
    assert dict(stored.getexif()) == {}
    assert "exif" not in stored.info
    assert b"Phone Model X" not in cleaned
    assert (width, height) == (40, 20) == stored.size
    red, green, blue = stored.getpixel((10, 10))
    assert abs(red - 200) < 8
    assert abs(green - 120) < 8
    assert abs(blue - 90) < 8


def test_a_photo_taken_sideways_is_stored_upright():
    cleaned, width, height = photos.clean_image(photo_with_exif((40, 20), orientation=6))  # rotate 90
    assert (width, height) == (20, 40)
    assert dict(Image.open(io.BytesIO(cleaned)).getexif()) == {}


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_are_accepted_and_become_jpeg(fmt):
    image = Image.new("RGBA", (10, 10), (0, 0, 255, 128))
    out = io.BytesIO()
    image.save(out, format=fmt)
    cleaned, _, _ = photos.clean_image(out.getvalue())
    assert Image.open(io.BytesIO(cleaned)).format == "JPEG"


def test_large_photos_are_scaled_down_to_the_longest_side_limit(monkeypatch):
    monkeypatch.setattr(photos, "MAX_SIDE", 16)
    _, width, height = photos.clean_image(photo_with_exif((64, 32)))
    assert (width, height) == (16, 8)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7 not a photo", "this file is not a photo that can be read"),
        (b"", "choose a photo to upload"),
        (photo_with_exif()[:200], "this file is not a photo that can be read"),
    ],
    ids=["pdf", "empty", "truncated"],
)
def test_files_that_are_not_photos_are_refused(data, message):
    with pytest.raises(InvalidInputError) as refused:
        photos.clean_image(data)
    assert [(p.where, p.message) for p in refused.value.problems] == [("photo", message)]


def test_other_image_formats_are_refused():
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, format="GIF")
    with pytest.raises(InvalidInputError, match="upload a JPEG, PNG or WebP photo"):
        photos.clean_image(out.getvalue())


def test_too_many_bytes_are_refused_before_decoding(monkeypatch):
    monkeypatch.setattr(photos, "MAX_BYTES", 100)
    with pytest.raises(InvalidInputError, match="larger than 0 MB"):
        photos.clean_image(photo_with_exif())


def test_too_many_pixels_are_refused(monkeypatch):
    monkeypatch.setattr(photos, "MAX_PIXELS", 100)
    with pytest.raises(InvalidInputError, match="too many pixels"):
        photos.clean_image(photo_with_exif((20, 20)))


def test_a_decompression_bomb_is_refused(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 50)  # Pillow warns above this, errors above twice it
    with pytest.raises(InvalidInputError, match="not a photo that can be read"):
        photos.clean_image(photo_with_exif((10, 8)))


def _jpeg_with_comment_and_gps() -> bytes:
    exif = Image.Exif()
    exif[0x0110] = "Phone Model X"
    exif.get_ifd(0x8825).update({1: "N", 2: (40.0, 25.0, 0.0), 3: "W", 4: (3.0, 42.0, 0.0)})  # GPS: Madrid
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 120, 90)).save(out, format="JPEG", exif=exif, comment=b"SECRET-JPEG-COMMENT")
    return out.getvalue()


def _png_with_text() -> bytes:
    text = PngImagePlugin.PngInfo()
    text.add_text("comment", "PNG-COMMENT-LEAK")
    text.add_itxt("Description", "PNG-ITXT-LEAK")
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 120, 90)).save(out, format="PNG", pnginfo=text)
    return out.getvalue()


def test_a_jpeg_comment_and_its_gps_never_survive():
    original = _jpeg_with_comment_and_gps()
    opened = Image.open(io.BytesIO(original))
    assert opened.info["comment"] == b"SECRET-JPEG-COMMENT"  # the fixture has both
    assert opened.getexif().get_ifd(0x8825)
    cleaned, _, _ = photos.clean_image(original)
    stored = Image.open(io.BytesIO(cleaned))
    assert b"SECRET-JPEG-COMMENT" not in cleaned
    assert b"Phone Model X" not in cleaned
    assert "comment" not in stored.info
    assert dict(stored.getexif()) == {}


def test_png_text_chunks_never_survive():
    original = _png_with_text()
    assert Image.open(io.BytesIO(original)).info["comment"] == "PNG-COMMENT-LEAK"
    cleaned, _, _ = photos.clean_image(original)
    assert b"PNG-COMMENT-LEAK" not in cleaned
    assert b"PNG-ITXT-LEAK" not in cleaned
    assert set(Image.open(io.BytesIO(cleaned)).info) <= {"jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi"}
