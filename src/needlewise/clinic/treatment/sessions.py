"""Reading treatment sessions: one session, a client's latest, and what the session form starts from."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from needlewise.clinic.access import gate
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.audit import log as audit_log
from needlewise.clinic.records import plans
from needlewise.domain.permissions import Action
from needlewise.errors import NotFoundError, Problem
from needlewise.storage.models import Client, TreatmentPlan, TreatmentSession


@gate.records_not_found("session")
def get(actor: Actor, session_id: int) -> TreatmentSession:
    """One session of the actor's clinic with its zones (the read is recorded)."""
    clinic_id = gate.require(actor, Action.VIEW_HEALTH, "session", session_id)
    with transaction.atomic():
        session = (
            TreatmentSession.objects.select_related("client", "plan", "practitioner__staff")
            .prefetch_related("zones")
            .filter(pk=session_id, clinic_id=clinic_id)
            .first()
        )
        if session is None:
            raise NotFoundError([Problem("session", "no such session in your clinic")])
        audit_log.record(actor, "read", "session", session.pk, client_id=session.client_id)
    return session


def sessions_of(clinic_id: int, client_id: int, limit: int = 50) -> list[TreatmentSession]:
    """A client's latest sessions (for pages whose own use case already audited the read)."""
    return list(
        TreatmentSession.objects.filter(clinic_id=clinic_id, client_id=client_id)
        .select_related("practitioner__staff")
        .prefetch_related("zones")
        .order_by("-performed_at", "-pk")[:limit]
    )


@dataclass(frozen=True, slots=True)
class SessionStart:
    """What the session form needs: the client and their active plan with its planned zones."""

    client: Client
    plan: TreatmentPlan | None
    planned: dict[str, Decimal]


@gate.records_not_found("client")
def start(actor: Actor, client_id: int) -> SessionStart:
    """The client and their active plan, for the session form (the read is recorded)."""
    clinic_id = gate.require(actor, Action.RECORD_TREATMENT, "session", "", client_id)
    with transaction.atomic():
        client = Client.objects.filter(pk=client_id, clinic_id=clinic_id).first()
        if client is None:
            raise NotFoundError([Problem("client", "no such client in your clinic")])
        plan = plans.active_plan(clinic_id, client.pk)
        audit_log.record(actor, "read", "client", client.pk, client_id=client.pk, detail={"health": True})
    planned = {z.zone: z.length_mm for z in plan.zones.all()} if plan else {}
    return SessionStart(client, plan, planned)
