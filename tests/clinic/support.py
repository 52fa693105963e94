"""Builders and helpers shared by the clinic workspace tests (imported as ``clinic.support``)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.accounts import staff
from needlewise.clinic.accounts.staff import NewStaff
from needlewise.clinic.intake import public
from needlewise.clinic.intake.public import RequestForm
from needlewise.clinic.records import clients, screenings
from needlewise.clinic.records.clients import ClientDetails
from needlewise.clinic.records.screenings import ClearanceForm
from needlewise.domain.permissions import Role
from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.storage.models import (
    AdverseEvent,
    Appointment,
    AssessmentDocument,
    AuditEntry,
    CheckIn,
    Clearance,
    Client,
    Clinic,
    Consent,
    ConsentTemplate,
    ConsultationRequest,
    LoginFailure,
    PlanZone,
    RecallContact,
    SavedResult,
    Screening,
    SessionPhoto,
    SessionZone,
    StaffMember,
    TreatmentPlan,
    TreatmentSession,
)

ON_POSTGRESQL = "postgresql" in str(settings.DATABASES["default"]["ENGINE"])
PASSWORD = "correct horse battery staple 42"  # noqa: S105 - the test accounts' password

#: Profile v1 documents and the tier the bundled knowledge base gives them (checked in test_screenings).
CLINIC_OK: dict[str, Any] = {"setting": "clinic", "age": 30}
CLINIC_CAUTION: dict[str, Any] = {"setting": "clinic", "age": 30, "planned_products": ["unknown_serum"]}
CLINIC_CLINIC: dict[str, Any] = {"setting": "clinic", "age": 30, "goals": ["hair_loss"]}
CLINIC_REVIEW: dict[str, Any] = {"setting": "clinic", "age": 30, "history": ["keloid"]}
CLINIC_STOP: dict[str, Any] = {"setting": "clinic", "age": 30, "pregnant_or_breastfeeding": True}
HOME_OK: dict[str, Any] = {"setting": "home", "age": 30}
HOME_CLINIC: dict[str, Any] = {"setting": "home", "age": 30, "goals": ["acne_scars"]}
HOME_REVIEW: dict[str, Any] = {"setting": "home", "age": 35, "history": ["frequent_cold_sores"]}

#: Tables other than the audit log (whose rows every refusal adds), compared row by row.
WATCHED = (Clinic, StaffMember, User, Client, AssessmentDocument, Screening, Clearance, ConsultationRequest)
WATCHED += (LoginFailure, SavedResult, ConsentTemplate, Consent, TreatmentPlan, PlanZone, TreatmentSession)
WATCHED += (SessionZone, SessionPhoto, CheckIn, AdverseEvent, RecallContact, Appointment)


def actor_for(member: StaffMember, ip: str = "", request_id: str = "") -> Actor:
    """The actor a signed-in staff member acts as."""
    return Actor.staff(member.user_id, member.clinic_id, Role(member.role), ip, request_id)


def details(**changes: Any) -> ClientDetails:
    """Valid client details, with ``changes``."""
    base = ClientDetails("Ada", "Lovelace", date(1990, 5, 17), "+1 (555) 010-2030", "ada@example.org", "")
    return replace(base, **changes)


def request_form(**changes: Any) -> RequestForm:
    """A valid consultation request form, with ``changes``."""
    base = RequestForm(
        "Ottoline", "Marchbanks", date(1988, 2, 3), "otto@example.org", "", "Please call me.", consent=True
    )
    return replace(base, **changes)


def clearance_form(today: date, **changes: Any) -> ClearanceForm:
    """A valid clearance decided today, for 90 days, with ``changes``."""
    base = ClearanceForm("Reviewed the history in person; cleared.", today, today + timedelta(days=90))
    return replace(base, **changes)


@dataclass
class Site:
    """One clinic with one staff member per role, a screened client and an open request."""

    clinic: Clinic
    members: dict[Role, StaffMember]
    client: Client
    stop: Screening
    ok: Screening
    request: ConsultationRequest
    names: tuple[str, ...] = field(default=())

    def actor(self, role: Role) -> Actor:
        """The actor of this clinic's staff member with ``role``."""
        return actor_for(self.members[role])


def make_site(kb: KnowledgeBase, name: str, prefix: str, client_names: tuple[str, str]) -> Site:
    """Build a clinic through its use cases, the way the product does."""
    owner = staff.create_clinic(
        name=name,
        city=f"{prefix.title()}ville",
        owner_email=f"owner@{prefix}.example.org",
        owner_name=f"Owner {prefix}",
        owner_password=PASSWORD,
    )
    members = {Role.OWNER: owner}
    for role in (Role.PROVIDER, Role.NURSE, Role.AESTHETICIAN, Role.FRONT_DESK):
        new = NewStaff(f"{role.value}@{prefix}.example.org", f"{role.value} {prefix}", role)
        members[role] = staff.add_staff(actor_for(owner), new)
    client = clients.create(
        actor_for(members[Role.FRONT_DESK]),
        details(given_name=client_names[0], family_name=client_names[1], email=f"client@{prefix}.example.org"),
    )
    nurse = actor_for(members[Role.NURSE])
    ok = screenings.record(nurse, client_id=client.pk, profile=CLINIC_OK, kb=kb, lang=Lang.EN)
    stop = screenings.record(nurse, client_id=client.pk, profile=CLINIC_STOP, kb=kb, lang=Lang.EN)
    request = public.submit(
        Actor.anonymous("203.0.113.9", f"req-{prefix}"),
        owner.clinic.slug,
        profile=HOME_REVIEW,
        form=request_form(given_name=f"Requester{prefix.title()}", family_name="Fairweather"),
        kb=kb,
        lang=Lang.EN,
    )
    return Site(owner.clinic, members, client, stop, ok, request, (*client_names, f"Requester{prefix.title()}"))


def last_seq() -> int:
    """The audit log's last position (0 when empty)."""
    entry = AuditEntry.objects.order_by("-seq").first()
    return entry.seq if entry else 0


def rows_after(seq: int) -> list[AuditEntry]:
    """Audit rows written after position ``seq``, oldest first."""
    return list(AuditEntry.objects.filter(seq__gt=seq).order_by("seq"))


def summary(entry: AuditEntry) -> tuple[object, ...]:
    """An audit row's who/what/where: actor, role, clinic, action, object type and id, client, outcome."""
    return (
        entry.actor,
        entry.actor_role,
        entry.clinic_id,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.client_id,
        entry.outcome,
    )


def expected(  # noqa: PLR0913 - an audit row's facts
    actor: Actor,
    action: str,
    object_type: str,
    object_id: object = "",
    *,
    client_id: int | None = None,
    outcome: str = "success",
    clinic_id: int | None = None,
) -> tuple[object, ...]:
    """The summary an audit row written by ``actor`` should have."""
    role = actor.role.value if actor.role else ""
    clinic = clinic_id if clinic_id is not None else actor.clinic_id
    return (actor.actor_id, role, clinic, action, object_type, str(object_id), client_id, outcome)


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table except the audit log's, to show that a refused call changed nothing."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in WATCHED}
