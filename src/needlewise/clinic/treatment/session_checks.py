"""The checks made on the day before a session is recorded: facts gathered here, decided by the engine.

Each failed check comes with why and what to do, worded for translation (``Problem.worded``), so a
blocked practitioner knows the next step: screen again, ask a provider for a clearance, sign the
current consent, wait until a date, open a new cartridge, or hand over to a colleague in scope.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils.translation import gettext_noop

from needlewise.clinic.consent import signatures, versions
from needlewise.clinic.local_time import ClinicClock
from needlewise.clinic.treatment.finding_words import label, millimetres
from needlewise.domain.disposition import Disposition
from needlewise.domain.permissions import NEEDLE_SCOPE_MM, Role
from needlewise.domain.statuses import PlanStatus
from needlewise.domain.tier import Tier
from needlewise.domain.treatment import CheckCode, CheckResult, Finding
from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.engine.treatment import SessionFacts, length_findings, session_checks
from needlewise.errors import Problem
from needlewise.storage.models import (
    Clearance,
    Clinic,
    Consent,
    Screening,
    TreatmentPlan,
    TreatmentSession,
)

#: Why each check failed and what to do next (English templates, translated at the edge).
WORDS: Mapping[CheckCode, str] = {
    CheckCode.SCREENING_PRESENT: gettext_noop("The client has never been screened. Screen them before treatment."),
    CheckCode.SCREENING_CURRENT: gettext_noop(
        "The latest screening is out of date (valid until %(valid_until)s). Screen the client again today."
    ),
    CheckCode.SCREENING_TIER: gettext_noop(
        "The latest screening says “%(tier)s” and has no valid provider clearance. Ask a provider to "
        "review and clear it, or do not treat."
    ),
    CheckCode.CONSENT_CURRENT: gettext_noop(
        "The client has not signed the current consent (signed version %(signed)s, current version "
        "%(current)s). Have them sign the current version first."
    ),
    CheckCode.PLAN_ACTIVE: gettext_noop("The treatment plan is closed. Open a new plan for this client."),
    CheckCode.PLAN_SESSIONS_LEFT: gettext_noop(
        "Every session of the plan is done (%(done)s of %(planned)s recorded). Review the result and write a new "
        "plan for further sessions."
    ),
    CheckCode.INTERVAL: gettext_noop(
        "Too soon after the last session: the plan's minimum interval is %(min_days)s days, so the earliest "
        "date is %(earliest)s. Book the session for then."
    ),
    CheckCode.CARTRIDGE_EXPIRY: gettext_noop(
        "The cartridge expired on %(expiry)s. Discard it and open a new sterile cartridge."
    ),
    CheckCode.CARTRIDGE_UNUSED: gettext_noop(
        "This cartridge (lot and serial) has already been used on a client. A single-use cartridge is used "
        "once: open a new sterile cartridge."
    ),
    CheckCode.PRACTITIONER_SCOPE: gettext_noop(
        "%(length_mm)s mm on %(zone)s is above your scope (%(scope_mm)s mm). A nurse or provider must treat "
        "this zone, or use a needle within your scope."
    ),
    CheckCode.LENGTH_IN_RANGE: gettext_noop(
        "%(length_mm)s mm on %(zone)s is longer than the knowledge base's range for %(goal)s (up to "
        "%(max_mm)s mm). Use a shorter needle."
    ),
    CheckCode.CLINIC_PHONE: gettext_noop(
        "The clinic has no phone number, and clients are told to call it after treatment. The owner adds it "
        "on the clinic settings page (/clinic/settings/, under Contact details for clients)."
    ),
}


#: What each check is, for the list of checks passed.
NAMES: Mapping[CheckCode, str] = {
    CheckCode.SCREENING_PRESENT: gettext_noop("Client screened"),
    CheckCode.SCREENING_CURRENT: gettext_noop("Screening current"),
    CheckCode.SCREENING_TIER: gettext_noop("Screening result allows treatment (or a valid clearance)"),
    CheckCode.CONSENT_CURRENT: gettext_noop("Consent signed on the current version"),
    CheckCode.PLAN_ACTIVE: gettext_noop("Treatment plan active"),
    CheckCode.PLAN_SESSIONS_LEFT: gettext_noop("Sessions left in the plan"),
    CheckCode.INTERVAL: gettext_noop("Minimum interval since the last session"),
    CheckCode.CARTRIDGE_EXPIRY: gettext_noop("Cartridge not expired"),
    CheckCode.CARTRIDGE_UNUSED: gettext_noop("Cartridge never used before"),
    CheckCode.PRACTITIONER_SCOPE: gettext_noop("Needle length within your scope"),
    CheckCode.LENGTH_IN_RANGE: gettext_noop("Needle length within the knowledge base's range"),
    CheckCode.CLINIC_PHONE: gettext_noop("The clinic has a phone number for its clients"),
}


def explain(result: CheckResult, kb: KnowledgeBase, lang: Lang) -> Problem:
    """A failed check as a problem that names the check and says what to do (zones and goals in ``lang``)."""
    params = {key: _shown(key, value, kb, lang) for key, value in result.details.items()}
    return Problem.worded(result.code.value, WORDS[result.code], **params)


def _shown(key: str, value: str | float, kb: KnowledgeBase, lang: Lang) -> str:
    if key in {"valid_until", "earliest", "expiry"} and isinstance(value, int):
        return date.fromordinal(value).isoformat()
    if key == "tier":  # staff read a screening as its clinic disposition, never the consumer's tier code
        return Disposition.of_tier(Tier(str(value))).label(lang)
    if key in {"zone", "goal"}:
        return label(kb, "areas" if key == "zone" else "goals", value, lang)
    if isinstance(value, float):
        return millimetres(value)
    return str(value)


@dataclass(frozen=True, slots=True)
class DayFacts:
    """What the checks were run on, kept with the session for the record."""

    screening: Screening | None
    clearance: Clearance | None
    consent: Consent | None
    current_consent_version: int | None
    last_session: TreatmentSession | None


def gather(clinic: Clinic, client_id: int, today: date, at: datetime) -> DayFacts:
    """The client's latest screening and consent as of the session (``at``), its valid clearance, the last session.

    A session recorded afterwards is checked against what was on file when it took place: a screening or a
    signature made later does not cover it. Its time is entered to the minute, so what was on file by the end
    of that minute counts.
    """
    until = at.replace(second=0, microsecond=0) + timedelta(minutes=1)
    screening = (
        Screening.objects.filter(client_id=client_id, created_at__lt=until).order_by("-created_at", "-pk").first()
    )
    clearance = None
    if screening is not None:
        clearance = (
            Clearance.objects.filter(screening=screening, cleared_on__lte=today, expires_on__gte=today)
            .order_by("-expires_on")
            .first()
        )
    consent = signatures.latest_consent(clinic.pk, client_id, signed_before=until)
    current = versions.current_version(clinic.pk)
    last = TreatmentSession.objects.filter(client_id=client_id).order_by("-performed_at", "-pk").first()
    return DayFacts(screening, clearance, consent, current, last)


def run(  # noqa: PLR0913 - the checks look at all of these
    kb: KnowledgeBase,
    *,
    clinic: Clinic,
    role: Role,
    plan: TreatmentPlan,
    facts: DayFacts,
    today: date,
    zones: Mapping[str, Decimal],
    cartridge: tuple[str, str, date],
) -> tuple[tuple[CheckResult, ...], tuple[Finding, ...]]:
    """Every check's result and the length findings for these zones (warnings included)."""
    lot, serial, expiry = cartridge
    findings = length_findings(
        kb.treatment, plan.goals, {z: float(mm) for z, mm in zones.items()}, NEEDLE_SCOPE_MM[role]
    )
    screening, clock = facts.screening, ClinicClock.named(clinic.time_zone)
    session_facts = SessionFacts(
        today=today.toordinal(),
        screening_on=clock.day_of(screening.created_at).toordinal() if screening else None,
        screening_tier=Tier(screening.tier) if screening else None,
        screening_valid_days=clinic.screening_valid_days,
        cleared_until=facts.clearance.expires_on.toordinal() if facts.clearance else None,
        consent_version=facts.consent.version if facts.consent else None,
        current_consent_version=facts.current_consent_version,
        plan_active=plan.status == PlanStatus.ACTIVE,
        last_session_on=(clock.day_of(facts.last_session.performed_at).toordinal() if facts.last_session else None),
        min_interval_days=plan.min_interval_days,
        cartridge_expiry=expiry.toordinal(),
        cartridge_used=TreatmentSession.objects.filter(
            clinic=clinic, cartridge_lot=lot, cartridge_serial=serial
        ).exists(),
        length_findings=findings,
        sessions_planned=plan.sessions_planned,
        sessions_done=TreatmentSession.objects.filter(plan=plan).count(),
        clinic_has_phone=bool(clinic.phone.strip()),
    )
    return session_checks(session_facts), findings
