"""Clinical photos of a session: checked, re-encoded without any metadata, stored privately.

Phones write the place, the time and the device into a photo's EXIF block. A photo is decoded and
written again as a fresh JPEG built from its pixels alone (turned upright first, as EXIF said), so
no location, comment, text chunk, colour profile or other metadata is ever stored. Photos are
served only to staff of the clinic.
"""

from __future__ import annotations

import hashlib
import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.access.guard import use_case
from needlewise.clinic.access.tenancy import access_photo, access_session
from needlewise.clinic.audit import log as audit_log
from needlewise.domain.permissions import Action
from needlewise.errors import N_, InvalidInputError, Problem
from needlewise.storage.models import SessionPhoto

MAX_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 4000
_FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}


def clean_image(data: bytes) -> tuple[bytes, int, int]:
    """The image as a metadata-free JPEG and its size, or InvalidInputError saying what is wrong."""
    if not data:
        raise InvalidInputError([Problem("photo", N_("choose a photo to upload"))])
    if len(data) > MAX_BYTES:
        raise InvalidInputError(
            [Problem.worded("photo", N_("the photo is larger than %(mb)s MB"), mb=str(MAX_BYTES // (1024 * 1024)))]
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in _FORMATS:
                raise InvalidInputError([Problem("photo", N_("upload a JPEG, PNG or WebP photo"))])
            if image.width * image.height > MAX_PIXELS:
                raise InvalidInputError([Problem("photo", N_("the photo has too many pixels (at most 40 megapixels)"))])
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise InvalidInputError([Problem("photo", N_("this file is not a photo that can be read"))]) from None
    turned = ImageOps.exif_transpose(image).convert("RGB")
    upright = Image.frombytes("RGB", turned.size, turned.tobytes())  # the pixels only: no comment, text or profile
    upright.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    upright.save(out, format="JPEG", quality=90, optimize=True)
    return out.getvalue(), upright.width, upright.height


@use_case(Action.RECORD_TREATMENT, "photo", missing="session")
def add(actor: Actor, session_id: int, data: bytes, caption: str = "") -> SessionPhoto:
    """Attach a photo to a session of the actor's clinic."""
    if len(caption.strip()) > 200:  # noqa: PLR2004 - the column's length
        raise InvalidInputError([Problem("caption", N_("at most 200 characters"))])
    image, width, height = clean_image(data)
    session = access_session(actor, session_id)
    photo = SessionPhoto.objects.create(
        clinic_id=actor.staff_clinic_id,
        session=session,
        image=image,
        content_type="image/jpeg",
        width=width,
        height=height,
        digest=hashlib.sha256(image).hexdigest(),
        caption=caption.strip(),
        uploaded_by_id=actor.staff_user_id,
    )
    audit_log.record(actor, "create", "photo", photo.pk, client_id=session.client_id, detail={"session": session.pk})
    return photo


@use_case(Action.VIEW_HEALTH, "photo", record="photo_id", missing="photo")
def image(actor: Actor, photo_id: int) -> tuple[bytes, str]:
    """A photo's bytes and content type (the read is recorded)."""
    photo = access_photo(actor, photo_id)
    audit_log.record(actor, "read", "photo", photo.pk, client_id=photo.session.client_id)
    return bytes(photo.image), photo.content_type


def photos_of(clinic_id: int, session_id: int) -> list[SessionPhoto]:
    """A session's photos without their bytes (for a page whose use case audited the read)."""
    return list(
        SessionPhoto.objects.filter(clinic_id=clinic_id, session_id=session_id).defer("image").order_by("created_at")
    )
