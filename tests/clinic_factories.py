"""Clinics built through their use cases, the way the product builds them (imported as ``clinic_factories``).

One home for what the clinic workspace tests (``tests/clinic``), the clinic page tests (``tests/web``)
and any other test need to stand up a clinic: the staff accounts' password, Profile v1 documents with
the tier the bundled knowledge base gives them, valid forms, the actor a staff member acts as, and
:func:`make_site`, a clinic with one staff member per role, a screened client and an open request.
``clinic.support`` and ``web.clinic.support`` re-export these next to their own helpers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from django.test import RequestFactory

from needlewise.bootstrap import knowledge_base
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.accounts import staff
from needlewise.clinic.accounts.staff import NewStaff
from needlewise.clinic.clients import clients
from needlewise.clinic.clients.client_form import ClientDetails
from needlewise.clinic.intake import public
from needlewise.clinic.intake.public import RequestForm
from needlewise.clinic.local_time import ClinicClock
from needlewise.clinic.records import screenings
from needlewise.clinic.records.screenings import ClearanceForm
from needlewise.domain.contact import Contact
from needlewise.domain.permissions import Role
from needlewise.domain.vocabulary import Lang
from needlewise.messaging.outbox import OutboxSender
from needlewise.services.ports import MessageSender
from needlewise.storage.models import Client, Clinic, ConsultationRequest, Screening, StaffMember
from needlewise.web.client_messages import ClientMessages

PASSWORD = "correct horse battery staple 42"  # noqa: S105 - the test accounts' password
ROLES = tuple(Role)

#: Profile v1 documents and the tier the bundled knowledge base gives them (checked in test_screenings).
CLINIC_OK: dict[str, Any] = {"setting": "clinic", "age": 30}
CLINIC_CAUTION: dict[str, Any] = {"setting": "clinic", "age": 30, "planned_products": ["unknown_serum"]}
CLINIC_CLINIC: dict[str, Any] = {"setting": "clinic", "age": 30, "goals": ["hair_loss"]}
CLINIC_REVIEW: dict[str, Any] = {"setting": "clinic", "age": 30, "history": ["keloid"]}
CLINIC_STOP: dict[str, Any] = {"setting": "clinic", "age": 30, "pregnant_or_breastfeeding": True}
HOME_OK: dict[str, Any] = {"setting": "home", "age": 30}
HOME_CLINIC: dict[str, Any] = {"setting": "home", "age": 30, "goals": ["acne_scars"]}
HOME_REVIEW: dict[str, Any] = {"setting": "home", "age": 35, "history": ["frequent_cold_sores"]}


def actor_for(member: StaffMember, ip: str = "", request_id: str = "") -> Actor:
    """The actor a signed-in staff member acts as in the use cases."""
    return staff.member_actor(member, ip, request_id)


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


SITE_TIME_ZONE = "Europe/Madrid"


def clinic_today() -> date:
    """Today on the test sites' calendar (their clinics are in Madrid): the day the use cases count by."""
    return ClinicClock.named(SITE_TIME_ZONE).today()


def clearance_form(today: date, **changes: Any) -> ClearanceForm:
    """A valid clearance decided today, for 90 days, with ``changes``."""
    base = ClearanceForm("Reviewed the history in person; cleared.", today, today + timedelta(days=90))
    return replace(base, **changes)


@dataclass
class Site:
    """One clinic with one staff member per role, a client screened ok then stop, and an open request."""

    clinic: Clinic
    members: dict[Role, StaffMember]
    client: Client
    ok: Screening
    stop: Screening
    request: ConsultationRequest
    client_name: str
    requester_name: str

    @property
    def owner(self) -> StaffMember:
        """The clinic's owner."""
        return self.members[Role.OWNER]

    @property
    def names(self) -> tuple[str, ...]:
        """The people's names this clinic holds: the client's given and family name, the requester's."""
        return (*self.client_name.split(" ", 1), self.requester_name)

    def actor(self, role: Role) -> Actor:
        """The actor of this clinic's staff member with ``role``."""
        return actor_for(self.members[role])


def site_contact(prefix: str) -> Contact:
    """The contact details :func:`make_site` gives a clinic: a phone (needed to record sessions) and more."""
    return Contact(
        phone=f"+34 (91) 555-{len(prefix):02d}-{sum(map(ord, prefix)) % 100:02d}",
        address=f"1 Main Street\n{prefix.title()}ville",
        out_of_hours=f"Out-of-hours nurse line of {prefix.title()}ville: 0800 000 000",
        time_zone=SITE_TIME_ZONE,
    )


def make_site(name: str, prefix: str, given: str, family: str) -> Site:
    """A clinic built through the use cases, every account with the password :data:`PASSWORD`.

    The client is ``given family``, screened ok then stop by the nurse; the open request, from
    ``Requester<Prefix> Fairweather``, needs a medical review. E-mail addresses end in ``@<prefix>.example.org``.
    """
    owner = staff.create_clinic(
        name=name,
        city=f"{prefix.title()}ville",
        owner_email=f"owner@{prefix}.example.org",
        owner_name=f"Owner {prefix}",
        owner_password=PASSWORD,
        contact=site_contact(prefix),
    )
    members = {Role.OWNER: owner}
    for role in ROLES[1:]:
        new = NewStaff(f"{role.value}@{prefix}.example.org", f"{role.value} {prefix}", role)
        member = staff.add_staff(actor_for(owner), new)
        member.user.set_password(PASSWORD)
        member.user.save(update_fields=["password"])
        members[role] = member
    client = clients.create(
        actor_for(members[Role.FRONT_DESK]),
        details(given_name=given, family_name=family, email=f"client@{prefix}.example.org"),
    )
    nurse, kb = actor_for(members[Role.NURSE]), knowledge_base()
    ok = screenings.record(nurse, client_id=client.pk, profile=CLINIC_OK, kb=kb, lang=Lang.EN)
    stop = screenings.record(nurse, client_id=client.pk, profile=CLINIC_STOP, kb=kb, lang=Lang.EN)
    requester = f"Requester{prefix.title()}"
    request = public.submit(
        Actor.anonymous("203.0.113.9", f"req-{prefix}"),
        owner.clinic.slug,
        profile=HOME_REVIEW,
        form=request_form(given_name=requester, family_name="Fairweather", email=f"req@{prefix}.example.org"),
        kb=kb,
        lang=Lang.EN,
    )
    return Site(owner.clinic, members, client, ok, stop, request, f"{given} {family}", requester)


def client_outbox() -> MessageSender:
    """The message queue as a page hands it to a use case: e-mails to clients get their unsubscribe link."""
    return ClientMessages(RequestFactory().get("/"), OutboxSender())
