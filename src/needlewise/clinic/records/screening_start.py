"""Starting a clinic screening: the client, and their age on the clinic's day from the date of birth on file.

The staff screening does not ask "How old are you?": the client's date of birth is on the record,
and their age is worked out on today's date in the clinic's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.access.guard import use_case
from needlewise.clinic.access.tenancy import access_client
from needlewise.clinic.audit import log as audit_log
from needlewise.clinic.local_time import clock_of
from needlewise.domain.permissions import Action
from needlewise.storage.models import Client


@dataclass(frozen=True, slots=True)
class ScreeningStart:
    """Who is being screened, and their age today."""

    client: Client
    age: int


def age_on(birth: date, today: date) -> int:
    """Whole years from ``birth`` to ``today`` (a birthday on 29 February comes on 1 March in other years)."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


@use_case(Action.SCREEN_CLIENTS, "client", record="client_id", client="client_id", missing="client")
def start(actor: Actor, client_id: int) -> ScreeningStart:
    """The client to screen (the read is recorded) and their age on the clinic's today."""
    client = access_client(actor, client_id)
    today = clock_of(actor.staff_clinic_id).today()
    audit_log.record(actor, "read", "client", client.pk, client_id=client.pk)
    return ScreeningStart(client, age_on(client.birth_date, today))
