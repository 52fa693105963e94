"""A signed consent's files: the drawn signature (PNG) and the scan of a paper form (PDF, JPEG or PNG).

Images are decoded and written again from their pixels only, so no metadata (EXIF, text chunks,
colour profiles) is stored; a scan taken with a phone is turned upright first. A PDF must be one a
PDF library (pypdf) can read, with at least one page, and is then kept as it is: it is only ever
served to staff, as a download. A file that merely starts with ``%PDF-`` (an HTML page, say) is refused.
Messages are worded for translation (:meth:`needlewise.errors.Problem.worded`).
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageChops, ImageOps, UnidentifiedImageError
from pypdf import PdfReader

from needlewise.errors import N_, InvalidInputError, Problem

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


def _open(data: bytes, where: str, formats: frozenset[str], wording: tuple[str, str], max_pixels: int) -> Image.Image:
    """The decoded image, or InvalidInputError if it is not one of ``formats`` or cannot be read (``wording``)."""
    wrong, unreadable = wording
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in formats:
                raise InvalidInputError([Problem.worded(where, wrong)])
            if image.width * image.height > max_pixels:  # checked before decoding
                raise Image.DecompressionBombError
            image.verify()  # checksums; the image must be opened again to be decoded
            image = Image.open(io.BytesIO(data))
            image.load()
    except _BOMBS:
        message = N_("the image has too many pixels (at most %(megapixels)s megapixels)")
        raise InvalidInputError([Problem.worded(where, message, megapixels=str(max_pixels // 1_000_000))]) from None
    except _UNREADABLE:
        raise InvalidInputError([Problem.worded(where, unreadable)]) from None
    return image


def _readable_pdf(data: bytes) -> bool:
    """Whether a PDF library reads ``data`` as a PDF with at least one page."""
    try:
        return len(PdfReader(io.BytesIO(data)).pages) > 0
    except Exception:  # noqa: BLE001 - whatever the parser trips on, the file is not a PDF it can read
        return False


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
        message = N_("draw the signature, or use the paper form and upload its scan")
        raise InvalidInputError([Problem.worded("signature", message)])
    if len(data) > MAX_SIGNATURE_BYTES:
        message = N_("the signature image is larger than %(kb)s KB")
        raise InvalidInputError([Problem.worded("signature", message, kb=str(MAX_SIGNATURE_BYTES // KB))])
    wording = (N_("the file is not a PNG image"), N_("the file is not a PNG image that can be read"))
    image = _open(data, "signature", frozenset({"PNG"}), wording, MAX_SIGNATURE_PIXELS)
    shortest, longest = SIGNATURE_SIDES
    if not (shortest <= image.width <= longest and shortest <= image.height <= longest):
        message = N_("the signature image must be between %(shortest)s and %(longest)s pixels on each side")
        raise InvalidInputError([Problem.worded("signature", message, shortest=str(shortest), longest=str(longest))])
    clean = _pixels_only(image, "RGBA")
    if not _has_ink(clean):
        message = N_("the signature is empty: draw it, or use the paper form")
        raise InvalidInputError([Problem.worded("signature", message)])
    return _encoded(clean, "PNG")


def clean_scan(data: bytes) -> tuple[bytes, str]:
    """A paper form's scan and its content type: a PDF as it is, an image re-encoded without metadata."""
    if not data:
        raise InvalidInputError([Problem.worded("scan", N_("upload the scan of the signed paper form"))])
    if len(data) > MAX_SCAN_BYTES:
        message = N_("the scan is larger than %(mb)s MB")
        raise InvalidInputError([Problem.worded("scan", message, mb=str(MAX_SCAN_BYTES // (KB * KB)))])
    if data.startswith(b"%PDF-"):
        if not _readable_pdf(data):
            message = N_("the file starts like a PDF but is not one that can be read: scan the form again as a PDF")
            raise InvalidInputError([Problem.worded("scan", message)])
        return data, PDF
    wording = (
        N_("the file is not a PDF, JPEG or PNG file"),
        N_("the file is not a PDF, JPEG or PNG file that can be read"),
    )
    image = _open(data, "scan", frozenset({"JPEG", "PNG", "MPO"}), wording, MAX_SCAN_PIXELS)
    image_format = "PNG" if image.format == "PNG" else "JPEG"
    clean = _pixels_only(ImageOps.exif_transpose(image), "RGB")
    return _encoded(clean, image_format), PNG if image_format == "PNG" else JPEG
