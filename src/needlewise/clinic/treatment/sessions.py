"""Reading treatment sessions: one session, a client's latest, and what the session form starts from."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.access.guard import use_case
from needlewise.clinic.access.tenancy import access_client, access_session
from needlewise.clinic.audit import log as audit_log
from needlewise.clinic.records import plans
from needlewise.domain.permissions import Action
from needlewise.storage.models import Client, Clinic, TreatmentPlan, TreatmentSession


@use_case(Action.VIEW_HEALTH, "session", record="session_id", missing="session")
def get(actor: Actor, session_id: int) -> TreatmentSession:
    """One session of the actor's clinic with its zones (the read is recorded)."""
    session = access_session(actor, session_id, details=True)
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
    """What the session form needs: the client, their active plan with its planned zones, the clinic's phone."""

    client: Client
    plan: TreatmentPlan | None
    planned: dict[str, Decimal]
    clinic_phone: str = ""  # empty: no session can be recorded until the owner adds it


@use_case(Action.RECORD_TREATMENT, "session", client="client_id", missing="client")
def start(actor: Actor, client_id: int) -> SessionStart:
    """The client and their active plan, for the session form (the read is recorded)."""
    client = access_client(actor, client_id)
    plan = plans.active_plan(actor.staff_clinic_id, client.pk)
    audit_log.record(actor, "read", "client", client.pk, client_id=client.pk, detail={"health": True})
    planned = {z.zone: z.length_mm for z in plan.zones.all()} if plan else {}
    phone = Clinic.objects.values_list("phone", flat=True).get(pk=actor.staff_clinic_id)
    return SessionStart(client, plan, planned, phone)
