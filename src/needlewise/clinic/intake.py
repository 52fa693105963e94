"""From a person's result to a clinic: public clinic pages, consented requests, the intake queue.

Nothing reaches a clinic without the person's explicit consent to the exact text shown to them; the
text and its digest are stored with the request. The clinic turns a request into a client and a first
screening (re-assessed in the clinic setting) with one action.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from needlewise.clinic import audit
from needlewise.clinic.actor import Actor
from needlewise.clinic.clients import ClientDetails, checked, name_key, phone_digits
from needlewise.clinic.screenings import add_screening, clinic_assessment, store_document
from needlewise.domain.assessment import JsonValue
from needlewise.domain.permissions import Action, Role
from needlewise.domain.tier import Tier
from needlewise.domain.vocabulary import Lang
from needlewise.engine.evaluate import assess
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.errors import ConflictError, InvalidInputError, NotFoundError, Problem
from needlewise.services.profiles import parse_profile
from needlewise.storage.models import Client, Clinic, ConsultationRequest, StaffMember

#: Results a person may send to a clinic from their result page.
SENDABLE = frozenset({Tier.CLINIC, Tier.MEDICAL_REVIEW})
QUEUE_LIMIT = 100

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


def _public(clinic: Clinic) -> PublicClinic:
    roles: dict[str, int] = {}
    for member in StaffMember.objects.filter(clinic=clinic, user__is_active=True).exclude(role=Role.FRONT_DESK):
        roles[member.role] = roles.get(member.role, 0) + 1
    return PublicClinic(clinic.slug, clinic.name, clinic.city, clinic.services, clinic.accepts_requests, roles)


def directory() -> list[PublicClinic]:
    """Every clinic on this installation that takes requests, by city and name."""
    return [_public(c) for c in Clinic.objects.filter(accepts_requests=True).order_by("city", "name")]


def public_clinic(slug: str) -> PublicClinic:
    """One clinic's public page; NotFoundError if there is none."""
    clinic = Clinic.objects.filter(slug=slug).first()
    if clinic is None:
        raise NotFoundError([Problem("clinic", "no clinic with this address")])
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


def submit(  # noqa: PLR0913 - the request's parts
    actor: Actor, slug: str, *, profile: dict[str, JsonValue], form: RequestForm, kb: KnowledgeBase, lang: Lang
) -> ConsultationRequest:
    """Send a person's result to a clinic, with their consent; InvalidInputError names what is missing."""
    clinic = Clinic.objects.filter(slug=slug, accepts_requests=True).first()
    if clinic is None:
        raise NotFoundError([Problem("clinic", "this clinic does not take requests here")])
    assessment = assess(parse_profile(profile), kb, lang)
    if assessment.tier not in SENDABLE:
        raise ConflictError([Problem("result", "only a 'clinic' or 'medical review' result can be sent to a clinic")])
    problems = []
    if not form.consent:
        problems.append(Problem("consent", "tick the box to agree to what is shared, or nothing is sent"))
    if not (form.email.strip() or form.phone.strip()):
        problems.append(Problem("email", "give an e-mail address or a phone number so the clinic can reply"))
    if len(form.message.strip()) > 2000:  # noqa: PLR2004
        problems.append(Problem("message", "at most 2000 characters"))
    try:
        details = checked(
            ClientDetails(form.given_name, form.family_name, form.birth_date, form.phone, form.email),
            timezone.localdate(),
        )
    except InvalidInputError as invalid:
        problems.extend(invalid.problems)
    if problems:
        raise InvalidInputError(problems)
    text = consent_text(_public(clinic), lang)
    with transaction.atomic():
        request = ConsultationRequest.objects.create(
            clinic=clinic,
            lang=lang.value,
            contact_name=f"{details.given_name}\n{details.family_name}",
            contact_email=details.email,
            contact_phone=details.phone,
            birth_date=details.birth_date,
            message=form.message.strip(),
            profile=profile,
            tier=assessment.tier.value,
            kb_version=assessment.kb_version.version,
            kb_hash=assessment.kb_version.content_hash,
            document=store_document(assessment.to_json()),
            consent_text=text,
            consent_digest=hashlib.sha256(text.encode()).hexdigest(),
        )
        audit.record(actor, "create", "consultation_request", request.pk, clinic_id=clinic.pk)
    return request


