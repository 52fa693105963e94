"""From a person's result to a clinic: public clinic pages and consented requests.

Nothing reaches a clinic without the person's explicit consent to the exact text shown to them; the
text and its digest are stored with the request.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.audit import log as audit_log
from needlewise.clinic.clients.client_form import ClientDetails, checked
from needlewise.clinic.local_time import ClinicClock
from needlewise.clinic.records.screenings import store_document
from needlewise.domain.assessment import Assessment
from needlewise.domain.contact import Contact
from needlewise.domain.json_types import JsonValue
from needlewise.domain.permissions import Role
from needlewise.domain.tier import Tier
from needlewise.domain.vocabulary import Lang
from needlewise.engine.evaluate import assess
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.errors import N_, ConflictError, InvalidInputError, NotFoundError, Problem
from needlewise.services.profiles import parse_profile
from needlewise.storage.models import Clinic, ConsultationRequest, StaffMember

#: Results a person may send to a clinic from their result page.
SENDABLE = frozenset({Tier.CLINIC, Tier.MEDICAL_REVIEW})

CONSENT = {
    Lang.EN: (
        "I agree that needlewise sends {clinic} ({city}) my answers to this questionnaire, my result with "
        "its reasons, and the contact details and message I entered, so that the clinic can contact me about "
        "a consultation. Nothing else is shared. The clinic keeps this as part of its health records."
    ),
    Lang.ES: (
        "Acepto que needlewise envíe a {clinic} ({city}) mis respuestas a este cuestionario, mi resultado con "
        "sus motivos y los datos de contacto y el mensaje que he escrito, para que la clínica me contacte "
        "sobre una consulta. No se comparte nada más. La clínica lo guarda en sus registros de salud."
    ),
}


@dataclass(frozen=True, slots=True)
class PublicClinic:
    """What anyone may see about a clinic."""

    slug: str
    name: str
    city: str
    services: str
    accepts_requests: bool
    roles: dict[str, int]
    contact: Contact = field(default_factory=Contact)


def _public(clinic: Clinic) -> PublicClinic:
    roles: dict[str, int] = {}
    for member in StaffMember.objects.filter(clinic=clinic, user__is_active=True).exclude(role=Role.FRONT_DESK):
        roles[member.role] = roles.get(member.role, 0) + 1
    contact = Contact(clinic.phone, clinic.address, clinic.out_of_hours, clinic.time_zone)
    return PublicClinic(clinic.slug, clinic.name, clinic.city, clinic.services, clinic.accepts_requests, roles, contact)


def directory() -> list[PublicClinic]:
    """Every clinic on this installation that takes requests, by city and name."""
    return [_public(c) for c in Clinic.objects.filter(accepts_requests=True).order_by("city", "name")]


def public_clinic(slug: str) -> PublicClinic:
    """One clinic's public page; NotFoundError if there is none."""
    clinic = Clinic.objects.filter(slug=slug).first()
    if clinic is None:
        raise NotFoundError([Problem("clinic", N_("no clinic with this address"))])
    return _public(clinic)


def consent_text(clinic: PublicClinic, lang: Lang) -> str:
    """The exact sentence the person agrees to."""
    return CONSENT[lang].format(clinic=clinic.name, city=clinic.city)


@dataclass(frozen=True, slots=True)
class RequestForm:
    """What the person fills in to send their result."""

    given_name: str
    family_name: str
    birth_date: date | None
    email: str
    phone: str
    message: str
    consent: bool


def requesting_clinic(slug: str) -> Clinic:
    """The clinic behind ``slug`` if it takes requests; NotFoundError otherwise."""
    clinic = Clinic.objects.filter(slug=slug, accepts_requests=True).first()
    if clinic is None:
        raise NotFoundError([Problem("clinic", N_("this clinic does not take requests here"))])
    return clinic


def public_of(clinic: Clinic) -> PublicClinic:
    """What anyone may see about ``clinic``."""
    return _public(clinic)


def checked_form(clinic: Clinic, form: RequestForm, problems: list[Problem]) -> ClientDetails:
    """The contact details of ``form``; InvalidInputError naming every problem (``problems`` first)."""
    problems = list(problems)
    if not form.consent:
        problems.append(Problem("consent", N_("tick the box to agree to what is shared, or nothing is sent")))
    if not (form.email.strip() or form.phone.strip()):
        problems.append(Problem("email", N_("give an e-mail address or a phone number so the clinic can reply")))
    if len(form.message.strip()) > 2000:  # noqa: PLR2004
        problems.append(Problem("message", N_("at most 2000 characters")))
    try:
        details = checked(
            ClientDetails(form.given_name, form.family_name, form.birth_date, form.phone, form.email),
            ClinicClock.named(clinic.time_zone).today(),
        )
    except InvalidInputError as invalid:
        problems.extend(invalid.problems)
    if problems:
        raise InvalidInputError(problems)
    return details


@dataclass(frozen=True, slots=True)
class Sent:
    """What a request carries besides the contact details: the message, the answers, their assessment, the consent."""

    message: str
    profile: dict[str, JsonValue]
    assessment: Assessment
    consent_text: str
    journal: dict[str, JsonValue] | None = None


def store_request(actor: Actor, clinic: Clinic, lang: Lang, details: ClientDetails, sent: Sent) -> ConsultationRequest:
    """Write the request and its audit row in one transaction (the consent's text and digest with it)."""
    with transaction.atomic():
        request = ConsultationRequest.objects.create(
            clinic=clinic,
            lang=lang.value,
            contact_name=f"{details.given_name}\n{details.family_name}",
            contact_email=details.email,
            contact_phone=details.phone,
            birth_date=details.birth_date,
            message=sent.message.strip(),
            profile=sent.profile,
            tier=sent.assessment.tier.value,
            kb_version=sent.assessment.kb_version.version,
            kb_hash=sent.assessment.kb_version.content_hash,
            document=store_document(sent.assessment.to_json()),
            consent_text=sent.consent_text,
            consent_digest=text_digest(sent.consent_text),
            journal_summary=sent.journal,
        )
        detail: dict[str, object] | None = {"from": "journal"} if sent.journal is not None else None
        audit_log.record(actor, "create", "consultation_request", request.pk, clinic_id=clinic.pk, detail=detail)
    return request


def text_digest(text: str) -> str:
    """The SHA-256 digest of a consent text, as stored with the request."""
    return hashlib.sha256(text.encode()).hexdigest()


def submit(  # noqa: PLR0913 - the request's parts
    actor: Actor, slug: str, *, profile: dict[str, JsonValue], form: RequestForm, kb: KnowledgeBase, lang: Lang
) -> ConsultationRequest:
    """Send a person's result to a clinic, with their consent; InvalidInputError names what is missing."""
    clinic = requesting_clinic(slug)
    assessment = assess(parse_profile(profile), kb, lang)
    if assessment.tier not in SENDABLE:
        raise ConflictError(
            [Problem("result", N_("only a 'clinic' or 'medical review' result can be sent to a clinic"))]
        )
    details = checked_form(clinic, form, [])
    text = consent_text(_public(clinic), lang)
    return store_request(actor, clinic, lang, details, Sent(form.message, profile, assessment, text))
