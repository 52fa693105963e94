"""Builders and helpers for the clinic page tests (imported as ``web.clinic.support``)."""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

import orjson
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client

from factories import no_answer
from needlewise.bootstrap import knowledge_base
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.accounts import staff
from needlewise.clinic.accounts.staff import NewStaff
from needlewise.clinic.intake import public
from needlewise.clinic.intake.public import RequestForm
from needlewise.clinic.records import clients, screenings
from needlewise.clinic.records.clients import ClientDetails
from needlewise.domain.permissions import Role
from needlewise.domain.vocabulary import Lang
from needlewise.services.questionnaire import Interview, read_answer
from needlewise.storage.models import Client as ClientRow
from needlewise.storage.models import Clinic, ConsultationRequest, Screening, StaffMember

PASSWORD = "correct horse battery staple 42"  # noqa: S105 - the test accounts' password
SESSION_COOKIE = "nw-session"
ROLES = tuple(Role)

CLINIC_OK: dict[str, Any] = {"setting": "clinic", "age": 30}
CLINIC_STOP: dict[str, Any] = {"setting": "clinic", "age": 30, "pregnant_or_breastfeeding": True}
HOME_REVIEW: dict[str, Any] = {"setting": "home", "age": 35, "history": ["frequent_cold_sores"]}

#: Tables whose rows a GET may add or change: the audit log (and its head row) and the sessions.
BOOKKEEPING = frozenset({"audit_entry", "audit_head", "django_session"})


@dataclass
class Site:
    """One clinic with one staff member per role, a client screened ok then stop, and an open request."""

    clinic: Clinic
    members: dict[Role, StaffMember]
    client: ClientRow
    ok: Screening
    stop: Screening
    request: ConsultationRequest
    client_name: str
    requester_name: str

    @property
    def owner(self) -> StaffMember:
        """The clinic's owner."""
        return self.members[Role.OWNER]


def actor_for(member: StaffMember) -> Actor:
    """The actor a staff member acts as in the use cases."""
    return Actor.staff(member.user_id, member.clinic_id, Role(member.role))


def make_site(name: str, prefix: str, given: str, family: str) -> Site:
    """A clinic built through the use cases, every account with the password :data:`PASSWORD`."""
    owner = staff.create_clinic(
        name=name,
        city=f"{prefix.title()}ville",
        owner_email=f"owner@{prefix}.example.org",
        owner_name=f"Owner {prefix}",
        owner_password=PASSWORD,
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
        ClientDetails(given, family, date(1990, 5, 17), "+1 555 010 2030", f"client@{prefix}.example.org"),
    )
    nurse, kb = actor_for(members[Role.NURSE]), knowledge_base()
    ok = screenings.record(nurse, client_id=client.pk, profile=CLINIC_OK, kb=kb, lang=Lang.EN)
    stop = screenings.record(nurse, client_id=client.pk, profile=CLINIC_STOP, kb=kb, lang=Lang.EN)
    requester = f"Requester{prefix.title()}"
    request = public.submit(
        Actor.anonymous("203.0.113.9", f"req-{prefix}"),
        owner.clinic.slug,
        profile=HOME_REVIEW,
        form=RequestForm(
            requester, "Fairweather", date(1988, 2, 3), f"req@{prefix}.example.org", "", "Hi", consent=True
        ),
        kb=kb,
        lang=Lang.EN,
    )
    return Site(owner.clinic, members, client, ok, stop, request, f"{given} {family}", requester)


def signed_in(client: Client, member: StaffMember) -> Client:
    """Sign ``member`` in on ``client`` as a full sign-in would (second factor passed), now."""
    client.force_login(member.user)
    session = client.session
    now = time.time()
    session["nw_verified"] = True
    session["nw_seen"] = now
    session["nw_signed_in_at"] = now
    session.save()
    return client


def staff_client(member: StaffMember) -> Client:
    """A fresh browser with ``member`` signed in."""
    return signed_in(Client(HTTP_ACCEPT_LANGUAGE="en"), member)


def session_key(client: Client) -> str | None:
    """The session cookie's value in ``client``'s cookie jar, if any."""
    morsel = client.cookies.get(SESSION_COOKIE)
    return morsel.value if morsel is not None and morsel.value else None


def session_exists(key: str | None) -> bool:
    """Whether a session row with this key is stored."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_session WHERE session_key = %s", [key])
        (count,) = cursor.fetchone()
    return bool(count)


def table_hashes(skip: frozenset[str] = BOOKKEEPING) -> dict[str, str]:
    """A digest of every row of every table (except ``skip``), to show that nothing changed."""
    digests = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            if table in skip:
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - table names from the schema
            rows = sorted(repr(row) for row in cursor.fetchall())
            digests[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return digests


def body(response: Any) -> str:
    """A response's text (streaming ones joined)."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def without_tokens(text: str) -> str:
    """A page with its CSRF tokens blanked (they differ on every response)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken" value=""', text)


def walked_state(answers: dict[str, str]) -> str:
    """The ``state`` of a questionnaire answered to its end: ``answers`` by question id, "none"/"no" for the rest."""
    kb = knowledge_base()
    interview = Interview(kb)
    while (question := interview.next_question()) is not None:
        interview.answer(question, read_answer(question, answers.get(question.question_id) or no_answer(question)))
    return orjson.dumps(interview.to_state()).decode()


def interview_state(answers: dict[str, str]) -> str:
    """The questionnaire's ``state`` after answering only ``answers`` (question id -> typed text), in order."""
    kb = knowledge_base()
    interview = Interview(kb)
    by_id = {q.question_id: q for q in kb.questions}
    for question_id, text in answers.items():
        question = by_id[question_id]
        interview.answer(question, read_answer(question, text))
    return orjson.dumps(interview.to_state()).decode()


#: A home result that needs a clinic (acne scars), one needing a medical review, and one fine at home.
HOME_CLINIC_STATE = {"setting": "home", "age": "30", "goals": "acne_scars"}
HOME_REVIEW_STATE = {"setting": "home", "age": "35", "history": "frequent_cold_sores"}
HOME_OK_STATE = {"setting": "home", "age": "30"}


def plain_user(email: str = "someone@example.org") -> User:
    """An account that is not a staff member of any clinic."""
    user = User(username=email, email=email)
    user.set_password(PASSWORD)
    user.save()
    return user