def queue(actor: Actor, status: str = "open") -> list[ConsultationRequest]:
    """The clinic's requests with this status, newest first."""
    clinic_id = audit.require(actor, Action.MANAGE_INTAKE, "consultation_request")
    with transaction.atomic():
        rows = list(
            ConsultationRequest.objects.filter(clinic_id=clinic_id, status=status).order_by("-created_at")[:QUEUE_LIMIT]
        )
        audit.record(actor, "search", "consultation_request", detail={"shown": [r.pk for r in rows]})
    return rows


def _own_request(clinic_id: int, request_id: int) -> ConsultationRequest:
    request = ConsultationRequest.objects.select_related("document").filter(pk=request_id, clinic_id=clinic_id).first()
    if request is None:
        raise NotFoundError([Problem("request", "no such request in your clinic")])
    return request


@audit.records_not_found("consultation_request")
def get(actor: Actor, request_id: int) -> ConsultationRequest:
    """One request with its assessment (the read is recorded)."""
    clinic_id = audit.require(actor, Action.MANAGE_INTAKE, "consultation_request", request_id)
    with transaction.atomic():
        request = _own_request(clinic_id, request_id)
        audit.record(actor, "read", "consultation_request", request.pk, client_id=request.client_id)
    return request


@audit.records_not_found("consultation_request")
def accept(actor: Actor, request_id: int, kb: KnowledgeBase) -> Client:
    """Turn an open request into a client with a first screening in the clinic setting."""
    clinic_id = audit.require(actor, Action.MANAGE_INTAKE, "consultation_request", request_id)
    with transaction.atomic():
        request = _own_request(clinic_id, request_id)
        if request.status != "open":
            raise ConflictError([Problem("request", f"this request is already {request.status}")])
        given, _, family = request.contact_name.partition("\n")
        assert request.birth_date is not None  # noqa: S101 - submit() requires it
        client = Client.objects.create(
            clinic_id=clinic_id,
            given_name=given,
            family_name=family,
            given_key=name_key(given),
            family_key=name_key(family),
            birth_date=request.birth_date,
            phone=request.contact_phone,
            phone_digits=phone_digits(request.contact_phone),
            email=request.contact_email,
            notes=request.message,
            created_by_id=actor.staff_user_id,
        )
        audit.record(actor, "create", "client", client.pk, client_id=client.pk, detail={"from_request": request.pk})
        profile = dict(request.profile) if isinstance(request.profile, dict) else {}
        profile["setting"] = "clinic"
        # The person's home device is not what the clinic uses; the clinic's own (sterile, single-use)
        # device is recorded with each session, so its answers would only mislead this screening.
        profile.pop("device", None)
        assessment = clinic_assessment(profile, kb, Lang(request.lang))
        add_screening(
            actor, clinic_id=clinic_id, client=client, profile=profile, assessment=assessment, source="consumer_request"
        )
        request.status, request.handled_by_id, request.handled_at = "accepted", actor.staff_user_id, timezone.now()
        request.client = client
        request.save(update_fields=["status", "handled_by", "handled_at", "client"])
        audit.record(
            actor, "update", "consultation_request", request.pk, client_id=client.pk, detail={"status": "accepted"}
        )
    return client


@audit.records_not_found("consultation_request")
def decline(actor: Actor, request_id: int) -> ConsultationRequest:
    """Close an open request without making a client."""
    clinic_id = audit.require(actor, Action.MANAGE_INTAKE, "consultation_request", request_id)
    with transaction.atomic():
        request = _own_request(clinic_id, request_id)
        if request.status != "open":
            raise ConflictError([Problem("request", f"this request is already {request.status}")])
        request.status, request.handled_by_id, request.handled_at = "declined", actor.staff_user_id, timezone.now()
        request.save(update_fields=["status", "handled_by", "handled_at"])
        audit.record(actor, "update", "consultation_request", request.pk, detail={"status": "declined"})
    return request
