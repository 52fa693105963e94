"""FIXTURE BUILDERS for the follow-up tests (check-ins, adverse events, aftercare, scheduling, recall).

These helpers insert a session, and the consent template, signed consent and plan it references,
straight into the tables with the ORM (a signed consent is only ever inserted: the table refuses
UPDATE and DELETE), so that follow-up tests can put sessions on any date, for any client, without
passing the day's checks again. Recording a session through its use case, checks included, is
tested in ``tests/clinic/test_treatment_sessions.py``. The session's check-ins are scheduled with
the real :func:`needlewise.clinic.followup.checkins.schedule`, as the session use case does. They take
the ``Site`` of ``clinic_factories``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

from django.utils import timezone

from clinic_factories import actor_for
from needlewise.clinic.clients import clients
from needlewise.clinic.clients.client_form import ClientDetails
from needlewise.clinic.followup import checkin_tokens, checkins, short_links
from needlewise.clinic.records import screenings
from needlewise.domain.permissions import Role
from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.storage.models import (
    AdverseEvent,
    CheckIn,
    Client,
    Clinic,
    Consent,
    ConsentTemplate,
    Screening,
    SessionZone,
    StaffMember,
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
    return checkin, checkin_tokens.link_token(checkin)


def short_of(session: TreatmentSession, day: int) -> tuple[CheckIn, str]:
    """A session's check-in for ``day`` and its short code as printed (``7KQ4-M9XW-P2RT``)."""
    checkin = CheckIn.objects.get(session=session, day=day)
    return checkin, short_links.grouped(short_links.short_code(checkin))


# A second builder, for the recall tests: one clinic's sessions on any lot, device and date. Its
# consent rows are paper ones and its plans have no zones, since a recall reads only the session.


@dataclass
class SessionBuilder:
    """Inserts treatment rows for one clinic's clients; test fixture only, not the product's way."""

    clinic: Clinic
    members: dict[Role, StaffMember]
    kb: KnowledgeBase
    template: ConsentTemplate | None = None
    ready: dict[int, tuple[Screening, Consent, TreatmentPlan]] = field(default_factory=dict)

    def client(self, given: str, family: str, phone: str = "+1 555 010 2030", email: str = "") -> Client:
        """A client of the clinic, added through the clients use case."""
        details = ClientDetails(given, family, date(1990, 5, 17), phone, email or f"{given.lower()}@example.org")
        return clients.create(actor_for(self.members[Role.FRONT_DESK]), details)

    def _records(self, client: Client) -> tuple[Screening, Consent, TreatmentPlan]:
        if client.pk in self.ready:
            return self.ready[client.pk]
        nurse = self.members[Role.NURSE]
        kb_version, kb_hash = self.kb.version.version, self.kb.version.content_hash
        if self.template is None:
            self.template = ConsentTemplate.objects.create(
                clinic=self.clinic,
                version=1,
                intro_en="Intro",
                intro_es="Intro",
                body_en="Risks",
                body_es="Riesgos",
                digest_en="0" * 64,
                digest_es="0" * 64,
                kb_version=kb_version,
                kb_hash=kb_hash,
                created_by_id=self.members[Role.OWNER].user_id,
            )
        screening = screenings.record(
            actor_for(nurse), client_id=client.pk, profile={"setting": "clinic", "age": 30}, kb=self.kb, lang=Lang.EN
        )
        consent = Consent.objects.create(
            clinic=self.clinic,
            client=client,
            template=self.template,
            version=1,
            lang="en",
            signed_text="I consent to microneedling.",
            text_digest="1" * 64,
            typed_name=f"{client.given_name} {client.family_name}",
            method="paper",
            signed_at=timezone.now(),
            recorded_by_id=nurse.user_id,
        )
        plan = TreatmentPlan.objects.create(
            clinic=self.clinic,
            client=client,
            goals=["texture"],
            sessions_planned=3,
            min_interval_days=28,
            kb_version=kb_version,
            kb_hash=kb_hash,
            created_by_id=nurse.user_id,
        )
        self.ready[client.pk] = (screening, consent, plan)
        return self.ready[client.pk]

    def session(  # noqa: PLR0913 - a session's facts
        self,
        client: Client,
        *,
        lot: str,
        serial: str,
        performed_at: datetime,
        device_serial: str = "PEN-0001",
        device_model: str = "Pen A6",
        zones: tuple[tuple[str, str], ...] = (("cheeks", "1.00"),),
        role: Role = Role.NURSE,
    ) -> TreatmentSession:
        """A recorded session with its zones."""
        screening, consent, plan = self._records(client)
        member = self.members[role]
        session = TreatmentSession.objects.create(
            clinic=self.clinic,
            client=client,
            plan=plan,
            practitioner_id=member.user_id,
            practitioner_role=role.value,
            performed_at=performed_at,
            device_model=device_model,
            device_kind="pen",
            device_serial=device_serial,
            cartridge_lot=lot,
            cartridge_serial=serial,
            cartridge_expiry=date(2032, 1, 31),
            passes=3,
            end_point="even erythema",
            screening=screening,
            consent=consent,
            kb_version=self.kb.version.version,
            kb_hash=self.kb.version.content_hash,
            recorded_by_id=member.user_id,
        )
        SessionZone.objects.bulk_create(
            [SessionZone(session=session, zone=zone, length_mm=Decimal(length)) for zone, length in zones]
        )
        return session

    def adverse_event(self, session: TreatmentSession) -> AdverseEvent:
        """An adverse event recorded against the session and its lot."""
        return AdverseEvent.objects.create(
            clinic=self.clinic,
            client_id=session.client_id,
            session=session,
            cartridge_lot=session.cartridge_lot,
            kind="infection",
            severity="mild",
            onset_on=session.performed_at.date() + timedelta(days=2),
            outcome="ongoing",
            description="Warmth and swelling on day 2.",
            recorded_by_id=self.members[Role.NURSE].user_id,
        )
