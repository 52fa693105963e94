"""Builders for treatment records, made through the use cases (imported as ``clinic.treatment_support``).

Each takes a site of ``clinic_factories`` (``members``, one staff member per role, and ``client``).
Session photos with EXIF, and a client ready for a session with a valid session form, are here too.
"""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from PIL import Image, ImageDraw
from pypdf import PdfWriter

from clinic_factories import CLINIC_OK, actor_for, details
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.clients import clients
from needlewise.clinic.consent import signatures, versions
from needlewise.clinic.records import plans, screenings
from needlewise.clinic.records.plans import PlanForm
from needlewise.clinic.treatment.session_form import SessionForm
from needlewise.domain.permissions import Role
from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.storage.models import Client, Consent, ConsentTemplate, TreatmentPlan

INTRO_EN = "Alpha Clinic performs microneedling with sterile single-use cartridges."
INTRO_ES = "La clínica realiza microneedling con cartuchos estériles de un solo uso."
TYPED_NAME = "Zephyrine Quixotelle"
GPS_IFD = 0x8825
ORIENTATION = 0x0112
_serials = itertools.count(1)


def _drawn_signature() -> bytes:
    image = Image.new("RGBA", (64, 24), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(4, 18), (20, 4), (36, 18), (60, 6)], fill=(0, 0, 0, 255), width=2)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


#: A valid small PNG of a drawn signature (64 x 24 pixels, dark strokes on a transparent pad).
TINY_PNG: bytes = _drawn_signature()


def _scanned_pdf() -> bytes:
    """A real one-page PDF, as a scanner writes a paper form."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


SCAN_PDF: bytes = _scanned_pdf()


def photo_with_exif(size: tuple[int, int] = (40, 20), fmt: str = "JPEG", orientation: int = 1) -> bytes:
    """A photo whose EXIF holds a GPS position, a camera model and an orientation."""
    image = Image.new("RGB", size, (200, 120, 90))
    exif = Image.Exif()
    exif[0x0110] = "Phone Model X"  # camera model
    exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (40.0, 26.0, 46.0), 3: "W", 4: (79.0, 58.0, 56.0)}
    out = io.BytesIO()
    image.save(out, format=fmt, exif=exif)
    return out.getvalue()


def staff_actor(site: Any, role: Role) -> Actor:
    """The actor of the site's staff member with ``role``."""
    return actor_for(site.members[role])


def consent_template(site: Any, kb: KnowledgeBase) -> ConsentTemplate:
    """A new consent version of the site's clinic, written by its owner."""
    return versions.create_template(staff_actor(site, Role.OWNER), intro_en=INTRO_EN, intro_es=INTRO_ES, kb=kb)


def signed_consent(site: Any, kb: KnowledgeBase, client: Client | None = None) -> Consent:
    """The client's signature (drawn, in English, recorded by the nurse) on the clinic's current consent.

    A first consent version is written when the clinic has none.
    """
    current = versions.current_version(site.clinic.pk)
    template = (
        ConsentTemplate.objects.get(clinic_id=site.clinic.pk, version=current)
        if current is not None
        else consent_template(site, kb)
    )
    return signatures.sign(
        staff_actor(site, Role.NURSE),
        (client or site.client).pk,
        template_id=template.pk,
        lang=Lang.EN.value,
        typed_name=TYPED_NAME,
        method="drawn",
        signature_png=TINY_PNG,
        scan=None,
        scan_content_type="",
        kb=kb,
    )


def plan_form(**changes: Any) -> PlanForm:
    """A valid plan: texture, cheeks and forehead at 1.0 mm, three sessions, with ``changes``."""
    base = PlanForm(
        goals=("texture",),
        zones={"cheeks": Decimal("1.0"), "forehead": Decimal("1.0")},
        sessions_planned=3,
        products=(),
        notes="",
    )
    return replace(base, **changes)


def plan(site: Any, kb: KnowledgeBase, **changes: Any) -> TreatmentPlan:
    """A treatment plan for the site's client made by the nurse: :func:`plan_form` with ``changes``.

    ``role`` and ``client`` may be given among ``changes`` to plan as someone else or for another client.
    """
    role = changes.pop("role", Role.NURSE)
    client = changes.pop("client", site.client)
    return plans.create(staff_actor(site, role), client.pk, plan_form(**changes), kb).plan


@dataclass
class Ready:
    """A screened client (clinic tier) with a signed consent and an active plan (texture, 1.0 mm, 28 days)."""

    site: Any
    client: Client
    plan: TreatmentPlan


def ready_client(site: Any, kb: Any, name: str = "Ready") -> Ready:
    """A new client of the site made :class:`Ready` for a session by the nurse."""
    nurse = site.actor(Role.NURSE)
    client = clients.create(nurse, details(given_name=name, family_name="Client"))
    screenings.record(nurse, client_id=client.pk, profile=CLINIC_OK, kb=kb, lang=Lang.EN)
    signed_consent(site, kb, client)
    return Ready(site, client, plan(site, kb, client=client))


def form(ready: Ready, **changes: Any) -> SessionForm:
    """A valid session on the cheeks at 1.0 mm with a fresh cartridge, with ``changes``."""
    base = SessionForm(
        plan_id=ready.plan.pk,
        device_model="Pen P4",
        device_kind="pen",
        device_serial="DEV-1",
        cartridge_lot="LOT-A1",
        cartridge_serial=f"SN-{next(_serials)}",
        cartridge_expiry=timezone.localdate() + timedelta(days=365),
        zones={"cheeks": "1.0"},
        passes="3",
        end_point="uniform erythema",
    )
    return replace(base, **changes)
