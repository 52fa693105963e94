"""FIXTURE BUILDER for the follow-up tests (check-ins, adverse events, aftercare, scheduling).

These helpers insert a session, and the consent template, signed consent and plan it references,
straight into the tables with the ORM (a signed consent is only ever inserted: the table refuses
UPDATE and DELETE), so that follow-up tests can put sessions on any date, for any client, without
passing the day's checks again. Recording a session through its use case, checks included, is
tested in ``tests/clinic/test_treatment_sessions.py``. The session's check-ins are scheduled with
the real :func:`needlewise.clinic.followup.checkins.schedule`, as the session use case does. Works with the
``Site`` of ``clinic.support`` and of ``web.clinic.support``.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

from django.utils import timezone

from needlewise.clinic.followup import checkins
from needlewise.domain.permissions import Role
from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.storage.models import (
    CheckIn,
    Client,
    Consent,
    ConsentTemplate,
    SessionZone,
    TreatmentPlan,
    TreatmentSession,
)

_serials = count(1)
CONSENT_TEXT = "I consent to microneedling. (fixture text)"


def consent_row(site: Any, client: Client | None = None) -> Consent:
    """A consent template (version 1 of the clinic, made once) and the client's signed consent."""
    client = client or site.client
    owner = site.members[Role.OWNER]
    digest = hashlib.sha256(CONSENT_TEXT.encode()).hexdigest()
    template, _ = ConsentTemplate.objects.get_or_create(
        clinic=site.clinic,
        version=1,
        defaults={
            "intro_en": "Fixture intro.",
            "intro_es": "Introducción de prueba.",
            "body_en": CONSENT_TEXT,
            "body_es": CONSENT_TEXT,
            "digest_en": digest,
            "digest_es": digest,
            "kb_version": "fixture",
            "kb_hash": "fixture",
            "created_by_id": owner.user_id,
        },
    )
    return Consent.objects.create(
        clinic=site.clinic,
        client=client,
        template=template,
        version=1,
        lang="en",
        signed_text=CONSENT_TEXT,
        text_digest=digest,
        typed_name=f"{client.given_name} {client.family_name}",
        method="drawn",
        signature_png=b"\x89PNG fixture",
        signed_at=timezone.now(),
        recorded_by_id=site.members[Role.NURSE].user_id,
    )


def plan_row(
    site: Any, kb: KnowledgeBase, client: Client | None = None, *, sessions_planned: int = 4, interval: int = 28
) -> TreatmentPlan:
    """An active treatment plan for the client (texture, cheeks at 1.0 mm)."""
    plan = TreatmentPlan.objects.create(
        clinic=site.clinic,
        client=client or site.client,
        goals=["texture"],
        sessions_planned=sessions_planned,
        min_interval_days=interval,
        products=["hyaluronic_acid"],
        kb_version=kb.version.version,
        kb_hash=kb.version.content_hash,
        created_by_id=site.members[Role.NURSE].user_id,
    )
    plan.zones.create(zone="cheeks", length_mm=Decimal("1.00"))
    return plan


def session_row(  # noqa: PLR0913 - a session's facts, each with a default
    site: Any,
    kb: KnowledgeBase,
    *,
    plan: TreatmentPlan | None = None,
    performed_at: datetime | None = None,
    lot: str = "LOT-2031-A",
    zones: tuple[tuple[str, str], ...] = (("cheeks", "1.00"), ("forehead", "0.50")),
    products: tuple[str, ...] = ("hyaluronic_acid",),
    lang: Lang | None = Lang.EN,
) -> TreatmentSession:
    """A recorded session (default: now, by the nurse) and, unless ``lang`` is None, its check-ins."""
    plan = plan or plan_row(site, kb)
    nurse = site.members[Role.NURSE]
    session = TreatmentSession.objects.create(
        clinic=site.clinic,
        client=plan.client,
        plan=plan,
        practitioner_id=nurse.user_id,
        practitioner_role=nurse.role,
        performed_at=performed_at or timezone.now(),
        device_model="Fixture Pen 2",
        device_kind="pen",
        device_serial="DEV-1",
        cartridge_lot=lot,
        cartridge_serial=f"SN-{next(_serials):06d}",
        cartridge_expiry=timezone.localdate() + timedelta(days=365),
        passes=2,
        end_point="mild erythema",
        products_applied=list(products),
        screening=site.ok,
        consent=consent_row(site, plan.client),
        kb_version=kb.version.version,
        kb_hash=kb.version.content_hash,
        recorded_by_id=nurse.user_id,
    )
    for zone, length in zones:
        SessionZone.objects.create(session=session, zone=zone, length_mm=Decimal(length))
    if lang is not None:
        checkins.schedule(session, kb, lang)
    return session


def checkin_of(session: TreatmentSession, day: int) -> tuple[CheckIn, str]:
    """A session's check-in for ``day`` and its link token."""
    checkin = CheckIn.objects.get(session=session, day=day)
    return checkin, checkins.link_token(checkin)
