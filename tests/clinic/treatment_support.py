"""Builders for treatment records, made through the use cases (imported as ``clinic.treatment_support``).

They work with the sites of both ``clinic.support`` and ``web.clinic.support``: each takes a site with
``members`` (one staff member per role) and ``client``.
"""

from __future__ import annotations

import io
from dataclasses import replace
from decimal import Decimal
from typing import Any

from PIL import Image, ImageDraw

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.consent import signatures, versions
from needlewise.clinic.records import plans
from needlewise.clinic.records.plans import PlanForm
from needlewise.domain.permissions import Role
from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.storage.models import Client, Consent, ConsentTemplate, TreatmentPlan

INTRO_EN = "Alpha Clinic performs microneedling with sterile single-use cartridges."
INTRO_ES = "La clínica realiza microneedling con cartuchos estériles de un solo uso."
TYPED_NAME = "Zephyrine Quixotelle"


def _drawn_signature() -> bytes:
    image = Image.new("RGBA", (64, 24), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(4, 18), (20, 4), (36, 18), (60, 6)], fill=(0, 0, 0, 255), width=2)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


#: A valid small PNG of a drawn signature (64 x 24 pixels, dark strokes on a transparent pad).
TINY_PNG: bytes = _drawn_signature()


def staff_actor(site: Any, role: Role) -> Actor:
    """The actor of the site's staff member with ``role``."""
    member = site.members[role]
    return Actor.staff(member.user_id, member.clinic_id, Role(member.role))


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
