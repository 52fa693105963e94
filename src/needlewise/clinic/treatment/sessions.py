"""Reading treatment sessions: one session, a client's latest, and what the session form starts from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.access.guard import use_case
from needlewise.clinic.access.tenancy import access_client, access_session
from needlewise.clinic.audit import log as audit_log
from needlewise.clinic.local_time import ClinicClock
from needlewise.clinic.records import plans
from needlewise.clinic.treatment.finding_words import millimetres
from needlewise.domain.permissions import Action
from needlewise.engine.knowledge import KnowledgeBase
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
    """What the session form needs: the client, their active plan with its planned zones, the clinic's phone.

    Also the clinic's time zone and the practitioner's last session in this clinic (its device and lot are offered).
    """

    client: Client
    plan: TreatmentPlan | None
    planned: dict[str, Decimal]
    clinic_phone: str = ""  # empty: no session can be recorded until the owner adds it
    time_zone: str = "UTC"
    last: TreatmentSession | None = None


@use_case(Action.RECORD_TREATMENT, "session", client="client_id", missing="client")
def start(actor: Actor, client_id: int) -> SessionStart:
    """The client and their active plan, for the session form (the read is recorded)."""
    client = access_client(actor, client_id)
    plan = plans.active_plan(actor.staff_clinic_id, client.pk)
    audit_log.record(actor, "read", "client", client.pk, client_id=client.pk, detail={"health": True})
    planned = {z.zone: z.length_mm for z in plan.zones.all()} if plan else {}
    phone, zone = Clinic.objects.values_list("phone", "time_zone").get(pk=actor.staff_clinic_id)
    last = (
        TreatmentSession.objects.filter(clinic_id=actor.staff_clinic_id, practitioner_id=actor.staff_user_id)
        .only("device_model", "device_kind", "device_serial", "cartridge_lot", "cartridge_expiry")
        .order_by("-pk")
        .first()
    )
    return SessionStart(client, plan, planned, phone, zone, last)


def first_values(begun: SessionStart, now: datetime) -> dict[str, object]:
    """Step 1 as the form first shows it: now in the clinic's time, the planned lengths, the last device and lot.

    The device and the cartridge lot (with its expiry) are those of the practitioner's last session, to be
    changed if another is used; the cartridge's serial number is never offered: a cartridge is used once.
    """
    here = ClinicClock.named(begun.time_zone).local(now)
    values: dict[str, object] = {
        "performed_date": here.date().isoformat(),
        "performed_time": here.strftime("%H:%M"),
        **{f"zone_{zone}": millimetres(mm) for zone, mm in begun.planned.items()},
    }
    if begun.last is not None:
        last = begun.last
        values |= {
            "device_model": last.device_model,
            "device_kind": last.device_kind,
            "device_serial": last.device_serial,
            "cartridge_lot": last.cartridge_lot,
            "cartridge_expiry": last.cartridge_expiry.isoformat(),
        }
    return values


def treatment_values(begun: SessionStart, kb: KnowledgeBase) -> dict[str, object]:
    """Step 2 as the form first shows it: the plan's products (those a session applies), the client's language."""
    planned = begun.plan.products if begun.plan is not None else []
    offered = kb.vocabulary["planned_products"]
    return {"products_applied": tuple(p for p in planned if p in offered), "lang": begun.client.language}
