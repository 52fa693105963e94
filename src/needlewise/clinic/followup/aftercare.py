"""The facts of a session that its aftercare sheet shows, gathered for :mod:`needlewise.reports.aftercare`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.access.guard import use_case
from needlewise.clinic.access.tenancy import access_session
from needlewise.clinic.audit import log as audit_log
from needlewise.clinic.followup.checkin_tokens import session_checkins
from needlewise.clinic.followup.checkins import session_day
from needlewise.clinic.local_time import ClinicClock
from needlewise.domain.contact import Contact
from needlewise.domain.permissions import Action
from needlewise.domain.vocabulary import Lang
from needlewise.reports.aftercare import SessionSheet
from needlewise.storage.models import Clinic, SessionZone


@dataclass(frozen=True, slots=True)
class AftercareFacts:
    """The sheet's session facts, the check-ins' days, dates and short codes, and the client's language."""

    session_id: int
    client_id: int
    client_name: str
    sheet: SessionSheet
    checkins: tuple[tuple[int, date, str], ...]
    lang: Lang | None


@use_case(Action.VIEW_HEALTH, "aftercare", record="session_id", missing="session")
def aftercare_facts(actor: Actor, session_id: int) -> AftercareFacts:
    """What the aftercare sheet of a session says (the read is recorded).

    ``lang`` is the language the check-ins were scheduled in (the client's), if there are any.
    """
    session = access_session(actor, session_id)
    zones = tuple((z.zone, z.length_mm) for z in SessionZone.objects.filter(session=session).order_by("zone"))
    products = tuple(str(p) for p in session.products_applied)
    checkins = session_checkins(session)
    name, *details = Clinic.objects.values_list("name", "phone", "address", "out_of_hours", "time_zone").get(
        pk=actor.staff_clinic_id
    )
    contact = Contact(*details)
    sheet = SessionSheet(
        clinic_name=name,
        session_on=session_day(session, ClinicClock.named(contact.time_zone)),
        zones=zones,
        products=products,
        contact=contact,
    )
    audit_log.record(actor, "read", "aftercare", session.pk, client_id=session.client_id)
    return AftercareFacts(
        session_id=session.pk,
        client_id=session.client_id,
        client_name=f"{session.client.given_name} {session.client.family_name}",
        sheet=sheet,
        checkins=tuple((c.checkin.day, c.checkin.due_on, c.short_code) for c in checkins),
        lang=Lang(checkins[0].checkin.lang) if checkins else None,
    )
