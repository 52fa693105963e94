"""Break-glass: a staff member whose role does not see health data opens one client's record in an emergency.

They write why (at least 20 characters); the opening lasts ``BREAK_GLASS_MINUTES`` (30) and covers that
one client's record page (status, screenings and clearances), each read flagged ``break_glass`` in
the audit log. The opening itself is an audit row of its own, and the clinic's owners see every
opening, with its reason, on the Audit page. It goes through the guarded path like any use case:
the client must be of the actor's clinic, and a role that already sees health data has no need of it.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.access.guard import use_case
from needlewise.clinic.access.tenancy import access_client
from needlewise.clinic.audit import log as audit_log
from needlewise.domain.permissions import Action
from needlewise.errors import N_, ConflictError, InvalidInputError, Problem
from needlewise.storage.models import EmergencyAccess, StaffMember

REASON_LENGTH = (20, 1000)
#: How many past openings the owners' list shows.
LISTED = 50


@use_case(Action.VIEW_CLIENTS, "client", record="client_id", client="client_id", missing="client")
def open_emergency_access(actor: Actor, client_id: int, reason: str) -> EmergencyAccess:
    """Open one client's health record for ``BREAK_GLASS_MINUTES``, with a written reason (audited, flagged)."""
    client = access_client(actor, client_id)
    if actor.may(Action.VIEW_HEALTH):
        raise ConflictError([Problem("client", N_("your role already shows this client's health record"))])
    text = reason.strip()
    if not REASON_LENGTH[0] <= len(text) <= REASON_LENGTH[1]:
        low, high = (str(n) for n in REASON_LENGTH)
        why = N_("write why, in %(low)s to %(high)s characters")
        raise InvalidInputError([Problem.worded("reason", why, low=low, high=high)])
    now = timezone.now()
    opening = EmergencyAccess.objects.create(
        clinic_id=actor.staff_clinic_id,
        staff=StaffMember.objects.get(user_id=actor.staff_user_id),
        client=client,
        reason=text,
        opened_at=now,
        expires_at=now + timedelta(minutes=settings.BREAK_GLASS_MINUTES),
    )
    audit_log.record(
        actor,
        "break_glass",
        "client",
        client.pk,
        client_id=client.pk,
        detail={"opening": opening.pk, "minutes": settings.BREAK_GLASS_MINUTES},
    )
    return opening


def open_until(staff_user_id: int, client_id: int) -> EmergencyAccess | None:
    """The staff member's live opening of this client's record, if any (the record use case asks)."""
    return (
        EmergencyAccess.objects.filter(staff__user_id=staff_user_id, client_id=client_id, expires_at__gt=timezone.now())
        .order_by("-expires_at")
        .first()
    )


@use_case(Action.VIEW_AUDIT, "emergency_access")
def recent_openings(actor: Actor) -> list[EmergencyAccess]:
    """The clinic's latest break-glass openings, newest first, with who opened them (owners only)."""
    rows = list(
        EmergencyAccess.objects.filter(clinic_id=actor.staff_clinic_id)
        .select_related("staff")
        .order_by("-opened_at")[:LISTED]
    )
    audit_log.record(actor, "search", "emergency_access", detail={"shown": [r.pk for r in rows]})
    return rows
