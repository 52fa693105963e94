"""A signed consent's files: the drawn signature (PNG) and the scan of a paper form (PDF, JPEG or PNG).

Images are decoded and written again from their pixels only, so no metadata (EXIF, text chunks,
colour profiles) is stored; a scan taken with a phone is turned upright first. A PDF is recognised
by its first bytes and kept as it is: it is only ever served to staff, as a download.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageChops, ImageOps, UnidentifiedImageError

from needlewise.errors import InvalidInputError, Problem

KB = 1024
MAX_SIGNATURE_BYTES = 512 * KB
MAX_SCAN_BYTES = 5 * KB * KB
SIGNATURE_SIDES = (16, 4000)  # shortest and longest side a drawn signature may have, in pixels
MAX_SIGNATURE_PIXELS = 4_000_000
MAX_SCAN_PIXELS = 40_000_000
PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
_UNREADABLE = (UnidentifiedImageError, OSError, SyntaxError, ValueError)
_BOMBS = (Image.DecompressionBombWarning, Image.DecompressionBombError)


def _open(data: bytes, where: str, formats: frozenset[str], what: str, max_pixels: int) -> Image.Image:
    """The decoded image, or InvalidInputError if it is not one of ``formats``, too large, or unreadable."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in formats:
                raise InvalidInputError([Problem(where, f"the file is not {what}")])
            if image.width * image.height > max_pixels:  # checked before decoding
                raise Image.DecompressionBombError
            image.verify()  # checksums; the image must be opened again to be decoded
            image = Image.open(io.BytesIO(data))
            image.load()
    except _BOMBS:
        message = f"the image has too many pixels (at most {max_pixels // 1_000_000} megapixels)"
        raise InvalidInputError([Problem(where, message)]) from None
    except _UNREADABLE:
        raise InvalidInputError([Problem(where, f"the file is not {what} that can be read")]) from None
    return image


def _pixels_only(image: Image.Image, mode: str) -> Image.Image:
    """A new image with the same pixels in ``mode`` and nothing else (no metadata is carried over)."""
    converted = image.convert(mode)
    return Image.frombytes(mode, converted.size, converted.tobytes())


def _encoded(image: Image.Image, image_format: str) -> bytes:
    out = io.BytesIO()
    if image_format == "PNG":
        image.save(out, format="PNG", optimize=True)
    else:
        image.save(out, format="JPEG", quality=90, optimize=True)
    return out.getvalue()


def _has_ink(image: Image.Image) -> bool:
    """Whether any pixel is both opaque and dark (a signature, not an empty pad)."""
    opaque = image.getchannel("A").point(lambda a: 255 if a > 128 else 0)  # noqa: PLR2004 - half transparent
    dark = image.convert("L").point(lambda g: 255 if g < 200 else 0)  # noqa: PLR2004 - darker than light grey
    return ImageChops.multiply(opaque, dark).getbbox() is not None


def clean_signature(data: bytes) -> bytes:
    """A drawn signature as a metadata-free PNG, or InvalidInputError naming the ``signature`` field."""
    if not data:
        raise InvalidInputError([Problem("signature", "draw the signature, or use the paper form and upload its scan")])
    if len(data) > MAX_SIGNATURE_BYTES:
        raise InvalidInputError(
            [Problem("signature", f"the signature image is larger than {MAX_SIGNATURE_BYTES // KB} KB")]
        )
    image = _open(data, "signature", frozenset({"PNG"}), "a PNG image", MAX_SIGNATURE_PIXELS)
    shortest, longest = SIGNATURE_SIDES
    if not (shortest <= image.width <= longest and shortest <= image.height <= longest):
        message = f"the signature image must be between {shortest} and {longest} pixels on each side"
        raise InvalidInputError([Problem("signature", message)])
    clean = _pixels_only(image, "RGBA")
    if not _has_ink(clean):
        raise InvalidInputError([Problem("signature", "the signature is empty: draw it, or use the paper form")])
    return _encoded(clean, "PNG")


def clean_scan(data: bytes) -> tuple[bytes, str]:
    """A paper form's scan and its content type: a PDF as it is, an image re-encoded without metadata."""
    if not data:
        raise InvalidInputError([Problem("scan", "upload the scan of the signed paper form")])
    if len(data) > MAX_SCAN_BYTES:
        raise InvalidInputError([Problem("scan", f"the scan is larger than {MAX_SCAN_BYTES // (KB * KB)} MB")])
    if data.startswith(b"%PDF-"):
        return data, PDF
    image = _open(data, "scan", frozenset({"JPEG", "PNG", "MPO"}), "a PDF, JPEG or PNG file", MAX_SCAN_PIXELS)
    image_format = "PNG" if image.format == "PNG" else "JPEG"
    clean = _pixels_only(ImageOps.exif_transpose(image), "RGB")
    return _encoded(clean, image_format), PNG if image_format == "PNG" else JPEG
