"""The clinic's intake inbox: consultation requests, turned into a client and a first screening.

The clinic turns a request into a client and a first screening (re-assessed in the clinic setting)
with one action.
"""

from __future__ import annotations

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.access.guard import use_case
from needlewise.clinic.access.tenancy import access_request
from needlewise.clinic.audit import log as audit_log
from needlewise.clinic.clients import search_index
from needlewise.clinic.clients.client_form import phone_digits
from needlewise.clinic.clients.clients import name_key, words_key
from needlewise.clinic.records.screenings import _add_screening, clinic_assessment  # _add_screening: package-private
from needlewise.domain.permissions import Action
from needlewise.domain.statuses import RequestStatus, ScreeningSource
from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.errors import N_, ConflictError, Problem
from needlewise.storage.models import Client, ConsultationRequest

QUEUE_LIMIT = 100
#: Why a request can no longer be accepted or declined, by its status.
_HANDLED = {
    RequestStatus.ACCEPTED.value: N_("this request is already accepted"),
    RequestStatus.DECLINED.value: N_("this request is already declined"),
}


@use_case(Action.MANAGE_INTAKE, "consultation_request")
def queue(actor: Actor, status: str = RequestStatus.OPEN.value) -> list[ConsultationRequest]:
    """The clinic's requests with this status, newest first (``from_journal``: a home journal's referral)."""
    rows: list[ConsultationRequest] = [
        *ConsultationRequest.objects.filter(clinic_id=actor.staff_clinic_id, status=status)
        .defer("journal_summary")  # the list only says whether there is one: not unsealed per row
        .annotate(from_journal=ExpressionWrapper(Q(journal_summary__isnull=False), output_field=BooleanField()))
        .order_by("-created_at")[:QUEUE_LIMIT]
    ]
    audit_log.record(actor, "search", "consultation_request", detail={"shown": [r.pk for r in rows]})
    return rows


@use_case(Action.MANAGE_INTAKE, "consultation_request", record="request_id", missing="consultation_request")
def get(actor: Actor, request_id: int) -> ConsultationRequest:
    """One request with its assessment (the read is recorded)."""
    request = access_request(actor, request_id)
    audit_log.record(actor, "read", "consultation_request", request.pk, client_id=request.client_id)
    return request


@use_case(Action.MANAGE_INTAKE, "consultation_request", record="request_id", missing="consultation_request")
def accept(actor: Actor, request_id: int, kb: KnowledgeBase) -> Client:
    """Turn an open request into a client with a first screening in the clinic setting."""
    request = access_request(actor, request_id)
    if request.status != RequestStatus.OPEN:
        raise ConflictError([Problem("request", _HANDLED[request.status])])
    given, _, family = request.contact_name.partition("\n")
    assert request.birth_date is not None  # noqa: S101 - submit() requires it
    client = Client.objects.create(
        clinic_id=actor.staff_clinic_id,
        given_name=given,
        family_name=family,
        given_key=name_key(given),
        family_key=name_key(family),
        name_words=words_key(given, family),
        birth_date=request.birth_date,
        phone=request.contact_phone,
        phone_digits=phone_digits(request.contact_phone),
        email=request.contact_email,
        clinical_notes=request.message,  # the person's own words may be about their health
        created_by_id=actor.staff_user_id,
    )
    search_index.write(client, new=True)
    audit_log.record(actor, "create", "client", client.pk, client_id=client.pk, detail={"from_request": request.pk})
    profile = dict(request.profile) if isinstance(request.profile, dict) else {}
    profile["setting"] = "clinic"
    # The person's home device is not what the clinic uses; the clinic's own (sterile, single-use)
    # device is recorded with each session, so its answers would only mislead this screening.
    profile.pop("device", None)
    assessment = clinic_assessment(profile, kb, Lang(request.lang))
    _add_screening(
        actor,
        clinic_id=actor.staff_clinic_id,
        client=client,
        profile=profile,
        assessment=assessment,
        source=ScreeningSource.CONSUMER_REQUEST.value,
    )
    request.status, request.handled_by_id, request.handled_at = (
        RequestStatus.ACCEPTED.value,
        actor.staff_user_id,
        timezone.now(),
    )
    request.client = client
    request.save(update_fields=["status", "handled_by", "handled_at", "client"])
    audit_log.record(
        actor, "update", "consultation_request", request.pk, client_id=client.pk, detail={"status": "accepted"}
    )
    return client


@use_case(Action.MANAGE_INTAKE, "consultation_request", record="request_id", missing="consultation_request")
def decline(actor: Actor, request_id: int) -> ConsultationRequest:
    """Close an open request without making a client."""
    request = access_request(actor, request_id)
    if request.status != RequestStatus.OPEN:
        raise ConflictError([Problem("request", _HANDLED[request.status])])
    request.status, request.handled_by_id, request.handled_at = (
        RequestStatus.DECLINED.value,
        actor.staff_user_id,
        timezone.now(),
    )
    request.save(update_fields=["status", "handled_by", "handled_at"])
    audit_log.record(actor, "update", "consultation_request", request.pk, detail={"status": "declined"})
    return request
