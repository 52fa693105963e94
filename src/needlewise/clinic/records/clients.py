"""Clients: create, find, edit, archive. Every read and write is audited; nothing is ever deleted."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.access.guard import use_case
from needlewise.clinic.access.tenancy import access_client
from needlewise.clinic.audit import log as audit_log
from needlewise.domain.permissions import Action
from needlewise.errors import ConflictError, InvalidInputError, Problem
from needlewise.storage.models import Client

SEARCH_LIMIT = 50
_NAME_LIMIT = 100
_PHONE_LIMIT = 40
_EMAIL_LIMIT = 254


def name_key(text: str) -> str:
    """A name as the search index holds it: accents removed, case-folded, single spaces.

    Case-folding can lengthen a name (``ß`` becomes ``ss``): the key keeps the first 100
    characters, which every search word is compared with as a prefix. Control characters (a NUL
    typed into the search box, which PostgreSQL cannot compare) separate words like spaces.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(" " if unicodedata.category(c) == "Cc" else c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())[:_NAME_LIMIT]


def phone_digits(text: str) -> str:
    """Only the digits of a phone number, as the search index holds it."""
    return re.sub(r"\D", "", text)


@dataclass(frozen=True, slots=True)
class ClientDetails:
    """What staff enter about a client (validated by :func:`checked`)."""

    given_name: str
    family_name: str
    birth_date: date | None
    phone: str = ""
    email: str = ""
    notes: str = ""


def _contact_problems(phone: str, email: str) -> list[Problem]:
    problems = []
    if (phone and not 6 <= len(phone_digits(phone)) <= 20) or re.search(r"[^\d\s()+.\-]", phone):  # noqa: PLR2004
        problems.append(Problem("phone", "enter a phone number: digits, spaces, + ( ) - . only"))
    elif len(phone) > _PHONE_LIMIT:
        problems.append(Problem("phone", f"at most {_PHONE_LIMIT} characters"))
    if email and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email):
        problems.append(Problem("email", "enter an e-mail address like name@example.org"))
    elif len(email) > _EMAIL_LIMIT:
        problems.append(Problem("email", f"at most {_EMAIL_LIMIT} characters"))
    return problems


def checked(details: ClientDetails, today: date) -> ClientDetails:
    """The details, trimmed, or InvalidInputError naming every field that is wrong."""
    problems = []
    given, family = details.given_name.strip(), details.family_name.strip()
    for where, value in (("given_name", given), ("family_name", family)):
        if not value:
            problems.append(Problem(where, "this field is required"))
        elif len(value) > _NAME_LIMIT:
            problems.append(Problem(where, f"at most {_NAME_LIMIT} characters"))
    if details.birth_date is None:
        problems.append(Problem("birth_date", "enter the date of birth as YYYY-MM-DD"))
    elif not date(1900, 1, 1) <= details.birth_date <= today:
        problems.append(Problem("birth_date", "the date of birth must be between 1900-01-01 and today"))
    phone, email = details.phone.strip(), details.email.strip()
    problems += _contact_problems(phone, email)
    if len(details.notes.strip()) > 5000:  # noqa: PLR2004
        problems.append(Problem("notes", "at most 5000 characters"))
    if problems:
        raise InvalidInputError(problems)
    return ClientDetails(given, family, details.birth_date, phone, email, details.notes.strip())


def _apply(client: Client, details: ClientDetails) -> None:
    client.given_name, client.family_name = details.given_name, details.family_name
    client.given_key, client.family_key = name_key(details.given_name), name_key(details.family_name)
    assert details.birth_date is not None  # noqa: S101 - checked() guarantees it
    client.birth_date = details.birth_date
    client.phone, client.phone_digits = details.phone, phone_digits(details.phone)
    client.email, client.notes = details.email, details.notes


@use_case(Action.EDIT_CLIENTS, "client")
def create(actor: Actor, details: ClientDetails) -> Client:
    """Add a client to the actor's clinic."""
    details = checked(details, timezone.localdate())
    client = Client(clinic_id=actor.staff_clinic_id, created_by_id=actor.staff_user_id)
    _apply(client, details)
    client.save(force_insert=True)
    audit_log.record(actor, "create", "client", client.pk, client_id=client.pk)
    return client


@use_case(Action.VIEW_CLIENTS, "client", record="client_id", client="client_id", missing="client")
def get(actor: Actor, client_id: int) -> Client:
    """One client of the actor's clinic (the read is recorded); NotFoundError for any other id."""
    client = access_client(actor, client_id)
    audit_log.record(actor, "read", "client", client.pk, client_id=client.pk)
    return client


@use_case(Action.EDIT_CLIENTS, "client", record="client_id", client="client_id", missing="client")
def update(actor: Actor, client_id: int, details: ClientDetails) -> Client:
    """Change a client's details (not an archived client's)."""
    details = checked(details, timezone.localdate())
    client = access_client(actor, client_id)
    if client.archived_at is not None:
        raise ConflictError([Problem("client", "this client is archived; restore them before editing")])
    _apply(client, details)
    client.save()
    audit_log.record(actor, "update", "client", client.pk, client_id=client.pk)
    return client


@use_case(Action.ARCHIVE_CLIENTS, "client", record="client_id", client="client_id", missing="client")
def set_archived(actor: Actor, client_id: int, archived: bool) -> Client:
    """Archive a client (hidden from searches, records kept) or restore them."""
    client = access_client(actor, client_id)
    client.archived_at = timezone.now() if archived else None
    client.save(update_fields=["archived_at", "updated_at"])
    audit_log.record(actor, "archive" if archived else "restore", "client", client.pk, client_id=client.pk)
    return client


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """What to look for: words that start names, a birth date, digits of a phone number."""

    text: str = ""
    birth_date: date | None = None
    phone: str = ""
    include_archived: bool = False

    @property
    def empty(self) -> bool:
        """Whether nothing was asked for."""
        return not (self.text.strip() or self.birth_date or phone_digits(self.phone))


def _matching(clinic_id: int, query: SearchQuery) -> QuerySet[Client]:
    rows = Client.objects.filter(clinic_id=clinic_id)
    if not query.include_archived:
        rows = rows.filter(archived_at__isnull=True)
    for word in name_key(query.text).split()[:4]:
        rows = rows.filter(Q(family_key__startswith=word) | Q(given_key__startswith=word))
    if query.birth_date is not None:
        rows = rows.filter(birth_date=query.birth_date)
    digits = phone_digits(query.phone)
    if digits:
        rows = rows.filter(phone_digits__startswith=digits)
    return rows


@use_case(Action.VIEW_CLIENTS, "client")
def search(actor: Actor, query: SearchQuery) -> list[Client]:
    """Up to SEARCH_LIMIT clients of the actor's clinic matching every part of ``query``, by name.

    An empty query lists the clients most recently added. The search is recorded with the ids it
    showed (not the words searched for, which may be a name).
    """
    rows = _matching(actor.staff_clinic_id, query)
    ordered = rows.order_by("-created_at", "-pk") if query.empty else rows.order_by("family_key", "given_key", "pk")
    found = list(ordered[:SEARCH_LIMIT])
    audit_log.record(actor, "search", "client", detail={"shown": [c.pk for c in found]})
    return found
